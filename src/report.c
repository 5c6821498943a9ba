#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assert.h"
#include "buf.h"
#include "html.h"
#include "jsonl.h"
#include "labels.h"
#include "replay.h"
#include "report.h"
#include "stats.h"
#include "summary.h"
#include "trend.h"
#include "leaderboard.h"
#include "xalloc.h"

#define MS 1000.0

struct run_file {
	struct run_info	 ri;
	struct stats	 st;
	char		*label;
	struct sink	 stats_k;
	/* for the html charts */
	struct html_mark *marks;
	size_t		 nmarks;
	struct html_point *ttft;
	size_t		 nttft, ttft_cap;
	const char	*path;
	bool		 labelled;	/* by --label */
	struct server_reader reader;
	struct html_scrape *server;
	size_t		 nserver, server_cap;
};

/* The statistics' sink, plus what the charts need that they do not keep:
 * marks, and each request's TTFT with its start. */
static void
file_sample(void *self, const struct sample *x)
{
	struct run_file *r = self;

	r->stats_k.on_sample(r->stats_k.self, x);
	if (x->error != ERR_NONE || x->warmup || x->ttft == USEC_NONE)
		return;
	if (r->nttft == r->ttft_cap) {
		r->ttft_cap = r->ttft_cap ? r->ttft_cap * 2 : 256;
		r->ttft = xreallocarray(r->ttft, r->ttft_cap, sizeof *r->ttft);
	}
	r->ttft[r->nttft].t = (float)usec_to_sec(x->t);
	r->ttft[r->nttft++].v = (float)usec_to_sec(sample_ttft_waited(x));
}

static void
file_server(void *self, const struct server_scrape *x)
{
	struct run_file *r = self;
	struct server_reading v;
	struct html_scrape *h;
	int g;

	r->stats_k.on_server(r->stats_k.self, x);
	server_read(&r->reader, x, &v);		/* a gap reads all NAN */
	if (r->nserver == r->server_cap) {
		r->server_cap = r->server_cap ? r->server_cap * 2 : 64;
		r->server = xreallocarray(r->server, r->server_cap, sizeof *r->server);
	}
	h = &r->server[r->nserver++];
	h->t = (float)usec_to_sec(x->t);
	for (g = 0; g < SG_COUNT; g++)
		h->v[g] = (float)v.v[g];
}

static void
file_event(void *self, const struct event *e)
{
	struct run_file *r = self;

	r->stats_k.on_event(r->stats_k.self, e);
	if (e->kind != EV_CONTROL)
		return;
	if (e->action == CTL_RESUME && r->nmarks > 0 &&
	    r->marks[r->nmarks - 1].text == NULL)
		r->marks[r->nmarks - 1].until = e->t;
	if (e->action != CTL_MARK && e->action != CTL_PAUSE)
		return;
	r->marks = xreallocarray(r->marks, r->nmarks + 1, sizeof *r->marks);
	r->marks[r->nmarks].t = e->t;
	/* a pause not resumed lasts to the end */
	r->marks[r->nmarks].until = USEC_NONE;
	r->marks[r->nmarks++].text = e->action == CTL_PAUSE ? NULL :
	    xstrdup(e->text ? e->text : "");
}

static void
file_end(void *self, const struct end_info *e)
{
	struct run_file *r = self;

	r->stats_k.on_end(r->stats_k.self, e);
}

static const struct {
	enum metric	 m;
	const char	*name;
} csv_metrics[] = {
	{ M_TTFT, "ttft" }, { M_TPOT, "tpot" }, { M_ITL, "itl" }, { M_TTLT, "ttlt" },
};
static const char *const pct_names[NPCT] = {
	"p5", "p25", "p50", "p75", "p90", "p95", "p99", "p99.9",
};

