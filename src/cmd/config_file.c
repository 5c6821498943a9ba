#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <zlib.h>

#include "buf.h"
#include "cmd/config_file.h"
#include "xalloc.h"

#define LINE_MAX_BYTES	(16 << 20)	/* a run record, its prompts inline */

static void
add(struct config *c, const char *name, const char *value, const char *key)
{
	struct config_opt *o;

	c->v = xreallocarray(c->v, (size_t)c->n + 1, sizeof *c->v);
	o = &c->v[c->n++];
	o->name = xstrdup(name);
	o->value = value != NULL ? xstrdup(value) : NULL;
	o->key = xstrdup(key);
}

void
config_free(struct config *c)
{
	int i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].value);
		free(c->v[i].key);
	}
	free(c->v);
	free(c->url);
	memset(c, 0, sizeof *c);
}

/* A number as an option takes it: whole numbers without a point. */
static void
number_text(char *out, size_t len, double v)
{
	snprintf(out, len, "%.17g", v);
}

static int
bad_type(const struct config *c, const char *key, const char *want, char *err,
    size_t errlen)
{
	snprintf(err, errlen, "%s: key \"%s\": expected %s", c->path, key, want);
	return -1;
}

/* "N" or "N:SD" from key and key_sd. */
static int
mean_sd(struct config *c, const cJSON *root, const cJSON *v, const char *option,
    char *err, size_t errlen)
{
	char sdkey[64], text[64];
	const cJSON *sd;

	if (!cJSON_IsNumber(v))
		return bad_type(c, v->string, "a number", err, errlen);
	snprintf(sdkey, sizeof sdkey, "%s_sd", v->string);
	sd = cJSON_GetObjectItemCaseSensitive(root, sdkey);
	if (sd != NULL && !cJSON_IsNull(sd) && !cJSON_IsNumber(sd))
		return bad_type(c, sdkey, "a number", err, errlen);
	if (cJSON_IsNumber(sd) && sd->valuedouble > 0)
		snprintf(text, sizeof text, "%.17g:%.17g", v->valuedouble, sd->valuedouble);
	else
		number_text(text, sizeof text, v->valuedouble);
	add(c, option, text, v->string);
	return 0;
}

/* {"ttft":0.5,"tpot":0.05} as --slo takes it: "ttft:0.5s,tpot:0.05s". */
static int
slo_text(struct config *c, const cJSON *v, char *err, size_t errlen)
{
	const cJSON *m;
	struct buf b;

	if (!cJSON_IsObject(v))
		return bad_type(c, "slo", "an object of seconds by metric", err, errlen);
	buf_init(&b);
	cJSON_ArrayForEach(m, v) {
		if (!cJSON_IsNumber(m)) {
			buf_free(&b);
			return bad_type(c, "slo", "an object of seconds by metric", err,
			    errlen);
		}
		buf_printf(&b, "%s%s:%.17gs", b.len ? "," : "", m->string, m->valuedouble);
	}
	if (b.len > 0)
		add(c, "slo", b.p, "slo");
	buf_free(&b);
	return 0;
}

/* Any other key: the option of its name (_ for -), its value as text: an
 * array of strings is the option repeated, one of numbers a list. */
static int
generic(struct config *c, const cJSON *v, const char *option,
    config_arg_kind kind, char *err, size_t errlen)
{
	char text[64], *s;
	const cJSON *x;
	int k = kind(option);

	if (k < 0) {
		snprintf(err, errlen, "%s: unknown key \"%s\" (the keys of a run "
		    "record's config, as ttftop run's options: clients, rates, "
		    "stage_duration, prompt, max_tokens, body, ...)", c->path, v->string);
		return -1;
	}
	if (cJSON_IsNull(v))
		return 0;
	if (k == 0) {
		if (!cJSON_IsBool(v))
			return bad_type(c, v->string, "true or false", err, errlen);
		if (cJSON_IsTrue(v))
			add(c, option, NULL, v->string);
		return 0;
	}
	if (cJSON_IsString(v))
		add(c, option, v->valuestring, v->string);
	else if (cJSON_IsNumber(v)) {
		number_text(text, sizeof text, v->valuedouble);
		add(c, option, text, v->string);
	} else if (cJSON_IsObject(v)) {
		s = cJSON_PrintUnformatted(v);
		add(c, option, s, v->string);
		free(s);
	} else if (cJSON_IsArray(v) && cJSON_GetArraySize(v) > 0 &&
	    cJSON_IsString(cJSON_GetArrayItem(v, 0))) {
		cJSON_ArrayForEach(x, v) {
			if (!cJSON_IsString(x))
				return bad_type(c, v->string, "an array of strings", err,
				    errlen);
			add(c, option, x->valuestring, v->string);
		}
	} else if (cJSON_IsArray(v)) {
		struct buf b;

		buf_init(&b);
		cJSON_ArrayForEach(x, v) {
			if (!cJSON_IsNumber(x)) {
				buf_free(&b);
				return bad_type(c, v->string, "an array of numbers", err,
				    errlen);
			}
			number_text(text, sizeof text, x->valuedouble);
			buf_printf(&b, "%s%s", b.len ? "," : "", text);
		}
		if (b.len > 0)
			add(c, option, b.p, v->string);
		buf_free(&b);
	} else
		return bad_type(c, v->string, "a string, number, list or object", err,
		    errlen);
	return 0;
}

