#include "config.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "assert.h"
#include "jsonl.h"
#include "redact.h"
#include "run_opts.h"
#include "proto/proto.h"
#include "xalloc.h"


static void
add_time_or_null(struct buf *b, usec_t u)
{
	if (u == USEC_NONE)
		buf_adds(b, "null");
	else
		buf_add_usec(b, u);
}

static void
add_slo(struct buf *b, const struct slo *slo)
{
	const char *sep = "";
	int m;

	buf_adds(b, ",\"slo\":{");
	for (m = 0; m < SLO_COUNT; m++) {
		if (slo->limit[m] <= 0)
			continue;
		buf_printf(b, "%s\"%s\":", sep, slo_name((enum slo_metric)m));
		buf_add_usec(b, slo->limit[m]);
		sep = ",";
	}
	buf_addc(b, '}');
}

static void
add_rate(struct buf *b, const char *key, double rate)
{
	if (isnan(rate))
		buf_printf(b, ",\"%s\":null", key);
	else
		buf_printf(b, ",\"%s\":%.6g", key, rate);
}

void
jsonl_run(struct buf *b, const struct run_info *ri, const struct run_opts *o)
{
	int i;

	buf_printf(b, "{\"type\":\"run\",\"schema\":%d,\"tool\":", JSONL_SCHEMA);
	buf_add_json_string(b, ri->tool);
	buf_adds(b, ",\"started\":");
	buf_add_json_string(b, ri->started);
	char *shown;

	buf_printf(b, ",\"mono0\":%.6f,\"target\":{\"url\":", ri->mono0);
	shown = redact_url(ri->url);	/* the run's ri is, already: a caller's may not be */
	buf_add_json_string(b, shown);
	free(shown);
	buf_adds(b, ",\"api\":");
	buf_add_json_string(b, ri->api);
	buf_adds(b, ",\"model\":");
	if (ri->model != NULL)
		buf_add_json_string(b, ri->model);
	else
		buf_adds(b, "null");
	buf_adds(b, "},\"config\":{\"endpoint\":");
	shown = redact_url(o->endpoint);
	buf_add_json_string(b, shown);
	free(shown);
	if (o->open_loop) {
		buf_adds(b, ",\"rates\":[");
		for (i = 0; o->rates != NULL && i < o->nstages; i++)
			buf_printf(b, "%s%.6g", i ? "," : "", o->rates[i]);
		buf_addc(b, ']');
		if (o->ramp)
			buf_printf(b, ",\"rate_ramp_to\":%.6g", o->ramp_to);
		if (o->schedule_file != NULL) {
			buf_adds(b, ",\"schedule\":");
			buf_add_json_string(b, o->schedule_file);
			buf_printf(b, ",\"schedule_format\":\"%s\",\"time_scale\":%.6g",
			    sched_format_name(o->sched_format), o->time_scale);
			if (o->sched_req != NULL)
				buf_printf(b, ",\"hash_block\":%ld", o->hash_block);
		}
		buf_printf(b, ",\"arrival\":\"%s\"", arrival_name(o->arrival));
		if (o->arrival == ARRIVAL_GAMMA)
			buf_printf(b, ",\"arrival_shape\":%.6g", o->arrival_shape);
		if (o->max_concurrency > 0)
			buf_printf(b, ",\"max_concurrency\":%ld", o->max_concurrency);
	} else {
		buf_adds(b, ",\"clients\":[");
		for (i = 0; i < o->nstages; i++)
			buf_printf(b, "%s%d", i ? "," : "", o->clients[i]);
		buf_addc(b, ']');
	}
	buf_adds(b, ",\"stage_duration\":");
	add_time_or_null(b, o->stage_duration > 0 ? o->stage_duration : USEC_NONE);
	if (o->requests > 0)
		buf_printf(b, ",\"requests\":%ld", o->requests);
	else
		buf_adds(b, ",\"requests\":null");
	if (o->prompts_file != NULL) {
		buf_adds(b, ",\"prompts\":");
		buf_add_json_string(b, o->prompts_file);
		buf_printf(b, ",\"nprompts\":%zu", o->nprompts);
	} else if (o->input_tokens > 0)
		buf_printf(b, ",\"input_tokens\":%ld,\"input_tokens_sd\":%ld",
		    o->input_tokens, o->input_tokens_sd);
	else if (o->prompt != NULL) {
		buf_adds(b, ",\"prompt\":");
		buf_add_json_string(b, o->prompt);
	}
	if (o->shuffle)
		buf_adds(b, ",\"shuffle\":true");
	if (o->sessions) {
		buf_printf(b, ",\"turns\":%ld,\"turns_sd\":%ld,\"think\":", o->turns,
		    o->turns_sd);
		buf_add_usec(b, o->think);
	}
	if (o->max_tokens > 0)
		buf_printf(b, ",\"max_tokens\":%ld,\"max_tokens_sd\":%ld",
		    o->max_tokens, o->max_tokens_sd);
	else
		buf_adds(b, ",\"max_tokens\":null");
	if (o->body_extra != NULL) {
		buf_adds(b, ",\"body\":");
		shown = redact_json_text(o->body_extra); /* checked: an object */
		buf_adds(b, shown);
		free(shown);
	}
	if (o->warmup > 0) {
		buf_adds(b, ",\"warmup\":");
		buf_add_usec(b, o->warmup);
	}
	if (slo_any(&o->slo))
		add_slo(b, &o->slo);
	buf_adds(b, o->transport == TRANSPORT_CURL ? ",\"transport\":\"curl\"" :
	    ",\"transport\":\"direct\"");
	buf_adds(b, ",\"timeout\":");
	add_time_or_null(b, o->timeout > 0 ? o->timeout : USEC_NONE);
	if (o->insecure)
		buf_adds(b, ",\"insecure\":true");
	if (o->cacert != NULL) {
		buf_adds(b, ",\"cacert\":");
		buf_add_json_string(b, o->cacert);
	}
	if (o->no_server_metrics)
		buf_adds(b, ",\"server_metrics\":\"none\"");
	else if (o->nserver_metrics > 0) {
		buf_adds(b, ",\"server_metrics\":[");
		for (i = 0; i < o->nserver_metrics; i++) {
			shown = redact_url(o->server_metrics[i]);
			if (i)
				buf_addc(b, ',');
			buf_add_json_string(b, shown);
			free(shown);
		}
		buf_addc(b, ']');
	}
	if (o->price.set) {
		char text[96];

		price_text(text, sizeof text, &o->price);
		buf_adds(b, ",\"price\":");
		buf_add_json_string(b, text);
	}
	if (o->asserts.n > 0) {
		buf_adds(b, ",\"assert\":[");
		for (i = 0; i < o->asserts.n; i++) {
			if (i)
				buf_addc(b, ',');
			buf_add_json_string(b, o->asserts.v[i].text);
		}
		buf_addc(b, ']');
	}
	if (o->nserver_keep > 0) {
		buf_adds(b, ",\"server_metric\":[");
		for (i = 0; i < o->nserver_keep; i++) {
			if (i)
				buf_addc(b, ',');
			buf_add_json_string(b, o->server_keep_src[i]);
		}
		buf_addc(b, ']');
	}
	buf_adds(b, ",\"headers\":[");
	for (i = 0; i < o->nheaders; i++) {
		const char *h = o->headers[i];

		if (i)
			buf_addc(b, ',');
		shown = redact_header(h);
		buf_add_json_string(b, shown);
		free(shown);
	}
	buf_printf(b, "],\"api_key\":%s,\"seed\":%lu}}\n",
	    o->api_key != NULL ? "\"" REDACTED "\"" : "null", o->seed);
}