static void
csv_field(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void
md_ms(FILE *f, long count, double sec)
{
	if (count == 0 || isnan(sec))
		fputs(" - |", f);
	else
		fprintf(f, " %.1f |", sec * MS);
}

static void
csv_num(FILE *f, double v)
{
	if (!isnan(v) && !isinf(v))
		fprintf(f, "%.3f", v);
}

/* Appended after the server's columns, so that the older ones keep their
 * places: the first chunks' times and the tokens in. */
static const struct {
	enum metric	 m;
	const char	*name;
	const char	*unit;
	double		 scale;
} csv_more[] = {
	{ M_TTST, "ttst", "ms", MS }, { M_TTFO, "ttfo", "ms", MS },
	{ M_PREFILL_RATE, "prefill_rate", "tok_s", 1 },
};

static void
csv_more_header(FILE *f)
{
	size_t m;
	int p;

	for (m = 0; m < sizeof csv_more / sizeof csv_more[0]; m++) {
		fprintf(f, ",%s_count,%s_mean_%s", csv_more[m].name, csv_more[m].name,
		    csv_more[m].unit);
		for (p = 0; p < NPCT; p++)
			fprintf(f, ",%s_%s_%s", csv_more[m].name, pct_names[p],
			    csv_more[m].unit);
	}
	fputs(",input_tokens,input_tok_s,total_tok_s,reasoning_tokens,"
	    "stop_share,length_share", f);
}

static void
csv_more_row(FILE *f, struct stage_stats *st, usec_t end)
{
	struct dist d;
	size_t m;
	int p;

	for (m = 0; m < sizeof csv_more / sizeof csv_more[0]; m++) {
		stats_dist(st, csv_more[m].m, &d);
		fprintf(f, ",%ld,", d.count);
		csv_num(f, d.mean * csv_more[m].scale);
		for (p = 0; p < NPCT; p++) {
			fputc(',', f);
			csv_num(f, d.p[p] * csv_more[m].scale);
		}
	}
	fprintf(f, ",%ld,", st->input_tokens);
	csv_num(f, stats_input_rate(st, end));
	fputc(',', f);
	csv_num(f, stats_total_rate(st, end));
	fprintf(f, ",%ld,", st->reasoning_tokens);
	csv_num(f, stats_finish_share(st, FINISH_STOP));
	fputc(',', f);
	csv_num(f, stats_finish_share(st, FINISH_LENGTH));
}

/* Multi-turn sessions' columns, after every other: TTFT of first turns
 * and of later ones. */
static const struct {
	enum metric	 m;
	const char	*name;
} csv_turn_metrics[] = {
	{ M_TTFT_FIRST_TURN, "ttft_turn1" }, { M_TTFT_LATER_TURNS, "ttft_later_turns" },
};

static void
csv_dist(FILE *f, const struct dist *d)
{
	int p;

	fprintf(f, ",%ld,", d->count);
	csv_num(f, d->mean * MS);
	fputc(',', f);
	csv_num(f, d->stddev * MS);
	fputc(',', f);
	csv_num(f, d->min * MS);
	for (p = 0; p < NPCT; p++) {
		fputc(',', f);
		csv_num(f, d->p[p] * MS);
	}
	fputc(',', f);
	csv_num(f, d->max * MS);
}

/* Dollars: to the millionth, a request's cost may be that small. */
static void
csv_num6(FILE *f, double v)
{
	if (!isnan(v) && !isinf(v))
		fprintf(f, "%.6f", v);
}

static void
write_csv(FILE *f, struct run_file *files, int n)
{
	size_t m;
	int i, k, p, sg;
	double lo, hi;
	bool sessions = false, priced = false;

	for (i = 0; i < n; i++) {
		sessions = sessions || files[i].st.sessions;
		priced = priced || files[i].ri.price.set;
	}

	fputs("label,stage,clients,rate,requests,errors,canceled,output_tokens,tok_s,"
	    "peak_tok_s,"
	    "req_s,goodput_req_s,goodput_share", f);
	for (m = 0; m < sizeof csv_metrics / sizeof csv_metrics[0]; m++) {
		fprintf(f, ",%s_count,%s_mean_ms,%s_stddev_ms,%s_min_ms", csv_metrics[m].name,
		    csv_metrics[m].name, csv_metrics[m].name, csv_metrics[m].name);
		for (p = 0; p < NPCT; p++)
			fprintf(f, ",%s_%s_ms", csv_metrics[m].name, pct_names[p]);
		fprintf(f, ",%s_max_ms", csv_metrics[m].name);
	}
	/* the server's own gauges during the stage, when scraped */
	for (sg = 0; sg < SG_COUNT; sg++)
		fprintf(f, ",server_%s_mean,server_%s_max",
		    server_gauge_name((enum server_gauge)sg),
		    server_gauge_name((enum server_gauge)sg));
	/* and its own TTFT, from its histogram */
	fputs(",server_ttft_count,server_ttft_mean_ms", f);
	for (p = 0; p < NPCT; p++)
		fprintf(f, ",server_ttft_%s_ms", pct_names[p]);
	fputs(",server_ttft_p50_bucket_lo_ms,server_ttft_p50_bucket_hi_ms", f);
	csv_more_header(f);
	for (m = 0; sessions && m < sizeof csv_turn_metrics /
	    sizeof csv_turn_metrics[0]; m++) {
		const char *name = csv_turn_metrics[m].name;

		fprintf(f, ",%s_count,%s_mean_ms,%s_stddev_ms,%s_min_ms", name,
		    name, name, name);
		for (p = 0; p < NPCT; p++)
			fprintf(f, ",%s_%s_ms", name, pct_names[p]);
		fprintf(f, ",%s_max_ms", name);
	}
	if (priced)	/* after every other, as the turns' */
		fputs(",cost_per_mtok_out,cost_per_request,cost_per_hour", f);
	fputc('\n', f);
	for (i = 0; i < n; i++) {
		struct stats *s = &files[i].st;

		for (k = 0; k < s->nstages; k++) {
			struct stage_stats *st = &s->stages[k];
			usec_t end = st->end != USEC_NONE ? st->end : s->end;
			struct dist d;
			char label[24];

			csv_field(f, files[i].label);
			fprintf(f, ",%s,", label_stage(label, sizeof label, st));
			if (!st->open_loop)
				fprintf(f, "%d,", st->clients);
			else {
				fputc(',', f);
				csv_num(f, st->rate);	/* empty for a schedule */
			}
			fprintf(f, ",%ld,%ld,%ld,%ld,", st->requests, st->errors,
			    st->canceled, st->output_tokens);
			csv_num(f, stats_tok_rate(st, end));
			fputc(',', f);
			csv_num(f, stats_stage_peak(s, st, end));
			fputc(',', f);
			csv_num(f, stats_req_rate(st, end));
			fputc(',', f);
			if (slo_any(&files[i].ri.slo)) {
				struct goodput g;

				stats_goodput(st, &files[i].ri.slo, end, &g);
				csv_num(f, g.req_s);
				fputc(',', f);
				csv_num(f, g.total ? (double)g.met / (double)g.total : NAN);
			} else
				fputc(',', f);	/* no objectives were set */
			for (m = 0; m < sizeof csv_metrics / sizeof csv_metrics[0]; m++) {
				stats_dist(st, csv_metrics[m].m, &d);
				fprintf(f, ",%ld,", d.count);
				csv_num(f, d.mean * MS);
				fputc(',', f);
				csv_num(f, d.stddev * MS);
				fputc(',', f);
				csv_num(f, d.min * MS);
				for (p = 0; p < NPCT; p++) {
					fputc(',', f);
					csv_num(f, d.p[p] * MS);
				}
				fputc(',', f);
				csv_num(f, d.max * MS);
			}
			for (sg = 0; sg < SG_COUNT; sg++) {
				fputc(',', f);
				csv_num(f, st->srv_n[sg] ? st->srv_sum[sg] /
				    (double)st->srv_n[sg] : NAN);
				fputc(',', f);
				csv_num(f, st->srv_n[sg] ? st->srv_max[sg] : NAN);
			}
			stats_server_ttft(st, &d);
			fprintf(f, ",%ld,", d.count);
			csv_num(f, d.mean * MS);
			for (p = 0; p < NPCT; p++) {
				fputc(',', f);
				csv_num(f, d.p[p] * MS);
			}
			if (stats_server_ttft_bucket(st, 0.5, &lo, &hi) != 0)
				lo = hi = NAN;
			fputc(',', f);
			csv_num(f, lo * MS);
			fputc(',', f);
			csv_num(f, hi * MS);	/* empty above the last bound */
			csv_more_row(f, st, end);
			for (m = 0; sessions && m < sizeof csv_turn_metrics /
			    sizeof csv_turn_metrics[0]; m++) {
				stats_dist(st, csv_turn_metrics[m].m, &d);
				csv_dist(f, &d);
			}
			if (priced) {
				struct cost c;

				cost_of(&files[i].ri.price, st, end, &c);
				fputc(',', f);
				csv_num6(f, c.per_mtok_out);
				fputc(',', f);
				csv_num6(f, c.per_request);
				fputc(',', f);
				csv_num6(f, c.per_hour);
			}
			fputc('\n', f);
		}
	}
}

static void
write_json(FILE *f, struct run_file *files, int n)
{
	struct buf b;
	int i;

	if (n == 1) {
		summary_json(f, &files[0].ri, &files[0].st);
		return;
	}
	buf_init(&b);
	fputs("{\"runs\":[", f);
	for (i = 0; i < n; i++) {
		char *one = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&one, &len);

		if (mem == NULL)
			fatal("out of memory");
		summary_json(mem, &files[i].ri, &files[i].st);
		fclose(mem);
		while (len > 0 && one[len - 1] == '\n')
			one[--len] = '\0';
		b.len = 0;
		buf_add_json_string(&b, files[i].label);
		fprintf(f, "%s{\"label\":%s,\"summary\":%s}", i ? "," : "", b.p, one);
		free(one);
	}
	fputs("]}\n", f);
	buf_free(&b);
}