static int
read_config(struct config *c, const cJSON *root, bool rerun,
    config_arg_kind kind, char *err, size_t errlen)
{
	const cJSON *v, *ramp = cJSON_GetObjectItemCaseSensitive(root, "rate_ramp_to");
	char option[64], text[160];
	size_t i;

	if (!cJSON_IsObject(root)) {
		snprintf(err, errlen, "%s: not a JSON object of settings", c->path);
		return -1;
	}
	cJSON_ArrayForEach(v, root) {
		const char *k = v->string;

		if (strcmp(k, "api_key") == 0 || strcmp(k, "nprompts") == 0 ||
		    strcmp(k, "input_tokens_sd") == 0 || strcmp(k, "max_tokens_sd") == 0 ||
		    strcmp(k, "turns_sd") == 0 ||
		    strcmp(k, "arrival_shape") == 0 || strcmp(k, "rate_ramp_to") == 0 ||
		    (rerun && strcmp(k, "seed") == 0))
			continue;	/* secrets, facts, or read with another key */
		if (strcmp(k, "url") == 0 || strcmp(k, "endpoint") == 0) {
			if (!cJSON_IsString(v))
				return bad_type(c, k, "a URL", err, errlen);
			free(c->url);
			c->url = xstrdup(v->valuestring);
		} else if (strcmp(k, "slo") == 0) {
			if (slo_text(c, v, err, errlen) != 0)
				return -1;
		} else if (strcmp(k, "input_tokens") == 0 || strcmp(k, "max_tokens") == 0 ||
		    strcmp(k, "turns") == 0) {
			if (!cJSON_IsNull(v) && mean_sd(c, root, v, strcmp(k,
			    "max_tokens") == 0 ? "max-tokens" : strcmp(k, "turns") == 0 ?
			    "turns" : "input-tokens", err, errlen) != 0)
				return -1;
		} else if (strcmp(k, "arrival") == 0 && cJSON_IsString(v) &&
		    strcmp(v->valuestring, "gamma") == 0) {
			const cJSON *shape = cJSON_GetObjectItemCaseSensitive(root,
			    "arrival_shape");

			if (!cJSON_IsNumber(shape))
				return bad_type(c, "arrival_shape", "a number (gamma's)", err,
				    errlen);
			snprintf(text, sizeof text, "gamma:%.17g", shape->valuedouble);
			add(c, "arrival", text, k);
		} else if (ramp != NULL && !cJSON_IsNull(ramp) && (strcmp(k, "rates") ==
		    0 || strcmp(k, "stage_duration") == 0)) {
			const cJSON *r = cJSON_GetObjectItemCaseSensitive(root, "rates");
			const cJSON *d = cJSON_GetObjectItemCaseSensitive(root,
			    "stage_duration");

			if (strcmp(k, "stage_duration") == 0)
				continue;	/* with the rates */
			if (!cJSON_IsArray(r) || !cJSON_IsNumber(cJSON_GetArrayItem(r, 0)) ||
			    !cJSON_IsNumber(ramp) || !cJSON_IsNumber(d))
				return bad_type(c, "rate_ramp_to", "a number, with rates [F] "
				    "and stage_duration", err, errlen);
			snprintf(text, sizeof text, "%.17g:%.17g:%.17gs",
			    cJSON_GetArrayItem(r, 0)->valuedouble, ramp->valuedouble,
			    d->valuedouble);
			add(c, "rate-ramp", text, "rate_ramp_to");
		} else if (strcmp(k, "headers") == 0) {
			const cJSON *h;

			if (!cJSON_IsArray(v))
				return bad_type(c, k, "an array of \"Name: value\"", err, errlen);
			cJSON_ArrayForEach(h, v) {
				if (!cJSON_IsString(h))
					return bad_type(c, k, "an array of \"Name: value\"", err,
					    errlen);
				if (strstr(h->valuestring, "***") != NULL) {
					/* saved redacted: its secret is not in the file */
					fprintf(stderr, "ttftop: %s: header %.*s was saved "
					    "without its value: give it again with -H\n", c->path,
					    (int)strcspn(h->valuestring, ":"), h->valuestring);
					continue;
				}
				add(c, "header", h->valuestring, k);
			}
		} else {
			snprintf(option, sizeof option, "%s", strcmp(k, "rates") == 0 ?
			    "rate" : k);
			for (i = 0; option[i] != '\0'; i++)
				if (option[i] == '_')
					option[i] = '-';
			if (generic(c, v, option, kind, err, errlen) != 0)
				return -1;
		}
	}
	return 0;
}

