/* jscan: the document is checked once, strictly (RFC 8259 and a few limits
 * of our own); the lookups after it trust that check and only skip. What the
 * check refuses, cJSON reads instead: that keeps the two paths' answers
 * identical without copying cJSON's leniencies (trailing bytes, control
 * characters, a BOM, "\u0000" ending a string early, lone surrogates). */
#include "config.h"

#include <string.h>

#include "proto/jscan.h"

#define DEPTH_MAX	32	/* far deeper than any event; cJSON allows 1000 */
#define NUMBER_MAX	63	/* cJSON reads at most 63 bytes of a number */
#define EXACT_DIGITS	15	/* any integer this long is exact as a double */

bool jscan_off;

struct scan {
	const char	*p;
	const char	*end;
	int		 depth;
	struct jdoc	*doc;
};

static int check_value(struct scan *);

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void
check_ws(struct scan *s)
{
	while (s->p < s->end && is_ws(*s->p))
		s->p++;
}

static int
hex4(const char *p, unsigned *u)
{
	int i;

	*u = 0;
	for (i = 0; i < 4; i++) {
		char c = p[i];

		*u <<= 4;
		if (is_digit(c))
			*u |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*u |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*u |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

/* After "\u": a code that decodes to at least one byte, a surrogate pair
 * whole. "\u0000" and lone surrogates are cJSON's to judge. */
static int
check_u(struct scan *s)
{
	unsigned u, low;

	if (s->end - s->p < 4 || hex4(s->p, &u) == -1)
		return -1;
	s->p += 4;
	if (u == 0 || (u >= 0xdc00 && u <= 0xdfff))
		return -1;
	if (u >= 0xd800 && u <= 0xdbff) {
		if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u' ||
		    hex4(s->p + 2, &low) == -1 || low < 0xdc00 || low > 0xdfff)
			return -1;
		s->p += 6;
	}
	return 0;
}

/* Bytes a string's scan must stop at, and those a skip must stop at. */
#define STOP_STRING	1	/* '"', '\\', a control character */
#define STOP_SKIP	2	/* '"', '{', '[', '}', ']' */
static unsigned char stop[256];

static void
stop_init(void)
{
	int c;

	for (c = 0; c < 0x20; c++)
		stop[c] = STOP_STRING;
	stop['"'] = STOP_STRING | STOP_SKIP;
	stop['\\'] = STOP_STRING;
	stop['{'] = stop['['] = stop['}'] = stop[']'] = STOP_SKIP;
}

/* A key may not hold escapes: the lookups compare its bytes as they are. */
static int
check_string(struct scan *s, bool key)
{
	const char *p = s->p + 1, *end = s->end;
	unsigned char c;

	for (;;) {
		while (p < end && !(stop[(unsigned char)*p] & STOP_STRING))
			p++;
		if (p == end)
			return -1;
		c = (unsigned char)*p++;
		if (c == '"')
			break;
		if (c != '\\' || key || p == end)
			return -1;
		switch (*p++) {
		case '"': case '\\': case '/':
		case 'b': case 'f': case 'n': case 'r': case 't':
			break;
		case 'u':
			s->p = p;
			if (check_u(s) == -1)
				return -1;
			p = s->p;
			break;
		default:
			return -1;
		}
	}
	s->p = p;
	return 0;
}

static int
check_digits(struct scan *s)
{
	const char *from = s->p;

	while (s->p < s->end && is_digit(*s->p))
		s->p++;
	return s->p > from ? 0 : -1;
}

static int
check_number(struct scan *s)
{
	const char *from = s->p;

	if (*s->p == '-')
		s->p++;
	if (s->p < s->end && *s->p == '0')
		s->p++;
	else if (check_digits(s) == -1)
		return -1;
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (check_digits(s) == -1)
			return -1;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (check_digits(s) == -1)
			return -1;
	}
	return s->p - from <= NUMBER_MAX ? 0 : -1;
}