/* Several runs: first one table of them all, a row per run and stage. */
static void
comparison_md(FILE *f, struct run_file *files, int n)
{
	int i, k;

	fputs("# comparison\n\n| run | stage | load | reqs | err | TTFT p50 | "
	    "TTFT p99 | TPOT p50 | TPOT p99 | ITL p99 | TTLT p50 | tok/s | req/s "
	    "| goodput req/s |\n|---|---|---|---|---|---|---|---|---|---|---|---|"
	    "---|---|\n", f);
	for (i = 0; i < n; i++)
		for (k = 0; k < files[i].st.nstages; k++) {
			struct stats *s = &files[i].st;
			struct stage_stats *st = &s->stages[k];
			usec_t end = st->end != USEC_NONE ? st->end : s->end;
			struct dist ttft, tpot, itl, ttlt;
			char load[40], label[24];

			stats_dist(st, M_TTFT, &ttft);
			stats_dist(st, M_TPOT, &tpot);
			stats_dist(st, M_ITL, &itl);
			stats_dist(st, M_TTLT, &ttlt);
			label_stage_load(load, sizeof load, st);
			fprintf(f, "| %s | %s | %s | %ld | %ld |", files[i].label,
			    label_stage(label, sizeof label, st), load, st->requests,
			    st->errors);
			md_ms(f, ttft.count, ttft.p[2]);
			md_ms(f, ttft.count, ttft.p[6]);
			md_ms(f, tpot.count, tpot.p[2]);
			md_ms(f, tpot.count, tpot.p[6]);
			md_ms(f, itl.count, itl.p[6]);
			md_ms(f, ttlt.count, ttlt.p[2]);
			fprintf(f, " %.1f | %.2f |", stats_tok_rate(st, end),
			    stats_req_rate(st, end));
			if (slo_any(&files[i].ri.slo)) {
				struct goodput g;

				stats_goodput(st, &files[i].ri.slo, end, &g);
				fprintf(f, " %.2f |\n", g.req_s);
			} else
				fputs(" - |\n", f);
		}
	fputs("\ntimes in ms; each run's own summary follows\n\n", f);
}

