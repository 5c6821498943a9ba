/* Warnings the engine cannot hand back in an error buffer (a file read on
 * after a cut line, files merged that differ): the command decides where
 * they go by setting warn_hook; without one they are dropped. */
#ifndef TTFTOP_WARN_H
#define TTFTOP_WARN_H

/* msg is one line without its newline; it may be called from any thread. */
extern void (*warn_hook)(const char *msg);
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