static int
check_literal(struct scan *s, const char *word, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return -1;
	s->p += n;
	return 0;
}

/* An object's members or an array's elements, up to the closing byte. */
static int
check_container(struct scan *s, bool object)
{
	char close = object ? '}' : ']';

	struct jdoc *d = s->doc;
	int slot = d->n < JSCAN_CONTAINERS ? d->n++ : -1;

	if (++s->depth > DEPTH_MAX)
		return -1;
	if (slot >= 0)
		d->start[slot] = s->p;
	s->p++;
	check_ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		s->depth--;
		if (slot >= 0)
			d->end[slot] = s->p;
		return 0;
	}
	for (;;) {
		if (object) {
			if (s->p == s->end || *s->p != '"' ||
			    check_string(s, true) == -1)
				return -1;
			check_ws(s);
			if (s->p == s->end || *s->p++ != ':')
				return -1;
			check_ws(s);
		}
		if (check_value(s) == -1)
			return -1;
		check_ws(s);
		if (s->p == s->end)
			return -1;
		if (*s->p == close)
			break;
		if (*s->p++ != ',')
			return -1;
		check_ws(s);
	}
	s->p++;
	s->depth--;
	if (slot >= 0)
		d->end[slot] = s->p;
	return 0;
}

static int
check_value(struct scan *s)
{
	if (s->p == s->end)
		return -1;
	switch (*s->p) {
	case '{':
		return check_container(s, true);
	case '[':
		return check_container(s, false);
	case '"':
		return check_string(s, false);
	case 't':
		return check_literal(s, "true", 4);
	case 'f':
		return check_literal(s, "false", 5);
	case 'n':
		return check_literal(s, "null", 4);
	default:
		return check_number(s);
	}
}

static enum jtype
type_of(char c)
{
	switch (c) {
	case '{':
		return JOBJECT;
	case '[':
		return JARRAY;
	case '"':
		return JSTRING;
	case 't':
		return JTRUE;
	case 'f':
		return JFALSE;
	case 'n':
		return JNULL;
	default:
		return JNUMBER;
	}
}

int
jscan_doc(struct jdoc *doc, const char *data, size_t len, struct jval *root)
{
	struct scan s = { data, data + len, 0, doc };

	doc->n = 0;
	if (jscan_off)
		return -1;
	if (stop['"'] == 0)
		stop_init();
	check_ws(&s);
	root->p = s.p;
	if (check_value(&s) == -1)
		return -1;
	root->end = s.p;
	root->type = type_of(*root->p);
	root->doc = doc;
	check_ws(&s);
	return s.p == s.end ? 0 : -1;	/* cJSON ignores what follows */
}

/* The skips below run inside a checked document only: every value they
 * step over is whole and followed by a delimiter within it. */

static const char *
skip_ws(const char *p)
{
	while (is_ws(*p))
		p++;
	return p;
}

static const char *
skip_string(const char *p)
{
	for (p++; *p != '"'; p++) {
		while (!(stop[(unsigned char)*p] & STOP_STRING))
			p++;
		if (*p == '\\')
			p++;
		else if (*p == '"')
			break;
	}
	return p + 1;
}

/* A container's end, from the table of the first ones, else by walking. */
static const char *
skip_container(const struct jdoc *doc, const char *p)
{
	int depth = 0, i;

	for (i = 0; i < doc->n && doc->start[i] <= p; i++) {
		if (doc->start[i] == p)
			return doc->end[i];
	}
	for (;;) {
		while (!(stop[(unsigned char)*p] & STOP_SKIP))
			p++;
		if (*p == '"')
			p = skip_string(p);
		else if (*p == '{' || *p == '[') {
			depth++;
			p++;
		} else if (--depth == 0)
			return p + 1;
		else
			p++;
	}
}