void
jsonl_sample(struct buf *b, const struct sample *s)
{
	size_t i;

	buf_reserve(b, 256 + s->nchunks * 12);
	buf_printf(b, "{\"type\":\"request\",\"id\":%ld,\"stage\":%d,", s->id,
	    s->stage);
	if (s->segment > 1)
		buf_printf(b, "\"segment\":%d,", s->segment);
	if (s->client >= 0)
		buf_printf(b, "\"client\":%d,", s->client);
	if (s->session > 0)
		buf_printf(b, "\"session\":%ld,\"turn\":%d,", s->session, s->turn);
	buf_adds(b, "\"t\":");
	buf_add_usec(b, s->t);
	if (s->scheduled != USEC_NONE) {
		buf_adds(b, ",\"scheduled\":");
		buf_add_usec(b, s->scheduled);
		buf_adds(b, ",\"queued\":");
		buf_add_usec(b, s->t - s->scheduled);
		buf_adds(b, ",\"late\":");
		buf_add_usec(b, s->late);
	}
	buf_adds(b, ",\"ttfb\":");
	add_time_or_null(b, s->ttfb);
	buf_adds(b, ",\"ttft\":");
	add_time_or_null(b, s->ttft);
	buf_adds(b, ",\"ttlt\":");
	add_time_or_null(b, s->ttlt);
	buf_adds(b, ",\"ttst\":");		/* for readers: chunks[1] */
	add_time_or_null(b, sample_ttst(s));
	buf_adds(b, ",\"ttfo\":");
	add_time_or_null(b, s->ttfo);
	buf_printf(b, ",\"output_tokens\":%ld,\"input_tokens\":", s->output_tokens);
	if (s->input_tokens >= 0)
		buf_printf(b, "%ld", s->input_tokens);
	else
		buf_adds(b, "null");
	buf_printf(b, ",\"tokens_from\":\"%s\",",
	    s->tokens_from == TOKENS_FROM_USAGE ? "usage" : "chunks");
	if (s->reasoning_tokens >= 0)
		buf_printf(b, "\"reasoning_tokens\":%ld,\"reasoning_from\":\"%s\",",
		    s->reasoning_tokens, s->reasoning_from == TOKENS_FROM_USAGE ?
		    "usage" : "chunks");
	if (s->max_tokens > 0)
		buf_printf(b, "\"max_tokens\":%ld,", s->max_tokens);
	buf_adds(b, "\"finish_reason\":");
	if (s->finish_reason[0] != '\0')
		buf_add_json_string(b, s->finish_reason);
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"chunks\":[");
	for (i = 0; i < s->nchunks; i++) {
		if (i)
			buf_addc(b, ',');
		buf_add_usec(b, s->chunks[i]);
	}
	buf_printf(b, "],\"status\":%d,\"error\":", s->status);
	if (s->error == ERR_NONE)
		buf_adds(b, "null");
	else {
		buf_printf(b, "{\"kind\":\"%s\",\"detail\":", err_kind_name(s->error));
		buf_add_json_string(b, s->detail);
		buf_addc(b, '}');
	}
	buf_printf(b, ",\"warmup\":%s,", s->warmup ? "true" : "false");
	if (s->preflight)
		buf_adds(b, "\"preflight\":true,");
	if (s->backoff > 0) {
		buf_adds(b, "\"backoff\":");
		buf_add_usec(b, s->backoff);
		buf_addc(b, ',');
	}
	buf_adds(b, "\"lag\":");
	buf_add_usec(b, s->lag_max);
	if (s->phases.sent != USEC_NONE) {
		buf_adds(b, ",\"phases\":{\"dns\":");
		add_time_or_null(b, s->phases.dns);
		buf_adds(b, ",\"connect\":");
		add_time_or_null(b, s->phases.connect);
		buf_adds(b, ",\"tls\":");
		add_time_or_null(b, s->phases.tls);
		buf_adds(b, ",\"sent\":");
		add_time_or_null(b, s->phases.sent);
		buf_addc(b, '}');
	}
	buf_adds(b, "}\n");
}