/* The line and column of the byte at where in text. */
static void
where(const char *text, const char *at, long *line, long *col)
{
	const char *p;

	*line = 1;
	*col = 1;
	for (p = text; p < at && *p != '\0'; p++) {
		if (*p == '\n') {
			(*line)++;
			*col = 1;
		} else
			(*col)++;
	}
}

static char *
read_all(const char *path, bool first_line, char *err, size_t errlen)
{
	gzFile f = gzopen(path, "rb");
	struct buf b;
	char chunk[65536];
	int n;

	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot be read", path);
		return NULL;
	}
	buf_init(&b);
	while ((n = gzread(f, chunk, sizeof chunk)) > 0) {
		buf_add(&b, chunk, (size_t)n);
		if ((first_line && memchr(chunk, '\n', (size_t)n) != NULL) ||
		    b.len > LINE_MAX_BYTES)
			break;
	}
	gzclose(f);
	if (n < 0 || b.len > LINE_MAX_BYTES) {
		snprintf(err, errlen, "%s: %s", path, n < 0 ? "cannot be read" :
		    "too long a settings record");
		buf_free(&b);
		return NULL;
	}
	buf_addc(&b, '\0');
	if (first_line)
		b.p[strcspn(b.p, "\n")] = '\0';
	return b.p;
}

int
config_load(struct config *c, const char *path, bool rerun,
    config_arg_kind kind, char *err, size_t errlen)
{
	const char *end = NULL;
	const cJSON *conf, *target, *v;
	cJSON *root;
	char *text;
	long line, col;
	int rc;

	memset(c, 0, sizeof *c);
	c->path = path;
	if ((text = read_all(path, rerun, err, errlen)) == NULL)
		return -1;
	root = cJSON_ParseWithOpts(text, &end, 0);
	if (root == NULL) {
		where(text, end != NULL ? end : text, &line, &col);
		snprintf(err, errlen, "%s:%ld:%ld: not JSON", path, rerun ? 1 : line, col);
		free(text);
		return -1;
	}
	free(text);
	if (!rerun) {
		rc = read_config(c, root, false, kind, err, errlen);
		cJSON_Delete(root);
		return rc;
	}
	/* a saved run: its first record holds its target and its config */
	v = cJSON_GetObjectItemCaseSensitive(root, "type");
	conf = cJSON_GetObjectItemCaseSensitive(root, "config");
	target = cJSON_GetObjectItemCaseSensitive(root, "target");
	if (!cJSON_IsString(v) || strcmp(v->valuestring, "run") != 0 ||
	    !cJSON_IsObject(conf) || !cJSON_IsObject(target)) {
		snprintf(err, errlen, "%s:1: not a run saved by ttftop (its first "
		    "record holds no config)", path);
		cJSON_Delete(root);
		return -1;
	}
	v = cJSON_GetObjectItemCaseSensitive(target, "api");
	if (cJSON_IsString(v))
		add(c, "api", v->valuestring, "target.api");
	v = cJSON_GetObjectItemCaseSensitive(target, "model");
	if (cJSON_IsString(v))
		add(c, "model", v->valuestring, "target.model");
	rc = read_config(c, conf, true, kind, err, errlen);
	/* the URL as the user gave it: the endpoint is made of it again */
	v = cJSON_GetObjectItemCaseSensitive(target, "url");
	if (rc == 0 && cJSON_IsString(v)) {
		free(c->url);
		c->url = xstrdup(v->valuestring);
	}
	cJSON_Delete(root);
	return rc;
}
