/* A growable byte string, always NUL-terminated. */
#ifndef TTFTOP_BUF_H
#define TTFTOP_BUF_H

#include <stddef.h>

#include "clock.h"

struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

void buf_init(struct buf *);
void buf_free(struct buf *);
void buf_reserve(struct buf *, size_t extra);
void buf_add(struct buf *, const void *data, size_t len);
void buf_adds(struct buf *, const char *s);
void buf_addc(struct buf *, char c);
void buf_printf(struct buf *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends s as a quoted, escaped JSON string. */
void buf_add_json_string(struct buf *, const char *s);
void buf_add_json_stringn(struct buf *, const char *s, size_t n);
/* Appends u as seconds with six decimals. */
void buf_add_usec(struct buf *, usec_t u);
/* Hands over the string; the buf is empty after. */
char *buf_detach(struct buf *, size_t *len);

#endif