static void
skip_value(const struct jdoc *doc, const char *p, struct jval *v)
{
	v->p = p;
	v->type = type_of(*p);
	v->doc = doc;
	switch (v->type) {
	case JSTRING:
		p = skip_string(p);
		break;
	case JOBJECT:
	case JARRAY:
		p = skip_container(doc, p);
		break;
	case JTRUE:
	case JNULL:
		p += 4;
		break;
	case JFALSE:
		p += 5;
		break;
	default:
		while (is_digit(*p) || *p == '-' || *p == '+' || *p == '.' ||
		    *p == 'e' || *p == 'E')
			p++;
		break;
	}
	v->end = p;
}

/* A checked key holds no NUL, so a shorter want stops at its own. */
static bool
key_is(const char *want, const char *key, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (want[i] != key[i])
			return false;
	}
	return want[n] == '\0';
}

void
jscan_members(const struct jval *obj, const char *const keys[],
    struct jval out[], size_t n)
{
	const char *p, *key;
	size_t i, keylen, left = n;
	struct jval v;

	for (i = 0; i < n; i++)
		out[i].type = JNONE;
	if (obj->type != JOBJECT)
		return;
	for (p = skip_ws(obj->p + 1); *p == '"' && left > 0; ) {
		key = p + 1;
		p = skip_string(p);
		keylen = (size_t)(p - 1 - key);
		skip_value(obj->doc, skip_ws(skip_ws(p) + 1), &v);
		for (i = 0; i < n; i++) {
			/* the first of a repeated key, as cJSON */
			if (out[i].type == JNONE && key_is(keys[i], key, keylen)) {
				out[i] = v;
				left--;
				break;
			}
		}
		p = skip_ws(v.end);
		if (*p != ',')
			break;
		p = skip_ws(p + 1);
	}
}

bool
jscan_next(const struct jval *c, struct jval *elem)
{
	const char *p;

	if (c->type != JARRAY && c->type != JOBJECT)
		return false;
	if (elem->type == JNONE)
		p = skip_ws(c->p + 1);
	else {
		p = skip_ws(elem->end);
		if (*p != ',')
			return false;
		p = skip_ws(p + 1);
	}
	if (*p == ']' || *p == '}')
		return false;
	if (c->type == JOBJECT)
		p = skip_ws(skip_ws(skip_string(p)) + 1);
	skip_value(c->doc, p, elem);
	return true;
}

bool
jscan_nonempty(const struct jval *v)
{
	/* the check let no escape through that decodes to nothing */
	return v->type == JSTRING && v->end - v->p > 2;
}

bool
jscan_given(const struct jval *v)
{
	return v->type != JNONE && v->type != JNULL;
}

int
jscan_string_is(const struct jval *v, const char *s)
{
	size_t n;

	if (v->type != JSTRING)
		return 0;
	n = (size_t)(v->end - v->p) - 2;
	if (memchr(v->p + 1, '\\', n) != NULL)
		return -1;
	return strlen(s) == n && memcmp(v->p + 1, s, n) == 0;
}

int
jscan_string_raw(const struct jval *v, const char **p, size_t *n)
{
	if (v->type != JSTRING)
		return -1;
	*p = v->p + 1;
	*n = (size_t)(v->end - v->p) - 2;
	return memchr(*p, '\\', *n) != NULL ? -1 : 0;
}

int
jscan_long(const struct jval *v, long *out)
{
	const char *p = v->p;
	bool minus;
	long n = 0;

	if (v->type != JNUMBER)
		return -1;
	if ((minus = *p == '-'))
		p++;
	if (v->end - p > EXACT_DIGITS)
		return -1;
	for (; p < v->end; p++) {
		if (!is_digit(*p))
			return -1;
		n = n * 10 + (*p - '0');
	}
	*out = minus ? -n : n;
	return 0;
}

int
jscan_count(const struct jval *v, long *out)
{
	*out = -1;
	return v->type == JNUMBER ? jscan_long(v, out) : 0;
}