void
jsonl_event(struct buf *b, const struct event *e)
{
	if (e->kind == EV_STAGE) {
		buf_adds(b, "{\"type\":\"stage\",\"t\":");
		buf_add_usec(b, e->t);
		buf_printf(b, ",\"stage\":%d", e->stage);
		if (e->segment > 1)
			buf_printf(b, ",\"segment\":%d", e->segment);
		if (e->open_loop) {
			add_rate(b, "rate", e->rate);
			if (!isnan(e->rate_to))
				add_rate(b, "rate_to", e->rate_to);
		} else
			buf_printf(b, ",\"clients\":%d", e->clients);
		if (e->by_key)
			buf_adds(b, ",\"by\":\"key\"");
		buf_adds(b, "}\n");
		return;
	}
	buf_adds(b, "{\"type\":\"control\",\"t\":");
	buf_add_usec(b, e->t);
	buf_printf(b, ",\"action\":\"%s\"", control_action_name(e->action));
	if (e->action == CTL_SET_CLIENTS)
		buf_printf(b, ",\"clients\":%d", e->clients);
	if (e->action == CTL_SET_RATE)
		add_rate(b, "rate", e->rate);
	if (e->action == CTL_NEXT_STAGE)
		buf_printf(b, ",\"stage\":%d", e->stage);
	if (e->text != NULL) {
		buf_adds(b, ",\"text\":");
		buf_add_json_string(b, e->text);
	}
	buf_adds(b, "}\n");
}

void
jsonl_end(struct buf *b, const struct end_info *e)
{
	buf_adds(b, "{\"type\":\"end\",\"t\":");
	buf_add_usec(b, e->t);
	buf_printf(b, ",\"reason\":\"%s\",\"requests\":%ld,\"errors\":%ld,"
	    "\"cpu_s\":%.3f", end_reason_name(e->reason), e->requests, e->errors,
	    e->cpu_s);
	if (e->canceled > 0)
		buf_printf(b, ",\"canceled\":%ld", e->canceled);
	if (e->unsent > 0)
		buf_printf(b, ",\"unsent\":%ld", e->unsent);
	if (e->detail != NULL) {
		buf_adds(b, ",\"detail\":");
		buf_add_json_string(b, e->detail);
	}
	if (!isnan(e->lag_p99)) {
		buf_printf(b, ",\"overloaded\":%s,\"cpu_share\":",
		    e->overloaded ? "true" : "false");
		if (isnan(e->cpu_share))
			buf_adds(b, "null");	/* too short a run to judge */
		else
			buf_printf(b, "%.3f", e->cpu_share);
		buf_printf(b, ",\"lag_p99\":%.6f", e->lag_p99);
		if (!isnan(e->late_p99))
			buf_printf(b, ",\"late_p99\":%.6f", e->late_p99);
		if (!isnan(e->read_delay_p99))
			buf_printf(b, ",\"read_delay_p99\":%.6f", e->read_delay_p99);
	}
	if (e->slo != NULL) {
		int i, m;

		add_slo(b, e->slo);
		buf_adds(b, ",\"goodput\":[");
		for (i = 0; i < e->ngoodput; i++) {
			const struct goodput *g = &e->goodput[i];

			buf_printf(b, "%s{\"stage\":%d,", i ? "," : "", g->stage);
			if (g->segment > 0)
				buf_printf(b, "\"segment\":%d,", g->segment);
			buf_printf(b, "\"req_s\":%.3f,\"requests\":%ld,\"met\":%ld",
			    g->req_s, g->total, g->met);
			for (m = 0; m < SLO_COUNT; m++)
				if (e->slo->limit[m] > 0)
					buf_printf(b, ",\"%s_met\":%ld",
					    slo_name((enum slo_metric)m), g->met_by[m]);
			buf_addc(b, '}');
		}
		buf_addc(b, ']');
	}
	if (e->nasserts > 0) {
		int i;

		buf_adds(b, ",\"asserts\":[");
		for (i = 0; i < e->nasserts; i++) {
			const struct assert_result *r = &e->asserts[i];

			buf_adds(b, i ? ",{\"assert\":" : "{\"assert\":");
			buf_add_json_string(b, r->a->text);
			if (isnan(r->value))
				buf_adds(b, ",\"value\":null");
			else
				buf_printf(b, ",\"value\":%.6g", r->value);
			buf_printf(b, ",\"pass\":%s}", r->pass ? "true" : "false");
		}
		buf_addc(b, ']');
	}
	buf_adds(b, "}\n");
}

