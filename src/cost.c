#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "stats.h"

int
price_parse(const char *s, struct price *p, char *err, size_t errlen)
{
	char buf[128], *item, *save = NULL, *end;
	bool in = false, out = false, hour = false, replicas = false;

	memset(p, 0, sizeof *p);
	p->replicas = 1;
	if (strlen(s) >= sizeof buf) {
		snprintf(err, errlen, "--price: too long");
		return -1;
	}
	snprintf(buf, sizeof buf, "%s", s);
	for (item = strtok_r(buf, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(item, ':');
		double v;

		if (colon == NULL) {
			snprintf(err, errlen, "--price: '%s' is not UNIT:DOLLARS (in:0.5,"
			    "out:1.5 or hour:4.1,replicas:2)", item);
			return -1;
		}
		*colon++ = '\0';
		v = strtod(colon, &end);
		if (end == colon || *end != '\0' || !isfinite(v) || v < 0) {
			snprintf(err, errlen, "--price: %s: '%s' is not a number of "
			    "dollars", item, colon);
			return -1;
		}
		if (strcmp(item, "in") == 0) {
			p->in = v;
			in = true;
		} else if (strcmp(item, "out") == 0) {
			p->out = v;
			out = true;
		} else if (strcmp(item, "hour") == 0) {
			p->hour = v;
			hour = true;
		} else if (strcmp(item, "replicas") == 0) {
			if (v < 1 || v > 100000 || v != floor(v)) {
				snprintf(err, errlen, "--price: replicas: '%s' is not a "
				    "whole number of 1 or more", colon);
				return -1;
			}
			p->replicas = (int)v;
			replicas = true;
		} else {
			snprintf(err, errlen, "--price: unknown unit '%s' (in, out: $ per "
			    "1M tokens; hour, replicas: an instance)", item);
			return -1;
		}
	}
	if (hour == (in || out) || (replicas && !hour)) {
		snprintf(err, errlen, "--price: give in:$,out:$ (per 1M tokens) or "
		    "hour:$[,replicas:N], one of them");
		return -1;
	}
	p->hourly = hour;
	p->set = true;
	return 0;
}

void
price_text(char *out, size_t len, const struct price *p)
{
	if (p->hourly)
		snprintf(out, len, "hour:%.10g,replicas:%d", p->hour, p->replicas);
	else
		snprintf(out, len, "in:%.10g,out:%.10g", p->in, p->out);
}

void
cost_of(const struct price *p, const struct stage_stats *st, usec_t end,
    struct cost *c)
{
	usec_t e = st->end != USEC_NONE ? st->end : end;
	double secs = usec_to_sec(e - st->start), done = (double)(st->requests -
	    st->errors), dollars;

	c->per_mtok_out = c->per_request = c->per_hour = NAN;
	c->input_unknown = p->hourly ? 0 : st->input_unknown;
	c->from_chunks = st->from_chunks;
	if (!p->set || secs <= 0)
		return;
	if (p->hourly) {
		double tok_s = stats_tok_rate(st, end), req_s = stats_req_rate(st, end);

		c->per_hour = p->hour * p->replicas;
		if (tok_s > 0)
			c->per_mtok_out = c->per_hour / (tok_s * 3600) * 1e6;
		if (req_s > 0)
			c->per_request = c->per_hour / 3600 / req_s;
		return;
	}
	/* what the stage's successful requests were billed */
	dollars = ((double)st->input_tokens * p->in + (double)st->output_tokens *
	    p->out) / 1e6;
	if (st->output_tokens > 0)
		c->per_mtok_out = dollars / (double)st->output_tokens * 1e6;
	if (done > 0)
		c->per_request = dollars / done;
	c->per_hour = dollars / secs * 3600;
}