static void
write_md(FILE *f, struct run_file *files, int n)
{
	int i;

	if (n > 1)
		comparison_md(f, files, n);
	for (i = 0; i < n; i++) {
		if (n > 1)
			fprintf(f, "%s## %s\n\n", i ? "\n" : "", files[i].label);
		summary_markdown(f, &files[i].ri, &files[i].st);
	}
}

static void
write_html(FILE *f, struct run_file *files, int n)
{
	struct html_run *runs = xcalloc((size_t)n, sizeof *runs);
	int i;

	for (i = 0; i < n; i++) {
		runs[i].label = files[i].label;
		runs[i].ri = &files[i].ri;
		runs[i].st = &files[i].st;
		runs[i].marks = files[i].marks;
		runs[i].nmarks = files[i].nmarks;
		runs[i].ttft = files[i].ttft;
		runs[i].nttft = files[i].nttft;
		runs[i].server = files[i].server;
		runs[i].nserver = files[i].nserver;
	}
	html_write(f, runs, n);
	free(runs);
}

static char *
default_label(const struct run_info *ri)
{
	char *s;

	if (ri->model != NULL)
		xasprintf(&s, "%s@%s", ri->model, ri->url);
	else
		s = xstrdup(ri->url);
	return s;
}

int
report_format_parse(const char *name, enum report_format *out)
{
	static const char *const names[] = {
		[REPORT_MD] = "md", [REPORT_CSV] = "csv", [REPORT_JSON] = "json",
		[REPORT_HTML] = "html",
	};
	int i;

	for (i = 0; i < (int)(sizeof names / sizeof names[0]); i++) {
		if (strcmp(name, names[i]) == 0) {
			*out = (enum report_format)i;
			return 0;
		}
	}
	return -1;
}

