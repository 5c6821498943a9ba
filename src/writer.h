/* The JSONL writer: a sink on the loop thread that encodes records, and a
 * background thread that owns the file and writes them. Nothing the loop
 * hands it is lost: writer_close drains the queue, flushes and fsyncs. */
#ifndef TTFTOP_WRITER_H
#define TTFTOP_WRITER_H

#include <stdbool.h>
#include <stddef.h>

#include "jsonl.h"
#include "sink.h"

struct writer;

/* Creates path and starts the thread; NULL with a message in err when the
 * file cannot be opened, or is a regular file with something in it and
 * force is false (with force, it is truncated). */
struct writer *writer_open(const char *path, bool force, char *err,
    size_t errlen);
void writer_push_run(struct writer *, const struct run_info *,
    const struct run_opts *);
struct sink writer_sink(struct writer *);
/* Passes the lines pushed since the last call to the writer's thread: the
 * loop calls it once per iteration, before it waits. */
void writer_hand_over(struct writer *);
/* Samples pushed so far. */
long writer_samples(const struct writer *);
const char *writer_path(const struct writer *);
/* 0, or -1 with the message once a write has failed: from then on nothing
 * more is written, and the file ends on its last whole line. The loop
 * thread polls it. */
int writer_error(const struct writer *, char *err, size_t errlen);
/* Hands over what was pushed and waits until it is written: 0, or -1 as
 * writer_error. */
int writer_sync(struct writer *, char *err, size_t errlen);
/* Drains, fsyncs, closes and frees; -1 with a message in err when any
 * write failed. */
int writer_close(struct writer *, char *err, size_t errlen);

#endif
