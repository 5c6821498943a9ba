/* TLS for the direct transport: OpenSSL on a non-blocking socket, verified
 * as curl verifies (the system's CA store, or --cacert alone; the host name
 * or IP address against the certificate; -k skips both), SNI and ALPN
 * http/1.1. One context a run: the CA store is built once, and each new
 * connection resumes the session the last handshake left. */
#ifndef TTFTOP_TLS_CLIENT_H
#define TTFTOP_TLS_CLIENT_H

#include <stdbool.h>
#include <sys/types.h>

#include <openssl/ssl.h>

struct tls_client;

/* What a non-blocking TLS call needs before it can go on. */
enum tls_want {
	TLS_OK,
	TLS_WANT_READ,
	TLS_WANT_WRITE,
	TLS_FAILED,		/* err says why */
};

/* The run's context for host (as the URL names it, IPv6 literals
 * bracketed); NULL with err set when the CA file cannot be read. */
struct tls_client *tls_client_new(const char *host, bool insecure,
    const char *cacert, char *err, size_t errlen);
void tls_client_free(struct tls_client *);

/* A TLS connection over fd, which the caller keeps and closes after
 * SSL_free. */
SSL *tls_client_conn(struct tls_client *, int fd);
/* Drives the handshake on: TLS_OK when it is done. */
enum tls_want tls_client_handshake(SSL *, char *err, size_t errlen);
/* > 0: bytes; 0: the server closed; -1: *want says what to wait for, or
 * TLS_FAILED (err set). */
ssize_t tls_client_read(SSL *, void *, size_t, enum tls_want *want,
    char *err, size_t errlen);
ssize_t tls_client_write(SSL *, const void *, size_t, enum tls_want *want,
    char *err, size_t errlen);

#endif
