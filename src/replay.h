/* `ttftop replay`: a saved session read back through the same sinks. */
#ifndef TTFTOP_REPLAY_H
#define TTFTOP_REPLAY_H

#include <stddef.h>

#include "jsonl.h"
#include "sink.h"

int replay_main(int argc, char **argv);
/* Reads a whole JSONL file into the sink, streaming. Returns 0, or -1 with a
 * message naming the file (and line) in err. The run record is left in ri
 * (free it with run_info_free). */
int replay_read(const char *path, struct run_info *ri, struct sink *,
    char *err, size_t errlen);

#endif
