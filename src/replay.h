/* Saved sessions read back through the same sinks as a live run. */
#ifndef TTFTOP_REPLAY_H
#define TTFTOP_REPLAY_H

#include <stddef.h>

#include "jsonl.h"
#include "sink.h"

/* Reads saved sessions (plain or gzip JSONL) into the sink, streaming.
 * Several files are merged into one timeline, aligned by the wall-clock time
 * each began; the sink hears every record when the run's sinks heard it.
 * Returns 0, or -1 with a message naming the file (and line) in err. The
 * first run's record is left in ri (free it with run_info_free). */
int replay_read(char *const *paths, int n, struct run_info *ri,
    const struct sink *, char *err, size_t errlen);

#endif