int
report_read(struct report *rep, char *const *paths, int n,
    const char **labels, int nlabels, char *err, size_t errlen)
{
	int i;

	rep->runs = xcalloc((size_t)n, sizeof *rep->runs);
	rep->n = 0;
	for (i = 0; i < n; i++) {
		struct run_file *rf = &rep->runs[i];
		struct sink k = { .on_sample = file_sample, .on_event = file_event,
		    .on_server = file_server,
		    .on_end = file_end, .self = rf };

		stats_init(&rf->st);
		server_reader_init(&rf->reader);
		rep->n++;
		rf->stats_k = stats_sink(&rf->st);
		if (replay_read(&paths[i], 1, &rf->ri, &k, err, errlen) != 0)
			return -1;
		rf->label = i < nlabels ? xstrdup(labels[i]) : default_label(&rf->ri);
		rf->path = paths[i];
		rf->labelled = i < nlabels;
	}
	return 0;
}

void
report_write(FILE *f, const struct report *rep, enum report_format fmt)
{
	switch (fmt) {
	case REPORT_CSV:
		write_csv(f, rep->runs, rep->n);
		break;
	case REPORT_JSON:
		write_json(f, rep->runs, rep->n);
		break;
	case REPORT_HTML:
		write_html(f, rep->runs, rep->n);
		break;
	case REPORT_MD:
		write_md(f, rep->runs, rep->n);
		break;
	}
}