/* Decoding */

/* What a file may say, so that a hostile or broken one is refused with its
 * line instead of sizing memory: times are seconds of a run of at most 30
 * days (the per-second figures take memory per second of the run), counts
 * are whole numbers in a range each. */
#define SECONDS_MAX	JSONL_SECONDS_MAX
#define COUNT_MAX	1000000000000000L	/* ids, requests: below 2^53 */
#define STAGES_MAX	100000L
#define SEGMENTS_MAX	1000000L
#define CLIENTS_MAX	10000000L
#define TOKENS_MAX	1000000000L
#define STATUS_MAX	999L
#define TURNS_MAX	1000000L
#define RATE_MAX	1e9		/* requests/s */

static bool
seconds_ok(double v)
{
	return isfinite(v) && fabs(v) <= SECONDS_MAX;
}

static int
get_time(const cJSON *o, const char *key, bool nullable, usec_t *out,
    char *err, size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (nullable && (v == NULL || cJSON_IsNull(v))) {
		*out = USEC_NONE;
		return 0;
	}
	if (!cJSON_IsNumber(v) || !seconds_ok(v->valuedouble)) {
		snprintf(err, errlen, "\"%s\" must be a number of seconds of at "
		    "most %.0f (30 days)", key, SECONDS_MAX);
		return -1;
	}
	*out = (usec_t)llround(v->valuedouble * USEC_PER_SEC);
	return 0;
}

/* A whole number from min to max; dflt when absent or null, LONG_MIN:
 * required. */
static int
get_count(const cJSON *o, const char *key, long dflt, long min, long max,
    long *out, char *err, size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (v == NULL || cJSON_IsNull(v)) {
		if (dflt == LONG_MIN) {
			snprintf(err, errlen, "\"%s\" is missing", key);
			return -1;
		}
		*out = dflt;
		return 0;
	}
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= (double)min &&
	    v->valuedouble <= (double)max) || v->valuedouble != floor(v->valuedouble)) {
		snprintf(err, errlen, "\"%s\" must be a whole number from %ld to "
		    "%ld", key, min, max);
		return -1;
	}
	*out = (long)v->valuedouble;
	return 0;
}

/* A rate, or NAN when absent or null; -1 when it is not one. */
static int
get_rate_checked(const cJSON *o, const char *key, double *out, char *err,
    size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	*out = NAN;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 &&
	    v->valuedouble <= RATE_MAX)) {
		snprintf(err, errlen, "\"%s\" must be a rate from 0 to %.0f "
		    "requests/s", key, RATE_MAX);
		return -1;
	}
	*out = v->valuedouble;
	return 0;
}

/* A rate, or NAN when absent or null (a schedule). */
static double
get_rate(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static char *
dup_string(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? xstrdup(v->valuestring) : NULL;
}

/* A saved config as it may be shown: its endpoint, headers and body fields
 * redacted (files of earlier versions kept them). */
static void
redact_config(cJSON *config)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(config, "endpoint"), *h;

	if (cJSON_IsString(v)) {
		char *shown = redact_url(v->valuestring);

		cJSON_SetValuestring(v, shown);
		free(shown);
	}
	cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(config, "headers"))
		if (cJSON_IsString(h)) {
			char *shown = redact_header(h->valuestring);

			cJSON_SetValuestring(h, shown);
			free(shown);
		}
	v = cJSON_GetObjectItemCaseSensitive(config, "body");
	if (cJSON_IsObject(v))
		redact_json(v);
}

