#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sample.h"
#include "slo.h"

static const char *const names[SLO_COUNT] = { "ttft", "tpot", "itl", "ttlt" };

const char *
slo_name(enum slo_metric m)
{
	return names[m];
}

bool
slo_any(const struct slo *s)
{
	int m;

	for (m = 0; m < SLO_COUNT; m++)
		if (s->limit[m] > 0)
			return true;
	return false;
}

int
slo_parse(const char *s, struct slo *out, char *err, size_t errlen)
{
	char item[64];
	const char *p = s;

	memset(out, 0, sizeof *out);
	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		char *colon;
		int m;

		if (n == 0 || n >= sizeof item) {
			snprintf(err, errlen, "--slo: '%s' is not a list of METRIC:LIMIT "
			    "(try ttft:500ms,tpot:50ms)", s);
			return -1;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		if ((colon = strchr(item, ':')) == NULL) {
			snprintf(err, errlen, "--slo: '%s' has no limit (try ttft:500ms)",
			    item);
			return -1;
		}
		*colon = '\0';
		for (m = 0; m < SLO_COUNT && strcmp(item, names[m]) != 0; m++)
			;
		if (strcmp(item, "e2e") == 0)
			m = SLO_TTLT;
		if (m == SLO_COUNT) {
			snprintf(err, errlen, "--slo: unknown metric '%s' (known: ttft, "
			    "tpot, itl, ttlt)", item);
			return -1;
		}
		if (duration_parse(colon + 1, &out->limit[m]) != 0 ||
		    out->limit[m] <= 0) {
			snprintf(err, errlen, "--slo: %s limit '%s' is not a duration "
			    "(try 500ms)", item, colon + 1);
			return -1;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	if (!slo_any(out)) {
		snprintf(err, errlen, "--slo: no objective given (try ttft:500ms)");
		return -1;
	}
	return 0;
}

void
slo_values(const struct sample *x, bool *ok, double v[SLO_COUNT])
{
	usec_t worst_gap = 0;
	size_t i;

	*ok = x->error == ERR_NONE && x->ttft != USEC_NONE && x->ttlt != USEC_NONE;
	memset(v, 0, SLO_COUNT * sizeof *v);
	if (!*ok)
		return;
	for (i = 1; i < x->nchunks; i++)
		if (x->chunks[i] - x->chunks[i - 1] > worst_gap)
			worst_gap = x->chunks[i] - x->chunks[i - 1];
	v[SLO_TTFT] = usec_to_sec(sample_ttft_waited(x));
	v[SLO_TPOT] = x->output_tokens >= 2 ?
	    usec_to_sec(x->ttlt - x->ttft) / (double)(x->output_tokens - 1) : 0;
	v[SLO_ITL] = usec_to_sec(worst_gap);
	v[SLO_TTLT] = usec_to_sec(sample_ttlt_waited(x));
}

bool
slo_meets(const struct slo *s, bool ok, const double v[SLO_COUNT],
    bool met[SLO_COUNT])
{
	bool all = ok;
	int m;

	for (m = 0; m < SLO_COUNT; m++) {
		met[m] = s->limit[m] <= 0 ||
		    (ok && v[m] <= usec_to_sec(s->limit[m]));
		all = all && met[m];
	}
	return all;
}