void
report_free(struct report *rep)
{
	int i;

	for (i = 0; i < rep->n; i++) {
		struct run_file *rf = &rep->runs[i];
		size_t j;

		stats_done(&rf->st);
		run_info_free(&rf->ri);
		free(rf->label);
		for (j = 0; j < rf->nmarks; j++)
			free(rf->marks[j].text);
		free(rf->marks);
		free(rf->ttft);
		free(rf->server);
		server_reader_done(&rf->reader);
	}
	free(rep->runs);
	rep->runs = NULL;
	rep->n = 0;
}

bool
report_assert(FILE *f, const struct report *rep, const struct asserts *as,
    bool utf8)
{
	struct assert_result *v = xreallocarray(NULL, (size_t)as->n, sizeof *v);
	bool all = true;
	int i;

	for (i = 0; i < rep->n; i++) {
		struct run_file *rf = &rep->runs[i];

		if (rep->n > 1)
			fprintf(f, "%s%s:\n", i ? "\n" : "", rf->label);
		assert_eval(as, &rf->st, &rf->ri.slo, rf->st.end, v);
		all &= assert_print(f, v, as->n, utf8);
	}
	free(v);
	return all;
}

static const struct report *sort_rep;

static int
by_started(const void *a, const void *b)
{
	int i = *(const int *)a, j = *(const int *)b;

	return strcmp(sort_rep->runs[i].ri.started, sort_rep->runs[j].ri.started);
}

void
report_trend(FILE *f, const struct report *rep, int base, enum report_format fmt)
{
	int *order = xcalloc((size_t)rep->n + 1, sizeof *order), i, b = 0;
	struct stats **st = xcalloc((size_t)rep->n + 1, sizeof *st);
	const struct run_info **ri = xcalloc((size_t)rep->n + 1, sizeof *ri);
	const char **labels = xcalloc((size_t)rep->n + 1, sizeof *labels);
	struct trend t;

	for (i = 0; i < rep->n; i++)
		order[i] = i;
	sort_rep = rep;
	qsort(order, (size_t)rep->n, sizeof *order, by_started);
	for (i = 0; i < rep->n; i++) {
		struct run_file *rf = &rep->runs[order[i]];

		st[i] = &rf->st;
		ri[i] = &rf->ri;
		/* a nightly series shares its model@url: its files tell it apart */
		labels[i] = rf->labelled || strrchr(rf->path, '/') == NULL ? (rf->labelled ?
		    rf->label : rf->path) : strrchr(rf->path, '/') + 1;
		if (order[i] == base)
			b = i;
	}
	trend_build(&t, st, ri, labels, rep->n, base < 0 ? 0 : b, 1);
	switch (fmt) {
	case REPORT_CSV:
		trend_csv(f, &t);
		break;
	case REPORT_JSON:
		trend_json(f, &t);
		break;
	case REPORT_HTML:
		html_trend(f, &t);
		break;
	case REPORT_MD:
		trend_markdown(f, &t);
		break;
	}
	trend_free(&t);
	free(order);
	free(st);
	free(ri);
	free(labels);
}

void
report_leaderboard(FILE *f, const struct report *rep, enum report_format fmt)
{
	struct stats **st = xcalloc((size_t)rep->n + 1, sizeof *st);
	const char **labels = xcalloc((size_t)rep->n + 1, sizeof *labels);
	struct leaderboard lb;
	int i;

	for (i = 0; i < rep->n; i++) {
		st[i] = &rep->runs[i].st;
		labels[i] = rep->runs[i].label;
	}
	leaderboard_build(&lb, st, labels, rep->n);
	if (fmt == REPORT_HTML)
		html_leaderboard(f, &lb);
	else
		leaderboard_markdown(f, &lb);
	leaderboard_free(&lb);
	free(st);
	free(labels);
}

void
report_set_price(struct report *rep, const struct price *p)
{
	int i;

	for (i = 0; i < rep->n; i++)
		rep->runs[i].ri.price = *p;
}