static int
decode_run(const cJSON *root, struct run_info *ri, char *err, size_t errlen)
{
	const cJSON *target, *config, *clients, *rates, *slo, *price, *mono0;
	long schema;
	int m;

	if (get_count(root, "schema", LONG_MIN, 0, 1000000, &schema, err, errlen) != 0)
		return -1;
	if (schema > JSONL_SCHEMA) {
		snprintf(err, errlen, "schema %ld is newer than this ttftop reads "
		    "(%d): upgrade ttftop", schema, JSONL_SCHEMA);
		return -1;
	}
	ri->schema = (int)schema;
	ri->tool = dup_string(root, "tool");
	ri->started = dup_string(root, "started");
	mono0 = cJSON_GetObjectItemCaseSensitive(root, "mono0");
	ri->mono0 = cJSON_IsNumber(mono0) ? mono0->valuedouble : 0;
	target = cJSON_GetObjectItemCaseSensitive(root, "target");
	/* a file written before redaction, or by hand: kept out of what is shown */
	{
		char *raw = dup_string(target, "url");

		ri->url = redact_url(raw);
		free(raw);
	}
	ri->api = dup_string(target, "api");
	ri->model = dup_string(target, "model");
	config = cJSON_GetObjectItemCaseSensitive(root, "config");
	if (cJSON_IsObject(config)) {
		char *text;

		redact_config((cJSON *)config);
		text = cJSON_PrintUnformatted(config);

		ri->config = text != NULL ? xstrdup(text) : NULL;
		cJSON_free(text);
	}
	clients = cJSON_GetObjectItemCaseSensitive(config, "clients");
	rates = cJSON_GetObjectItemCaseSensitive(config, "rates");
	ri->open_loop = cJSON_IsArray(rates);
	ri->nstages = cJSON_GetArraySize(ri->open_loop ? rates : clients);
	if (ri->nstages > STAGES_MAX) {
		snprintf(err, errlen, "config holds %d stages: at most %ld", ri->nstages,
		    STAGES_MAX);
		return -1;
	}
	slo = cJSON_GetObjectItemCaseSensitive(config, "slo");
	for (m = 0; m < SLO_COUNT; m++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(slo,
		    slo_name((enum slo_metric)m));

		if (cJSON_IsNumber(v) && v->valuedouble > 0 && seconds_ok(v->valuedouble))
			ri->slo.limit[m] = (usec_t)llround(v->valuedouble * USEC_PER_SEC);
	}
	price = cJSON_GetObjectItemCaseSensitive(config, "price");
	if (cJSON_IsString(price) && price_parse(price->valuestring, &ri->price,
	    err, errlen) != 0)
		return -1;
	if (ri->url == NULL || ri->api == NULL || ri->started == NULL) {
		snprintf(err, errlen, "run record lacks target.url, target.api or started");
		return -1;
	}
	return 0;
}

/* A request line is mostly its chunk times. They are read here, by hand,
 * as the writer writes them (seconds with at most six decimals: exact
 * microseconds), so that cJSON, ten times slower at numbers, reads only the
 * rest. p points after "chunks":[. Returns 0 with the times in s and *close
 * at the closing bracket, or -1 (anything else) for cJSON to read them. */
static int
fast_chunks(const char *p, const char *end, struct sample *s, const char **close)
{
	while (p < end && *p != ']') {
		usec_t whole = 0, frac = 0;
		int digits = 0, decimals = 0;
		bool neg = false;

		if (*p == '-') {
			neg = true;
			p++;
		}
		for (; p < end && *p >= '0' && *p <= '9' && digits < 12; p++, digits++)
			whole = whole * 10 + (*p - '0');
		if (digits == 0)
			return -1;
		if (p < end && *p == '.')
			for (p++; p < end && *p >= '0' && *p <= '9' && decimals < 6;
			    p++, decimals++)
				frac = frac * 10 + (*p - '0');
		for (; decimals < 6; decimals++)
			frac *= 10;
		if (p >= end || (*p != ',' && *p != ']'))
			return -1;	/* more decimals, an exponent, spaces */
		if ((double)whole > SECONDS_MAX)
			return -1;	/* cJSON's path refuses it, with the key */
		whole = whole * USEC_PER_SEC + frac;
		sample_add_chunk(s, neg ? -whole : whole);
		if (*p == ',')
			p++;
	}
	if (p >= end)
		return -1;
	*close = p;
	return 0;
}

