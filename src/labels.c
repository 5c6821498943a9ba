#include "config.h"

#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "labels.h"
#include "stats.h"

const char *
label_load(char *out, size_t len, bool open_loop, int clients, double rate,
    double rate_to)
{
	if (!open_loop)
		snprintf(out, len, "%d", clients);
	else if (isnan(rate))
		snprintf(out, len, "trace");
	else if (!isnan(rate_to))
		snprintf(out, len, "%.4g-%.4g/s", rate, rate_to);
	else
		snprintf(out, len, "%.4g/s", rate);
	return out;
}

const char *
label_stage(char *out, size_t len, const struct stage_stats *st)
{
	if (st->segmented)
		snprintf(out, len, "%d.%d", st->stage, st->segment);
	else
		snprintf(out, len, "%d", st->stage);
	return out;
}

const char *
label_stage_load(char *out, size_t len, const struct stage_stats *st)
{
	return label_load(out, len, st->open_loop, st->clients, st->rate,
	    st->rate_to);
}

const char *
label_duration(char *out, size_t len, double sec)
{
	if (isnan(sec))
		snprintf(out, len, "-");
	else if (sec >= 10)
		snprintf(out, len, "%.1fs", sec);
	else if (sec >= 1)
		snprintf(out, len, "%.2fs", sec);
	else if (sec >= 0.01)
		snprintf(out, len, "%.0fms", sec * 1000);
	else
		snprintf(out, len, "%.1fms", sec * 1000);
	return out;
}

const char *
label_percent(char *out, size_t len, double share)
{
	double p = share * 100;

	if (isnan(p))
		snprintf(out, len, "-");
	else
		snprintf(out, len, "%.*f%%", p >= 10 || p == floor(p) ? 0 : 1, p);
	return out;
}

const char *
label_count(char *out, size_t len, double v)
{
	char digits[32];
	size_t n, i, o = 0;

	if (isnan(v)) {
		snprintf(out, len, "-");
		return out;
	}
	if (v < 100 && v != floor(v)) {
		snprintf(out, len, "%.1f", v);
		return out;
	}
	snprintf(digits, sizeof digits, "%.0f", v);
	n = strlen(digits);
	for (i = 0; i < n && o + 2 < len; i++) {
		if (i > 0 && (n - i) % 3 == 0 && digits[i - 1] != '-')
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	return out;
}

bool
label_utf8(void)
{
	const char *cs;

	if (setlocale(LC_CTYPE, "") == NULL)
		return false;
	cs = nl_langinfo(CODESET);
	return cs != NULL && strcmp(cs, "UTF-8") == 0;
}
