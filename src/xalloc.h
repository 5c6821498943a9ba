/* Checked allocation: failure is fatal, sizes are checked for overflow. */
#ifndef TTFTOP_XALLOC_H
#define TTFTOP_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
int xasprintf(char **ret, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Called before the process exits on a fatal error (the screen restores the
 * terminal here). */
extern void (*fatal_hook)(void);
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