static int
decode_sample(const cJSON *root, struct sample *s, char *err, size_t errlen)
{
	const cJSON *chunks, *c, *error, *v, *phases;
	long l;

	if (get_count(root, "id", LONG_MIN, -1, COUNT_MAX, &s->id, err, errlen) != 0 ||
	    get_count(root, "stage", LONG_MIN, 0, STAGES_MAX, &l, err, errlen) != 0)
		return -1;
	s->stage = (int)l;
	if (get_count(root, "segment", 0, 0, SEGMENTS_MAX, &l, err, errlen) != 0)
		return -1;
	s->segment = (int)l;
	if (get_count(root, "client", -1, -1, CLIENTS_MAX, &l, err, errlen) != 0)
		return -1;
	s->client = (int)l;
	if (get_count(root, "session", 0, 0, COUNT_MAX, &s->session, err,
	    errlen) != 0 ||
	    get_count(root, "turn", 0, 0, TURNS_MAX, &l, err, errlen) != 0)
		return -1;
	s->turn = (int)l;
	if (get_time(root, "t", false, &s->t, err, errlen) != 0 ||
	    get_time(root, "scheduled", true, &s->scheduled, err, errlen) != 0 ||
	    get_time(root, "late", true, &s->late, err, errlen) != 0 ||
	    get_time(root, "ttfb", true, &s->ttfb, err, errlen) != 0 ||
	    get_time(root, "ttft", true, &s->ttft, err, errlen) != 0 ||
	    get_time(root, "ttlt", true, &s->ttlt, err, errlen) != 0 ||
	    get_time(root, "ttfo", true, &s->ttfo, err, errlen) != 0 ||
	    get_count(root, "reasoning_tokens", -1, 0, TOKENS_MAX,
	    &s->reasoning_tokens, err, errlen) != 0 ||
	    get_count(root, "max_tokens", 0, 0, TOKENS_MAX, &s->max_tokens,
	    err, errlen) != 0 ||
	    get_count(root, "output_tokens", 0, 0, TOKENS_MAX,
	    &s->output_tokens, err, errlen) != 0 ||
	    get_count(root, "input_tokens", -1, -1, TOKENS_MAX,
	    &s->input_tokens, err, errlen) != 0 ||
	    get_count(root, "status", 0, 0, STATUS_MAX, &l, err, errlen) != 0)
		return -1;
	s->status = (int)l;
	v = cJSON_GetObjectItemCaseSensitive(root, "tokens_from");
	s->tokens_from = cJSON_IsString(v) && strcmp(v->valuestring, "usage") == 0 ?
	    TOKENS_FROM_USAGE : TOKENS_FROM_CHUNKS;
	v = cJSON_GetObjectItemCaseSensitive(root, "reasoning_from");
	s->reasoning_from = cJSON_IsString(v) && strcmp(v->valuestring, "usage") == 0 ?
	    TOKENS_FROM_USAGE : TOKENS_FROM_CHUNKS;
	v = cJSON_GetObjectItemCaseSensitive(root, "finish_reason");
	if (cJSON_IsString(v))
		snprintf(s->finish_reason, sizeof s->finish_reason, "%s",
		    v->valuestring);
	chunks = cJSON_GetObjectItemCaseSensitive(root, "chunks");
	if (chunks != NULL && !cJSON_IsArray(chunks)) {
		snprintf(err, errlen, "\"chunks\" must be an array");
		return -1;
	}
	cJSON_ArrayForEach(c, chunks) {
		if (!cJSON_IsNumber(c) || !seconds_ok(c->valuedouble)) {
			snprintf(err, errlen, "\"chunks\" must hold numbers of seconds of at "
			    "most %.0f (30 days)", SECONDS_MAX);
			sample_done(s);
			return -1;
		}
		sample_add_chunk(s, (usec_t)llround(c->valuedouble * USEC_PER_SEC));
	}
	error = cJSON_GetObjectItemCaseSensitive(root, "error");
	if (error != NULL && !cJSON_IsNull(error)) {
		const cJSON *kind = cJSON_GetObjectItemCaseSensitive(error, "kind");
		const cJSON *detail = cJSON_GetObjectItemCaseSensitive(error, "detail");

		if (!cJSON_IsString(kind) || err_kind_parse(kind->valuestring, &s->error) != 0) {
			snprintf(err, errlen, "unknown error kind");
			sample_done(s);
			return -1;
		}
		if (cJSON_IsString(detail))
			snprintf(s->detail, sizeof s->detail, "%s", detail->valuestring);
	}
	if (s->late == USEC_NONE)
		s->late = 0;
	s->warmup = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "warmup"));
	s->preflight = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root,
	    "preflight"));
	if (get_time(root, "lag", true, &s->lag_max, err, errlen) != 0 ||
	    ((phases = cJSON_GetObjectItemCaseSensitive(root, "phases")) != NULL &&
	    (get_time(phases, "dns", true, &s->phases.dns, err, errlen) != 0 ||
	    get_time(phases, "connect", true, &s->phases.connect, err, errlen) != 0 ||
	    get_time(phases, "tls", true, &s->phases.tls, err, errlen) != 0 ||
	    get_time(phases, "sent", true, &s->phases.sent, err, errlen) != 0))) {
		sample_done(s);
		return -1;
	}
	if (s->lag_max == USEC_NONE)
		s->lag_max = 0;
	return 0;
}

