/* The simulated endpoint's https (sim --tls): one OpenSSL server context,
 * with a certificate given or made at start, and per connection a session
 * driven on its non-blocking socket, read and written like recv and send
 * so that server.c stays about HTTP. */
#ifndef TTFTOP_SIM_TLS_H
#define TTFTOP_SIM_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct tls_server;
struct tls_conn;

/* A context serving cert_file and key_file (PEM), or, when both are NULL,
 * a self-signed EC P-256 certificate made now for 127.0.0.1 and localhost.
 * Returns NULL with the reason in err. */
struct tls_server *tls_server_new(const char *cert_file, const char *key_file,
    char *err, size_t errlen);
/* Writes the certificate served, in PEM, so a client can trust it
 * (--cacert). Returns 0, or -1 with the reason in err. */
int tls_server_write_cert(struct tls_server *, const char *path, char *err,
    size_t errlen);
void tls_server_free(struct tls_server *);

/* A session on the accepted socket fd, which stays the caller's. */
struct tls_conn *tls_conn_new(struct tls_server *, int fd);
void tls_conn_free(struct tls_conn *);
/* As recv(2) and send(2): bytes moved; 0 when the peer has ended (read);
 * -1 with errno EAGAIN when the session must wait for the socket, in the
 * direction tls_conn_wants_write says, else -1 (the connection is lost).
 * The handshake runs inside the first calls. A write cut short by EAGAIN
 * is retried with the same bytes in front, wherever they have moved. */
ssize_t tls_conn_read(struct tls_conn *, void *, size_t);
ssize_t tls_conn_write(struct tls_conn *, const void *, size_t);
/* Whether the last call that gave EAGAIN waits for the socket to be
 * writable (else readable). */
bool tls_conn_wants_write(const struct tls_conn *);
/* Sends close_notify, so a close-delimited body ends cleanly. */
void tls_conn_close(struct tls_conn *);

#endif
