#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "net/tls_client.h"
#include "xalloc.h"

struct tls_client {
	SSL_CTX		*ctx;
	SSL_SESSION	*session;	/* the last handshake's, to resume */
	char		 host[256];	/* without an IPv6 literal's brackets */
	bool		 ip;		/* host is an address: no SNI */
	bool		 verify;
};

/* err: what OpenSSL's error queue says, after what. */
static void
queue_error(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char why[256];

	if (e == 0) {
		snprintf(err, errlen, "%s", what);
		return;
	}
	ERR_error_string_n(e, why, sizeof why);
	snprintf(err, errlen, "%s: %s", what, why);
	ERR_clear_error();
}

/* A session ticket came: kept (the reference is ours) for the next
 * connection to resume. */
static int
new_session(SSL *ssl, SSL_SESSION *sess)
{
	struct tls_client *t = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));

	if (t->session != NULL)
		SSL_SESSION_free(t->session);
	t->session = sess;
	return 1;
}

struct tls_client *
tls_client_new(const char *host, bool insecure, const char *cacert,
    char *err, size_t errlen)
{
	struct tls_client *t = xcalloc(1, sizeof *t);
	size_t n = strlen(host);
	unsigned char addr[16];
	static const unsigned char alpn[] = "\x08http/1.1";

	if (host[0] == '[' && n > 2)
		snprintf(t->host, sizeof t->host, "%.*s", (int)(n - 2), host + 1);
	else
		snprintf(t->host, sizeof t->host, "%s", host);
	t->ip = inet_pton(AF_INET, t->host, addr) == 1 ||
	    inet_pton(AF_INET6, t->host, addr) == 1;
	t->verify = !insecure;
	if ((t->ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		queue_error(err, errlen, "TLS");
		free(t);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(t->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
	/* a server that closes without close_notify ends the body, as
	 * curl takes it */
	SSL_CTX_set_options(t->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
	SSL_CTX_set_alpn_protos(t->ctx, alpn, sizeof alpn - 1);
	SSL_CTX_set_app_data(t->ctx, t);
	SSL_CTX_set_session_cache_mode(t->ctx, SSL_SESS_CACHE_CLIENT |
	    SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(t->ctx, new_session);
	SSL_CTX_set_verify(t->ctx, t->verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE,
	    NULL);
	if (!t->verify)
		return t;
	/* the store is built here, once for the run */
	if (cacert != NULL ? SSL_CTX_load_verify_locations(t->ctx, cacert, NULL) != 1 :
	    SSL_CTX_set_default_verify_paths(t->ctx) != 1) {
		queue_error(err, errlen, cacert != NULL ? cacert :
		    "the system's CA store");
		tls_client_free(t);
		return NULL;
	}
	return t;
}

void
tls_client_free(struct tls_client *t)
{
	if (t == NULL)
		return;
	if (t->session != NULL)
		SSL_SESSION_free(t->session);
	SSL_CTX_free(t->ctx);
	free(t);
}

SSL *
tls_client_conn(struct tls_client *t, int fd)
{
	SSL *ssl = SSL_new(t->ctx);

	if (ssl == NULL)
		fatal("SSL_new failed");
	SSL_set_fd(ssl, fd);
	SSL_set_connect_state(ssl);
	if (!t->ip)
		SSL_set_tlsext_host_name(ssl, t->host);
	if (t->verify) {
		if (t->ip)
			X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), t->host);
		else
			SSL_set1_host(ssl, t->host);
	}
	if (t->session != NULL)
		SSL_set_session(ssl, t->session);
	return ssl;
}

/* What to wait for after a call returned rc, or TLS_FAILED with err. */
static enum tls_want
want_of(SSL *ssl, int rc, const char *what, char *err, size_t errlen)
{
	long v;

	switch (SSL_get_error(ssl, rc)) {
	case SSL_ERROR_WANT_READ:
		return TLS_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return TLS_WANT_WRITE;
	case SSL_ERROR_SYSCALL:
		if (ERR_peek_error() == 0) {
			snprintf(err, errlen, "%s: %s", what, errno != 0 ?
			    strerror(errno) : "the server closed the connection");
			return TLS_FAILED;
		}
		break;
	default:
		break;
	}
	/* curl's words, so both transports say the same */
	if ((v = SSL_get_verify_result(ssl)) != X509_V_OK) {
		snprintf(err, errlen, "SSL certificate problem: %s",
		    X509_verify_cert_error_string(v));
		ERR_clear_error();
	} else
		queue_error(err, errlen, what);
	return TLS_FAILED;
}

enum tls_want
tls_client_handshake(SSL *ssl, char *err, size_t errlen)
{
	int rc;

	ERR_clear_error();
	errno = 0;
	if ((rc = SSL_do_handshake(ssl)) == 1)
		return TLS_OK;
	return want_of(ssl, rc, "TLS handshake failed", err, errlen);
}

ssize_t
tls_client_read(SSL *ssl, void *p, size_t n, enum tls_want *want, char *err,
    size_t errlen)
{
	int rc;

	ERR_clear_error();
	errno = 0;
	if ((rc = SSL_read(ssl, p, n > INT_MAX ? INT_MAX : (int)n)) > 0)
		return rc;
	if (SSL_get_error(ssl, rc) == SSL_ERROR_ZERO_RETURN)
		return 0;
	*want = want_of(ssl, rc, "TLS read failed", err, errlen);
	return -1;
}

ssize_t
tls_client_write(SSL *ssl, const void *p, size_t n, enum tls_want *want,
    char *err, size_t errlen)
{
	int rc;

	ERR_clear_error();
	errno = 0;
	if ((rc = SSL_write(ssl, p, n > INT_MAX ? INT_MAX : (int)n)) > 0)
		return rc;
	*want = want_of(ssl, rc, "TLS write failed", err, errlen);
	return -1;
}