static int
decode_control(const cJSON *root, struct event *e, char *err, size_t errlen)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "action");
	long l;

	e->kind = EV_CONTROL;
	if (!cJSON_IsString(a) || control_action_parse(a->valuestring, &e->action) != 0) {
		snprintf(err, errlen, "unknown control action");
		return -1;
	}
	if (get_time(root, "t", false, &e->t, err, errlen) != 0 ||
	    get_count(root, "clients", 0, 0, CLIENTS_MAX, &l, err, errlen) != 0)
		return -1;
	e->clients = (int)l;
	if (get_rate_checked(root, "rate", &e->rate, err, errlen) != 0)
		return -1;
	e->rate_to = NAN;
	e->open_loop = cJSON_GetObjectItemCaseSensitive(root, "rate") != NULL;
	if (get_count(root, "stage", 0, 0, STAGES_MAX, &l, err, errlen) != 0)
		return -1;
	e->stage = (int)l;
	e->text = dup_string(root, "text");
	return 0;
}

static pthread_mutex_t parse_mu = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local char *rest;	/* a request line without its chunks */
static _Thread_local size_t rest_cap;

/* The first key of a whose value b does not share, the seed left out (each
 * host draws its own). */
static const char *
first_difference(const cJSON *a, const cJSON *b)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, a) {
		if (strcmp(item->string, "seed") == 0)
			continue;
		if (!cJSON_Compare(item, cJSON_GetObjectItemCaseSensitive(b,
		    item->string), true))
			return item->string;
	}
	return NULL;
}

const char *
jsonl_config_differs(const struct run_info *a, const struct run_info *b,
    char *buf, size_t len)
{
	cJSON *x, *y;
	const char *key;

	if (a->config == NULL || b->config == NULL)
		return NULL;
	if (strcmp(a->config, b->config) == 0)
		return NULL;
	pthread_mutex_lock(&parse_mu);
	x = cJSON_Parse(a->config);
	y = cJSON_Parse(b->config);
	pthread_mutex_unlock(&parse_mu);
	if ((key = first_difference(x, y)) == NULL)
		key = first_difference(y, x);
	if (key != NULL)
		snprintf(buf, len, "setting \"%s\"", key);
	cJSON_Delete(x);
	cJSON_Delete(y);
	return key != NULL ? buf : NULL;
}

void
jsonl_thread_done(void)
{
	free(rest);
	rest = NULL;
	rest_cap = 0;
}

static int
decode_server(const cJSON *root, struct server_scrape *x, char *err,
    size_t errlen)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "m"), *v;

	if (get_time(root, "t", false, &x->t, err, errlen) != 0)
		return -1;
	x->source = dup_string(root, "source");
	x->error = dup_string(root, "error");
	x->warning = dup_string(root, "warning");
	cJSON_ArrayForEach(v, m) {
		if (x->n == SERVER_SERIES)
			break;
		if (!cJSON_IsNumber(v) || strlen(v->string) >= sizeof x->names[0]) {
			snprintf(err, errlen, "a server record's \"m\" holds numbers "
			    "by short names");
			return -1;
		}
		snprintf(x->names[x->n], sizeof x->names[0], "%s", v->string);
		x->values[x->n++] = v->valuedouble;
	}
	return 0;
}

