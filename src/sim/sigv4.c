#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "buf.h"
#include "net/http.h"
#include "sigv4.h"

#define ALGORITHM "AWS4-HMAC-SHA256"

static void
hex(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static void
sha256_hex(const void *data, size_t n, char out[65])
{
	unsigned char d[SHA256_DIGEST_LENGTH];

	SHA256(data, n, d);
	hex(d, sizeof d, out);
}

static void
hmac(const void *key, size_t klen, const char *msg, unsigned char out[32])
{
	unsigned int len = 32;

	HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, strlen(msg),
	    out, &len);
}

/* The value of header name in the block, trimmed, spaces collapsed. */
static int
header(const char *head, size_t len, const char *name, struct buf *out)
{
	size_t n, i;
	const char *v = http_header(head, len, name, &n);
	int space = 0;

	if (v == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (v[i] == ' ' || v[i] == '\t') {
			space = 1;
			continue;
		}
		if (space)
			buf_addc(out, ' ');
		space = 0;
		buf_addc(out, v[i]);
	}
	return 0;
}

/* The request target as AWS signs it for every service but S3: the path as
 * received, URI-encoded once more ('/' kept, so "%3A" becomes "%253A"), a
 * newline, and the query's pairs sorted, as received. */
static void
canonical_target(struct buf *b, const char *target)
{
	const char *q = strchr(target, '?'), *p;
	size_t n = q != NULL ? (size_t)(q - target) : strlen(target), i, k, npairs;
	const char *pairs[64];
	size_t plen[64];

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)target[i];

		if (isalnum(c) || strchr("-._~/", c) != NULL)
			buf_addc(b, (char)c);
		else
			buf_printf(b, "%%%02X", c);
	}
	buf_addc(b, '\n');
	if (q == NULL || q[1] == '\0')
		return;
	/* insertion sort of at most 64 pairs: a query of the sim's tests */
	for (npairs = 0, p = q + 1; *p != '\0' && npairs < 64; npairs++) {
		size_t len = strcspn(p, "&");

		for (k = npairs; k > 0; k--) {
			size_t m = len < plen[k - 1] ? len : plen[k - 1];
			int c = memcmp(pairs[k - 1], p, m);

			if (c < 0 || (c == 0 && plen[k - 1] <= len))
				break;
			pairs[k] = pairs[k - 1];
			plen[k] = plen[k - 1];
		}
		pairs[k] = p;
		plen[k] = len;
		p += len;
		if (*p == '&')
			p++;
	}
	for (k = 0; k < npairs; k++) {
		buf_printf(b, "%s%.*s", k ? "&" : "", (int)plen[k], pairs[k]);
		if (memchr(pairs[k], '=', plen[k]) == NULL)
			buf_addc(b, '=');
	}
}

/* Copies the text after key= up to a comma or the end. */
static int
field(const char *auth, const char *key, char *out, size_t outlen)
{
	const char *p = strstr(auth, key);
	size_t n;

	if (p == NULL)
		return -1;
	p += strlen(key);
	n = strcspn(p, ", ");
	if (n == 0 || n >= outlen)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

int
sigv4_check(const char *secret, const char *service, const char *method,
    const char *path, const char *head, size_t head_len, const char *body,
    size_t body_len, char *why, size_t whylen)
{
	struct buf auth, canon, sts, v, date;
	char cred[256], signed_hdrs[512], sig[128], scope[256], h[65], got[65];
	char *parts[5], *s, *name;
	unsigned char k[32], k2[32];
	char key[512];
	int rc = -1, i;

	buf_init(&auth);
	buf_init(&canon);
	buf_init(&sts);
	buf_init(&v);
	buf_init(&date);
	if (header(head, head_len, "Authorization", &auth) != 0 || auth.len == 0 ||
	    strncmp(auth.p, ALGORITHM " ", strlen(ALGORITHM) + 1) != 0) {
		snprintf(why, whylen, "missing or not an " ALGORITHM " Authorization "
		    "header");
		goto out;
	}
	if (field(auth.p, "Credential=", cred, sizeof cred) != 0 ||
	    field(auth.p, "SignedHeaders=", signed_hdrs, sizeof signed_hdrs) != 0 ||
	    field(auth.p, "Signature=", sig, sizeof sig) != 0) {
		snprintf(why, whylen, "malformed Authorization header");
		goto out;
	}
	/* Credential=KEY/DATE/REGION/SERVICE/aws4_request */
	s = cred;
	for (i = 0; i < 5; i++) {
		parts[i] = s;
		if ((s = strchr(s, '/')) == NULL)
			break;
		*s++ = '\0';
	}
	if (i != 4 || s != NULL || strcmp(parts[4], "aws4_request") != 0) {
		snprintf(why, whylen, "malformed credential scope");
		goto out;
	}
	if (strcmp(parts[3], service) != 0) {
		snprintf(why, whylen, "signed for service '%s', not '%s'", parts[3],
		    service);
		goto out;
	}
	if (header(head, head_len, "X-Amz-Date", &date) != 0) {
		snprintf(why, whylen, "missing X-Amz-Date");
		goto out;
	}
	/* the canonical request */
	buf_printf(&canon, "%s\n", method);
	canonical_target(&canon, path);
	buf_addc(&canon, '\n');
	for (name = signed_hdrs; *name != '\0';) {
		size_t n = strcspn(name, ";");
		char hn[128];

		if (n == 0 || n >= sizeof hn) {
			snprintf(why, whylen, "malformed SignedHeaders");
			goto out;
		}
		memcpy(hn, name, n);
		hn[n] = '\0';
		v.len = 0;
		if (header(head, head_len, hn, &v) != 0) {
			snprintf(why, whylen, "signed header %s is missing", hn);
			goto out;
		}
		buf_printf(&canon, "%s:%s\n", hn, v.len ? v.p : "");
		name += n;
		if (*name == ';')
			name++;
	}
	v.len = 0;
	if (header(head, head_len, "x-amz-content-sha256", &v) == 0 && v.len == 64)
		memcpy(h, v.p, 65);
	else
		sha256_hex(body, body_len, h);
	buf_printf(&canon, "\n%s\n%s", signed_hdrs, h);
	sha256_hex(canon.p, canon.len, h);
	snprintf(scope, sizeof scope, "%s/%s/%s/aws4_request", parts[1], parts[2],
	    parts[3]);
	buf_printf(&sts, ALGORITHM "\n%s\n%s\n%s", date.p, scope, h);
	/* the signing key */
	snprintf(key, sizeof key, "AWS4%s", secret);
	hmac(key, strlen(key), parts[1], k);
	hmac(k, 32, parts[2], k2);
	hmac(k2, 32, parts[3], k);
	hmac(k, 32, "aws4_request", k2);
	{
		unsigned char out[32];

		hmac(k2, 32, sts.p, out);
		hex(out, 32, got);
	}
	if (strcmp(got, sig) != 0) {
		snprintf(why, whylen, "The request signature we calculated does not "
		    "match the signature you provided");
		goto out;
	}
	rc = 0;
out:
	buf_free(&auth);
	buf_free(&canon);
	buf_free(&sts);
	buf_free(&v);
	buf_free(&date);
	return rc;
}
