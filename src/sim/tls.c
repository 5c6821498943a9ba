#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tls.h"
#include "xalloc.h"

#define CERT_NAME	"ttftop sim"
#define CERT_NAMES	"IP:127.0.0.1,DNS:localhost"
#define CERT_BACKDATE	3600L			/* clocks a little behind */
#define CERT_LIFETIME	(30L * 24 * 3600)	/* seconds */
#define SERIAL_BITS	64

struct tls_server {
	SSL_CTX		*ctx;
};

struct tls_conn {
	SSL		*ssl;
	bool		 wants_write;
};

/* OpenSSL's reason for the last failure, after what failed. */
static void
ssl_error(char *err, size_t errlen, const char *what)
{
	char why[256];

	ERR_error_string_n(ERR_get_error(), why, sizeof why);
	snprintf(err, errlen, "%s: %s", what, why);
	ERR_clear_error();
}

static int
add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int rc;

	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value)) == NULL)
		return -1;
	rc = X509_add_ext(x, ext, -1) == 1 ? 0 : -1;
	X509_EXTENSION_free(ext);
	return rc;
}

/* A self-signed certificate for the loopback names, with a fresh key:
 * P-256, made in a millisecond, so every start has its own. */
static int
make_cert(SSL_CTX *ctx, char *err, size_t errlen)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name;
	BIGNUM *serial = BN_new();
	int rc = -1;

	if (key == NULL || x == NULL || serial == NULL ||
	    X509_set_version(x, X509_VERSION_3) != 1 ||
	    BN_rand(serial, SERIAL_BITS, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
	    BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) == NULL ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -CERT_BACKDATE) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), CERT_LIFETIME) == NULL ||
	    X509_set_pubkey(x, key) != 1)
		goto out;
	name = X509_get_subject_name(x);
	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)CERT_NAME, -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, name) != 1 ||
	    add_ext(x, NID_basic_constraints, "critical,CA:TRUE") != 0 ||
	    add_ext(x, NID_subject_key_identifier, "hash") != 0 ||
	    add_ext(x, NID_subject_alt_name, CERT_NAMES) != 0 ||
	    X509_sign(x, key, EVP_sha256()) == 0 ||
	    SSL_CTX_use_certificate(ctx, x) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, key) != 1)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		ssl_error(err, errlen, "cannot make a certificate");
	BN_free(serial);
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

static int
load_cert(SSL_CTX *ctx, const char *cert_file, const char *key_file,
    char *err, size_t errlen)
{
	char what[600];

	if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
		snprintf(what, sizeof what, "--tls-cert %s", cert_file);
		ssl_error(err, errlen, what);
		return -1;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(what, sizeof what, "--tls-key %s", key_file);
		ssl_error(err, errlen, what);
		return -1;
	}
	return 0;
}

struct tls_server *
tls_server_new(const char *cert_file, const char *key_file, char *err,
    size_t errlen)
{
	struct tls_server *s;
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		ssl_error(err, errlen, "SSL_CTX_new");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* server.c appends to its output buffer between the tries of one
	 * write, and sends what it can; idle streams hold no record buffers,
	 * so thousands of them fit */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	if ((cert_file != NULL ? load_cert(ctx, cert_file, key_file, err, errlen) :
	    make_cert(ctx, err, errlen)) != 0) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->ctx = ctx;
	return s;
}

int
tls_server_write_cert(struct tls_server *s, const char *path, char *err,
    size_t errlen)
{
	FILE *f;
	int ok;

	if ((f = fopen(path, "w")) == NULL) {
		snprintf(err, errlen, "--tls-cert-out %s: %s", path, strerror(errno));
		return -1;
	}
	ok = PEM_write_X509(f, SSL_CTX_get0_certificate(s->ctx));
	if (fclose(f) != 0 || !ok) {
		snprintf(err, errlen, "--tls-cert-out %s: cannot write it", path);
		return -1;
	}
	return 0;
}

void
tls_server_free(struct tls_server *s)
{
	if (s == NULL)
		return;
	SSL_CTX_free(s->ctx);
	free(s);
}

struct tls_conn *
tls_conn_new(struct tls_server *s, int fd)
{
	struct tls_conn *t = xcalloc(1, sizeof *t);

	if ((t->ssl = SSL_new(s->ctx)) == NULL || SSL_set_fd(t->ssl, fd) != 1)
		fatal("cannot start a TLS session");
	SSL_set_accept_state(t->ssl);
	return t;
}

void
tls_conn_free(struct tls_conn *t)
{
	if (t == NULL)
		return;
	SSL_free(t->ssl);
	free(t);
}

/* What a call that moved nothing (r <= 0) means, as recv and send say it. */
static ssize_t
settle(struct tls_conn *t, int r, bool reading)
{
	int e = SSL_get_error(t->ssl, r);

	ERR_clear_error();
	switch (e) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		t->wants_write = e == SSL_ERROR_WANT_WRITE;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_ZERO_RETURN:	/* close_notify */
		break;
	case SSL_ERROR_SYSCALL:
		if (errno != 0)
			return -1;
		break;			/* an end without close_notify */
	default:			/* a failed handshake, a bad record */
		errno = EPROTO;
		return -1;
	}
	if (reading)
		return 0;
	errno = EPIPE;
	return -1;
}

ssize_t
tls_conn_read(struct tls_conn *t, void *p, size_t n)
{
	int r;

	errno = 0;
	if ((r = SSL_read(t->ssl, p, n > INT_MAX ? INT_MAX : (int)n)) > 0)
		return r;
	return settle(t, r, true);
}

ssize_t
tls_conn_write(struct tls_conn *t, const void *p, size_t n)
{
	int r;

	errno = 0;
	if ((r = SSL_write(t->ssl, p, n > INT_MAX ? INT_MAX : (int)n)) > 0)
		return r;
	return settle(t, r, false);
}

bool
tls_conn_wants_write(const struct tls_conn *t)
{
	return t->wants_write;
}

void
tls_conn_close(struct tls_conn *t)
{
	SSL_shutdown(t->ssl);
	ERR_clear_error();
}