int
jsonl_decode(const char *line, size_t len, struct record *r, char *err,
    size_t errlen)
{
	cJSON *root;
	const cJSON *type, *by;
	const char *t;
	long l;
	int rc = -1;
	const char *k, *close;

	memset(r, 0, sizeof *r);
	sample_init(&r->sample);
	if (len > 32 && memcmp(line, "{\"type\":\"request\"", 17) == 0 &&
	    (k = memmem(line, len, "\"chunks\":[", 10)) != NULL) {
		k += 10;
		if (fast_chunks(k, line + len, &r->sample, &close) == 0) {
			size_t head = (size_t)(k - line), tail = len - (size_t)(close - line);

			if (head + tail > rest_cap) {
				rest_cap = head + tail + 4096;
				rest = xreallocarray(rest, rest_cap, 1);
			}
			memcpy(rest, line, head);
			memcpy(rest + head, close, tail);
			line = rest;
			len = head + tail;
		} else
			sample_done(&r->sample);	/* cJSON reads them */
	}
	/* cJSON keeps where its last parse failed in a global: one parse at a
	 * time (files are decoded on threads of their own) */
	pthread_mutex_lock(&parse_mu);
	root = cJSON_ParseWithLength(line, len);
	pthread_mutex_unlock(&parse_mu);
	if (root == NULL ||
	    !cJSON_IsObject(root)) {
		snprintf(err, errlen, "not a JSON object");
		cJSON_Delete(root);
		sample_done(&r->sample);
		return -1;
	}
	type = cJSON_GetObjectItemCaseSensitive(root, "type");
	if (!cJSON_IsString(type)) {
		snprintf(err, errlen, "record has no \"type\"");
		goto out;
	}
	t = type->valuestring;
	if (strcmp(t, "run") == 0) {
		r->type = REC_RUN;
		rc = decode_run(root, &r->run, err, errlen);
	} else if (strcmp(t, "request") == 0) {
		r->type = REC_REQUEST;
		rc = decode_sample(root, &r->sample, err, errlen);
	} else if (strcmp(t, "stage") == 0) {
		r->type = REC_STAGE;
		r->event.kind = EV_STAGE;
		rc = get_time(root, "t", false, &r->event.t, err, errlen);
		if (rc == 0 && (rc = get_count(root, "stage", LONG_MIN, 0, STAGES_MAX,
		    &l, err, errlen)) == 0)
			r->event.stage = (int)l;
		if (rc == 0 && (rc = get_count(root, "segment", 1, 0, SEGMENTS_MAX,
		    &l, err, errlen)) == 0)
			r->event.segment = (int)l;
		if (rc == 0 && (rc = get_count(root, "clients", 0, 0, CLIENTS_MAX,
		    &l, err, errlen)) == 0)
			r->event.clients = (int)l;
		by = cJSON_GetObjectItemCaseSensitive(root, "by");
		r->event.by_key = cJSON_IsString(by) && strcmp(by->valuestring,
		    "key") == 0;
		if (rc == 0)
			rc = get_rate_checked(root, "rate", &r->event.rate, err, errlen);
		if (rc == 0)
			rc = get_rate_checked(root, "rate_to", &r->event.rate_to, err,
			    errlen);
		r->event.open_loop =
		    cJSON_GetObjectItemCaseSensitive(root, "rate") != NULL;
	} else if (strcmp(t, "control") == 0) {
		r->type = REC_CONTROL;
		rc = decode_control(root, &r->event, err, errlen);
	} else if (strcmp(t, "end") == 0) {
		const cJSON *reason = cJSON_GetObjectItemCaseSensitive(root, "reason");

		r->type = REC_END;
		rc = get_time(root, "t", false, &r->end.t, err, errlen);
		if (rc == 0)
			rc = get_count(root, "requests", 0, 0, COUNT_MAX,
			    &r->end.requests, err, errlen);
		if (rc == 0)
			rc = get_count(root, "errors", 0, 0, COUNT_MAX,
			    &r->end.errors, err, errlen);
		if (rc == 0)
			rc = get_count(root, "canceled", 0, 0, COUNT_MAX,
			    &r->end.canceled, err, errlen);
		if (rc == 0)
			rc = get_count(root, "unsent", 0, 0, COUNT_MAX,
			    &r->end.unsent, err, errlen);
		r->end.cpu_share = get_rate(root, "cpu_share");
		r->end.lag_p99 = get_rate(root, "lag_p99");
		r->end.late_p99 = get_rate(root, "late_p99");
		r->end.read_delay_p99 = get_rate(root, "read_delay_p99");
		r->end.overloaded = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root,
		    "overloaded"));
		if (rc == 0) {
			const cJSON *cpu = cJSON_GetObjectItemCaseSensitive(root, "cpu_s");

			r->end.cpu_s = cJSON_IsNumber(cpu) ? cpu->valuedouble : 0;
		}
		if (rc == 0 && (!cJSON_IsString(reason) ||
		    end_reason_parse(reason->valuestring, &r->end.reason) != 0)) {
			snprintf(err, errlen, "unknown end reason");
			rc = -1;
		}
	} else if (strcmp(t, "server") == 0) {
		r->type = REC_SERVER;
		rc = decode_server(root, &r->server, err, errlen);
	} else
		rc = 1;
out:
	cJSON_Delete(root);
	if (rc == -1)
		record_free(r);
	return rc;
}

void
run_info_free(struct run_info *ri)
{
	free(ri->tool);
	free(ri->started);
	free(ri->config);
	free(ri->url);
	free(ri->api);
	free(ri->model);
	memset(ri, 0, sizeof *ri);
}

void
record_free(struct record *r)
{
	run_info_free(&r->run);
	sample_done(&r->sample);
	free((char *)r->event.text);
	r->event.text = NULL;
	free((char *)r->server.source);
	free((char *)r->server.error);
	free((char *)r->server.warning);
	r->server.source = r->server.error = r->server.warning = NULL;
}

void
jsonl_server(struct buf *b, const struct server_scrape *x)
{
	char *url = redact_url(x->source);
	int i;

	buf_adds(b, "{\"type\":\"server\",\"t\":");
	buf_add_usec(b, x->t);
	buf_adds(b, ",\"source\":");
	buf_add_json_string(b, url);
	free(url);
	if (x->error != NULL) {
		buf_adds(b, ",\"error\":");
		buf_add_json_string(b, x->error);
	} else {
		buf_adds(b, ",\"m\":{");
		for (i = 0; i < x->n; i++) {
			buf_add_json_string(b, x->names[i]);
			buf_printf(b, ":%.10g%s", isfinite(x->values[i]) ?
			    x->values[i] : 0, i + 1 < x->n ? "," : "");
		}
		buf_addc(b, '}');
		if (x->warning != NULL) {
			buf_adds(b, ",\"warning\":");
			buf_add_json_string(b, x->warning);
		}
	}
	buf_adds(b, "}\n");
}

