/* Reading a streamed JSON event in place, without building a tree or
 * allocating: the adapters' fast path. jscan_doc checks the whole text and
 * says whether it is plain JSON that cJSON reads exactly as jscan does; when
 * it is not (an escape jscan cannot judge, deep nesting, a long number,
 * anything malformed or lenient), the caller parses it with cJSON instead,
 * so every answer and every error stays cJSON's. The lookups below behave
 * as their cJSON namesakes on such a document. */
#ifndef TTFTOP_JSCAN_H
#define TTFTOP_JSCAN_H

#include <stdbool.h>
#include <stddef.h>

enum jtype {
	JNONE,		/* absent */
	JNULL,
	JFALSE,
	JTRUE,
	JNUMBER,
	JSTRING,
	JARRAY,
	JOBJECT,
};

#define JSCAN_CONTAINERS	16	/* whose ends a document remembers */

/* A checked document: where its first objects and arrays end, so that the
 * lookups step over them at once. The caller's, for as long as its values. */
struct jdoc {
	const char	*start[JSCAN_CONTAINERS];
	const char	*end[JSCAN_CONTAINERS];
	int		 n;
};

/* One value of a checked document: its bytes, a string's quotes included. */
struct jval {
	enum jtype		 type;
	const char		*p;
	const char		*end;
	const struct jdoc	*doc;
};

/* For the tests and the benchmark: when set, no document is plain, so
 * every caller takes its cJSON path. */
extern bool jscan_off;

/* 0 and the root value when data is plain JSON; -1 when the caller must
 * parse it with cJSON. */
int jscan_doc(struct jdoc *, const char *data, size_t len, struct jval *root);
/* The first member of obj named keys[i], into out[i] (JNONE when there is
 * none, or when obj is not an object), for i < n, in one pass: as
 * cJSON_GetObjectItemCaseSensitive for each key. */
void jscan_members(const struct jval *obj, const char *const keys[],
    struct jval out[], size_t n);
/* The next element of an array (or member value of an object, as
 * cJSON_ArrayForEach), after elem; elem->type JNONE asks for the first.
 * false after the last. */
bool jscan_next(const struct jval *container, struct jval *elem);
#define JSCAN_FOREACH(elem, container) \
	for ((elem).type = JNONE; jscan_next(&(container), &(elem));)
/* A string of at least one byte (cJSON: valuestring[0] != '\0'). */
bool jscan_nonempty(const struct jval *);
/* A present, non-null value. */
bool jscan_given(const struct jval *);
/* Whether v is a string equal to s: 1 or 0; -1 when it holds escapes, which
 * the caller leaves to cJSON. */
int jscan_string_is(const struct jval *v, const char *s);
/* 0 and a string's bytes between its quotes, when it holds no escape; -1
 * when it does (the caller leaves it to cJSON) or v is no string. */
int jscan_string_raw(const struct jval *v, const char **p, size_t *n);
/* 0 and (long) of a number, as cJSON would give it; -1 when v is a number
 * jscan does not convert (a fraction, an exponent, many digits), which the
 * caller leaves to cJSON. Not a number: -1 too, so test the type first. */
int jscan_long(const struct jval *v, long *out);
/* A count as the adapters read one with cJSON (a number's (long), else -1
 * for none): 0, or -1 for a number the caller leaves to cJSON. */
int jscan_count(const struct jval *v, long *out);

#endif
