/* The simulated endpoint's check of AWS Signature Version 4, so signing is
 * proven against a known secret rather than assumed. */
#ifndef TTFTOP_SIM_SIGV4_H
#define TTFTOP_SIM_SIGV4_H

#include <stddef.h>

/* Checks the request's Authorization header against secret: method, raw
 * path and the header block (head, head_len) as received, and the body.
 * Returns 0, or -1 with the reason in why. */
int sigv4_check(const char *secret, const char *service, const char *method,
    const char *path, const char *head, size_t head_len, const char *body,
    size_t body_len, char *why, size_t whylen);

#endif
