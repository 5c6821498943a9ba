#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "jsonl.h"
#include "labels.h"
#include "lag.h"
#include "cost.h"
#include "stats.h"
#include "summary.h"

#define MS 1000.0

/* The four latency metrics of the table, in its order. */
static const struct {
	enum metric	 m;
	const char	*name;
} table_metrics[] = {
	{ M_TTFT, "TTFT" }, { M_TPOT, "TPOT" }, { M_ITL, "ITL" }, { M_TTLT, "TTLT" },
};
#define NTABLE (sizeof table_metrics / sizeof table_metrics[0])

/* Index of p50, p95 and p99 in stats_pcts. */
enum { P50 = 2, P95 = 5, P99 = 6 };


static void
cell_ms(FILE *f, double sec)
{
	if (isnan(sec))
		fputs(" - |", f);
	else
		fprintf(f, " %.1f |", sec * MS);
}

static void
cell_rate(FILE *f, double v)
{
	if (isnan(v))
		fputs(" - |", f);
	else
		fprintf(f, " %.1f |", v);
}

/* The errors by kind, then each kind's first in the server's words. */
static void
errors_line(FILE *f, const struct stats *s, const long *by_kind, long errors)
{
	int k;
	const char *sep = "";

	if (errors == 0)
		return;
	fputs("errors:", f);
	for (k = ERR_CONNECT; k < ERR_KIND_COUNT; k++) {
		if (by_kind[k] == 0)
			continue;
		fprintf(f, "%s %s %ld", sep, err_kind_name((enum err_kind)k), by_kind[k]);
		sep = ",";
	}
	fputc('\n', f);
	for (k = ERR_CONNECT; k < ERR_KIND_COUNT; k++) {
		if (by_kind[k] == 0 || k == ERR_CANCELED ||
		    (s->kind_status[k] == 0 && s->kind_detail[k][0] == '\0'))
			continue;
		fprintf(f, "  %s, the first:", err_kind_name((enum err_kind)k));
		if (s->kind_status[k] > 0)
			fprintf(f, " HTTP %d%s", s->kind_status[k],
			    s->kind_detail[k][0] != '\0' ? ":" : "");
		fprintf(f, " %s\n", s->kind_detail[k]);
	}
}

static usec_t
run_start(const struct stats *s)
{
	return s->nstages > 0 ? s->stages[0].start : 0;
}

static usec_t
run_end(const struct stats *s)
{
	const struct stage_stats *last;

	if (s->ended || s->end > run_start(s))
		return s->end;	/* a file cut by a crash: its last record */
	last = s->nstages > 0 ? &s->stages[s->nstages - 1] : NULL;
	return last != NULL && last->end != USEC_NONE ? last->end : run_start(s);
}

/* Stages, counting a stage of several segments once. */
static int
stages_of(const struct stats *s)
{
	int i, n = 0;

	for (i = 0; i < s->nstages; i++)
		n += s->stages[i].segment <= 1;
	return n;
}

/* Totals over every stage. */
struct totals {
	long	requests, errors, tokens, from_chunks, done;
	long	by_kind[ERR_KIND_COUNT];
	double	window_tokens;
};

static void
totals_of(const struct stats *s, struct totals *t)
{
	int i, k;

	memset(t, 0, sizeof *t);
	for (i = 0; i < s->nstages; i++) {
		const struct stage_stats *st = &s->stages[i];

		t->requests += st->requests;
		t->errors += st->errors;
		t->tokens += st->output_tokens;
		t->from_chunks += st->from_chunks;
		t->done += st->window_done;
		t->window_tokens += st->window_tokens;
		for (k = 0; k < ERR_KIND_COUNT; k++)
			t->by_kind[k] += st->by_kind[k];
	}
}

/* The run's peak, never below its mean, as a stage's. */
static double
run_peak(const struct stats *s, const struct totals *t, usec_t start, usec_t end)
{
	double peak = stats_peak_rate(s, start, end);
	double mean = end > start ? t->window_tokens / usec_to_sec(end - start) : 0;

	return isnan(peak) || peak < mean ? mean : peak;
}

static void
row(FILE *f, const char *label, const char *clients, long reqs, long errs,
    struct dist *d, double tok, double peak, double req)
{
	size_t i;

	fprintf(f, "| %s | %s | %ld | %ld |", label, clients, reqs, errs);
	for (i = 0; i < NTABLE; i++) {
		cell_ms(f, d[i].mean);
		cell_ms(f, d[i].p[P50]);
		cell_ms(f, d[i].p[P95]);
		cell_ms(f, d[i].p[P99]);
	}
	cell_rate(f, tok);
	cell_rate(f, peak);
	fprintf(f, " %.2f |\n", req);
}

static void
cell_share_of(FILE *f, double share)
{
	if (isnan(share))
		fputs(" - |", f);
	else
		fprintf(f, " %.1f |", share * 100);
}

static void
cell_dist_ms(FILE *f, const struct dist *d, int k)
{
	if (d->count == 0)
		fputs(" - |", f);
	else
		fprintf(f, " %.1f |", d->p[k] * MS);
}

/* The figures of the first chunks and of the tokens in and out: TTST (a
 * stalled decode after the first token), TTFO (reasoning models: the first
 * visible output), the prefill rate, input and total tokens/s, and why the
 * answers stopped. */
static void
tokens_table(FILE *f, struct stats *s, usec_t end)
{
	struct dist ttst, ttfo, prefill;
	int k;

	fputs("\n| stage | TTST p50 | TTST p95 | TTFO p50 | TTFO p95 | prefill tok/s "
	    "p50 | input tok/s | total tok/s | reasoning tokens | stop % | "
	    "length % |\n|---|---|---|---|---|---|---|---|---|---|---|\n", f);
	for (k = 0; k < s->nstages; k++) {
		struct stage_stats *st = &s->stages[k];
		char label[16];

		stats_dist(st, M_TTST, &ttst);
		stats_dist(st, M_TTFO, &ttfo);
		stats_dist(st, M_PREFILL_RATE, &prefill);
		fprintf(f, "| %s |", label_stage(label, sizeof label, st));
		cell_dist_ms(f, &ttst, P50);
		cell_dist_ms(f, &ttst, P95);
		cell_dist_ms(f, &ttfo, P50);
		cell_dist_ms(f, &ttfo, P95);
		if (prefill.count == 0)
			fputs(" - |", f);
		else
			cell_rate(f, prefill.p[P50]);
		if (st->input_tokens == 0 && st->input_unknown > 0)
			fputs(" - |", f);
		else
			cell_rate(f, stats_input_rate(st, end));
		cell_rate(f, stats_total_rate(st, end));
		fprintf(f, " %ld |", st->reasoning_tokens);
		cell_share_of(f, stats_finish_share(st, FINISH_STOP));
		cell_share_of(f, stats_finish_share(st, FINISH_LENGTH));
		fputc('\n', f);
	}
	fputs("\nTTST: second content chunk; TTFO: first visible output (not "
	    "reasoning); prefill = input tokens / TTFT; total = input + output "
	    "tok/s; stop/length: the finish reasons said\n", f);
}

static void
open_loop_table(FILE *f, struct stats *s)
{
	struct dist q, ts, late;
	int k;

	fputs("\n| stage | sent | queued p50 | queued p99 | TTFT from send p50 "
	    "| TTFT from send p99 | late p99 |\n|---|---|---|---|---|---|---|\n",
	    f);
	for (k = 0; k < s->nstages; k++) {
		struct stage_stats *st = &s->stages[k];
		char label[24];

		stats_dist(st, M_QUEUED, &q);
		stats_dist(st, M_TTFT_SENT, &ts);
		stats_dist(st, M_LATE, &late);
		fprintf(f, "| %s | %ld |", label_stage(label, sizeof label, st),
		    q.count);
		cell_ms(f, q.p[P50]);
		cell_ms(f, q.p[P99]);
		cell_ms(f, ts.p[P50]);
		cell_ms(f, ts.p[P99]);
		if (isnan(late.p[P99]))
			fputs(" - |\n", f);
		else
			fprintf(f, " %.3f |\n", late.p[P99] * MS);
	}
	fputs("\nopen loop: TTFT, TTLT and goodput count from the scheduled send "
	    "(what a user arriving then waited); queued = send - scheduled send "
	    "(waiting behind --max-concurrency, and lateness); TTFT from send "
	    "leaves it out\n", f);
}

/* The server's own gauges, as scraped during each stage: mean and max of
 * each it published; then its own TTFT beside the client's. */
static void
turn_cells(FILE *f, const struct dist *d)
{
	fprintf(f, " %ld |", d->count);
	if (d->count == 0) {
		fputs(" - | - | - |", f);
		return;
	}
	fprintf(f, " %.1f | %.1f | %.1f |", d->mean * MS, d->p[P50] * MS,
	    d->p[P95] * MS);
}

/* Multi-turn sessions: TTFT of first turns against later ones, where a
 * server's prefix cache holds the conversation so far. */
static void
turns_table(FILE *f, struct stats *s)
{
	struct dist first, later;
	int k;

	fputs("\nTTFT by turn (sessions): first turns, and later turns that send "
	    "the conversation so far\n\n| stage | first turns | TTFT mean | "
	    "TTFT p50 | TTFT p95 | later turns | TTFT mean | TTFT p50 | TTFT p95 | "
	    "p50 later - first |\n|---|---|---|---|---|---|---|---|---|---|\n", f);
	for (k = 0; k <= s->nstages; k++) {
		char label[16];

		if (k == s->nstages && s->nstages < 2)
			break;
		if (k < s->nstages) {
			stats_dist(&s->stages[k], M_TTFT_FIRST_TURN, &first);
			stats_dist(&s->stages[k], M_TTFT_LATER_TURNS, &later);
			label_stage(label, sizeof label, &s->stages[k]);
		} else {
			stats_dist_all(s, M_TTFT_FIRST_TURN, &first);
			stats_dist_all(s, M_TTFT_LATER_TURNS, &later);
			snprintf(label, sizeof label, "all");
		}
		fprintf(f, "| %s |", label);
		turn_cells(f, &first);
		turn_cells(f, &later);
		if (first.count > 0 && later.count > 0)
			fprintf(f, " %+.1f |\n", (later.p[P50] - first.p[P50]) * MS);
		else
			fputs(" - |\n", f);
	}
	fputs("\ntimes in ms\n", f);
}

static void
server_table(FILE *f, struct stats *s)
{
	static const char *const heads[SG_COUNT] = {
		[SG_RUNNING] = "running", [SG_WAITING] = "waiting",
		[SG_KV_USAGE] = "KV use", [SG_PREFIX_HIT] = "prefix hits",
		[SG_PREEMPTIONS] = "preemptions/s", [SG_GEN_TOKENS] = "gen tok/s",
		[SG_GPU_UTIL] = "GPU %", [SG_GPU_MEM] = "GPU MiB",
		[SG_GPU_POWER] = "GPU W",
	};
	bool shown[SG_COUNT] = { false };
	struct dist c, v;
	int g, k;

	for (k = 0; k < s->nstages; k++)
		for (g = 0; g < SG_COUNT; g++)
			shown[g] |= s->stages[k].srv_n[g] > 0;
	fputs("\n| stage |", f);
	for (g = 0; g < SG_COUNT; g++)
		if (shown[g])
			fprintf(f, " server %s mean | max |", heads[g]);
	fputs("\n|---|", f);
	for (g = 0; g < SG_COUNT; g++)
		if (shown[g])
			fputs("---|---|", f);
	fputc('\n', f);
	for (k = 0; k < s->nstages; k++) {
		struct stage_stats *st = &s->stages[k];
		char label[24];

		fprintf(f, "| %s |", label_stage(label, sizeof label, st));
		for (g = 0; g < SG_COUNT; g++) {
			bool share = g == SG_KV_USAGE || g == SG_PREFIX_HIT;
			double scale = share ? 100 : 1;

			if (!shown[g])
				continue;
			if (st->srv_n[g] == 0)
				fputs(" - | - |", f);
			else
				fprintf(f, " %.1f%s | %.1f%s |", st->srv_sum[g] /
				    (double)st->srv_n[g] * scale, share ? "%" : "",
				    st->srv_max[g] * scale, share ? "%" : "");
		}
		fputc('\n', f);
	}
	fputs("\nserver: the server's own /metrics, scraped once a second; "
	    "counters as rates\n", f);
	if (!s->server_ttft)
		return;
	fputs("\n| stage | TTFT p50 ms client | server | its bucket | outside | "
	    "p95 client | server | server count |\n"
	    "|---|---|---|---|---|---|---|---|\n", f);
	for (k = 0; k < s->nstages; k++) {
		struct stage_stats *st = &s->stages[k];
		char label[24];
		double lo, hi;

		/* in open loop from the actual send: the wait behind
		   --max-concurrency is the client's, not the network's */
		stats_dist(st, st->open_loop ? M_TTFT_SENT : M_TTFT, &c);
		stats_server_ttft(st, &v);
		fprintf(f, "| %s |", label_stage(label, sizeof label, st));
		cell_ms(f, c.p[P50]);
		cell_ms(f, v.p[P50]);
		if (stats_server_ttft_bucket(st, 0.5, &lo, &hi) != 0 || isnan(c.p[P50]))
			fputs(" - | - |", f);
		else if (isinf(hi))
			fprintf(f, " > %.1f | 0 to %.1f |", lo * MS, (c.p[P50] - lo) * MS);
		else	/* all the histogram says of it: a range, not a figure;
			 * never below 0, as no server answers before it is asked */
			fprintf(f, " %.1f-%.1f | %.1f to %.1f |", lo * MS, hi * MS,
			    fmax(0, c.p[P50] - hi) * MS, (c.p[P50] - lo) * MS);
		cell_ms(f, c.p[P95]);
		cell_ms(f, v.p[P95]);
		fprintf(f, " %ld |\n", v.count);
	}
	fprintf(f, "\nserver TTFT: from the server's own histogram "
	    "(vllm:time_to_first_token_seconds), each percentile interpolated "
	    "within its bucket, which is all the histogram knows of it; outside = "
	    "client p50 - the server's, over its bucket: the network and "
	    "everything outside the server lie in that range%s\n",
	    s->open_loop ? "; open loop: the client's TTFT from the actual send "
	    "(queued left out)" : "");
}

/* The generator's own overhead, from the end record. */
static void
generator_line(FILE *f, const struct end_info *g)
{
	if (isnan(g->lag_p99))
		return;
	fprintf(f, "generator: CPU %.1f s, ", g->cpu_s);
	if (isnan(g->cpu_share))
		fputs("too short a run to judge its share", f);
	else
		fprintf(f, "%.0f%% of a core", g->cpu_share * 100);
	fprintf(f, "; loop lag p99 %.2f ms", g->lag_p99 * MS);
	if (!isnan(g->late_p99))
		fprintf(f, "; lateness p99 %.2f ms", g->late_p99 * MS);
	if (!isnan(g->read_delay_p99))
		fprintf(f, "; read delay p99 %.2f ms", g->read_delay_p99 * MS);
	fputc('\n', f);
	if (g->overloaded)
		fprintf(f, "generator overloaded: results not trustworthy (past %.0f "
		    "ms of loop lag or lateness p99, or %.0f%% of a core, the "
		    "generator and not the endpoint sets the figures)\n",
		    GEN_LAG_MAX * MS, GEN_CPU_MAX * 100);
}

static void
cell_share(FILE *f, long part, long whole)
{
	if (whole == 0)
		fputs(" - |", f);
	else
		fprintf(f, " %.1f%% |", 100.0 * (double)part / (double)whole);
}

static void
cell_money(FILE *f, double v)
{
	if (isnan(v))
		fputs(" - |", f);
	else
		fprintf(f, v < 0.01 ? " %.6f |" : " %.4f |", v);
}

/* Dollars per 1M output tokens, per request and per hour, a row a stage. */
static void
cost_table(FILE *f, struct stats *s, const struct price *p, usec_t end)
{
	char label[24], text[96];
	long unknown = 0, chunks = 0;
	int k;

	price_text(text, sizeof text, p);
	fprintf(f, "\n| stage | $ per 1M output tokens | $ per request | $ per hour |\n"
	    "|---|---|---|---|\n");
	for (k = 0; k < s->nstages; k++) {
		struct cost c;

		cost_of(p, &s->stages[k], end, &c);
		unknown += c.input_unknown;
		chunks += c.from_chunks;
		fprintf(f, "| %s |", label_stage(label, sizeof label, &s->stages[k]));
		cell_money(f, c.per_mtok_out);
		cell_money(f, c.per_request);
		cell_money(f, c.per_hour);
		fputc('\n', f);
	}
	fprintf(f, "\ncost at --price %s: %s", text, p->hourly ? "the instance's "
	    "hours over the tokens and requests the stage served" : "the tokens "
	    "its successful requests were billed, from the server's usage");
	if (chunks > 0)
		fprintf(f, " (%ld counted by chunks)", chunks);
	if (unknown > 0)
		fprintf(f, "; %ld without an input count left out", unknown);
	fputc('\n', f);
}

static void
slo_table(FILE *f, struct stats *s, const struct slo *slo, usec_t end)
{
	int k, m;

	fputs("\n| stage | goodput req/s | meet all |", f);
	for (m = 0; m < SLO_COUNT; m++)
		if (slo->limit[m] > 0)
			fprintf(f, " %s <= %g ms |", slo_name((enum slo_metric)m),
			    usec_to_sec(slo->limit[m]) * MS);
	fputs("\n|---|---|---|", f);
	for (m = 0; m < SLO_COUNT; m++)
		if (slo->limit[m] > 0)
			fputs("---|", f);
	fputc('\n', f);
	for (k = 0; k < s->nstages; k++) {
		struct goodput g;

		char label[24];

		stats_goodput(&s->stages[k], slo, end, &g);
		fprintf(f, "| %s | %.2f |", label_stage(label, sizeof label,
		    &s->stages[k]), g.req_s);
		cell_share(f, g.met, g.total);
		for (m = 0; m < SLO_COUNT; m++)
			if (slo->limit[m] > 0)
				cell_share(f, g.met_by[m], g.total);
		fputc('\n', f);
	}
	fputs("\ngoodput = requests meeting every objective per second of the "
	    "stage; shares are of all requests, failed ones included\n", f);
}

void
summary_markdown(FILE *f, const struct run_info *ri, struct stats *s)
{
	struct dist d[NTABLE];
	struct totals t;
	usec_t start = run_start(s), end = run_end(s);
	double secs = usec_to_sec(end - start);
	size_t i;
	int k;

	totals_of(s, &t);
	fprintf(f, "# ttftop: %s %s%s%s\n\n", ri->api, ri->url,
	    ri->model ? " model=" : "", ri->model ? ri->model : "");
	fprintf(f, "%d stage%s, %ld request%s, %ld error%s, ", stages_of(s),
	    stages_of(s) == 1 ? "" : "s", t.requests, t.requests == 1 ? "" : "s",
	    t.errors, t.errors == 1 ? "" : "s");
	if (s->canceled > 0)
		fprintf(f, "%ld canceled at quit, ", s->canceled);
	fprintf(f, "%.1f s, %s\n\n", secs,
	    s->ended ? end_reason_name(s->reason) : "incomplete");
	fprintf(f, "| stage | %s | reqs | err |", s->open_loop ? "rate" : "clients");
	for (i = 0; i < NTABLE; i++)
		fprintf(f, " %s mean | %s p50 | %s p95 | %s p99 |",
		    table_metrics[i].name, table_metrics[i].name,
		    table_metrics[i].name, table_metrics[i].name);
	fputs(" tok/s | peak tok/s | req/s |\n|---|---|---|---|", f);
	for (i = 0; i < NTABLE * 4 + 3; i++)
		fputs("---|", f);
	fputc('\n', f);
	for (k = 0; k < s->nstages; k++) {
		struct stage_stats *st = &s->stages[k];
		char label[16], clients[40];

		for (i = 0; i < NTABLE; i++)
			stats_dist(st, table_metrics[i].m, &d[i]);
		label_stage(label, sizeof label, st);
		label_stage_load(clients, sizeof clients, st);
		row(f, label, clients, st->requests, st->errors, d,
		    stats_tok_rate(st, end), stats_stage_peak(s, st, end),
		    stats_req_rate(st, end));
	}
	if (s->nstages > 1) {
		for (i = 0; i < NTABLE; i++)
			stats_dist_all(s, table_metrics[i].m, &d[i]);
		row(f, "all", "", t.requests, t.errors, d,
		    secs > 0 ? t.window_tokens / secs : 0, run_peak(s, &t, start, end),
		    secs > 0 ? (double)t.done / secs : 0);
	}
	fputs("\ntimes in ms; TPOT = (TTLT - TTFT) / (tokens - 1); tok/s counts "
	    "tokens as they arrived; peak = best 5 s average\n", f);
	if (stages_of(s) < s->nstages)
		fputs("rows 3.1, 3.2, ...: segments of a stage whose load was "
		    "changed by key (+ - ] [), each at the load it ran\n", f);
	if (t.from_chunks > 0)
		fprintf(f, "tokens: %ld of %ld requests counted by content chunks "
		    "(the server sent no usage)\n", t.from_chunks, t.requests - t.errors);
	errors_line(f, s, t.by_kind, t.errors);
	tokens_table(f, s, end);
	if (s->warmup > 0)
		fprintf(f, "warm-up: %ld requests left out\n", s->warmup);
	if (s->unsent > 0)
		fprintf(f, "unsent: %ld due requests were still waiting for a free "
		    "slot at the end\n", s->unsent);
	if (s->open_loop)
		open_loop_table(f, s);
	if (s->sessions)
		turns_table(f, s);
	if (s->server)
		server_table(f, s);
	if (slo_any(&ri->slo))
		slo_table(f, s, &ri->slo, end);
	if (ri->price.set)
		cost_table(f, s, &ri->price, end);
	if (!isnan(s->gen.lag_p99))
		fputc('\n', f);
	generator_line(f, &s->gen);
}

/* Compact: fits 100 columns */

#define COMPACT_COLS	100
#define COMPACT_KINDS	3	/* the error kinds named, most common first */

/* A line of at most COMPACT_COLS columns: cut at a character's start. */
static void
put_line(FILE *f, const char *line)
{
	size_t n = 0, cols = 0;

	while (line[n] != '\0') {
		size_t k = 1;

		while ((line[n + k] & 0xc0) == 0x80)
			k++;
		if (cols == COMPACT_COLS)
			break;
		n += k;
		cols++;
	}
	fprintf(f, "%.*s\n", (int)n, line);
}

/* The URL in at most room bytes: whole, else its start (the host and its
 * port) and its end around "...". */
static const char *
url_fit(char *out, size_t len, const char *url, size_t room)
{
	size_t n = strlen(url), head;

	if (n <= room || room < 16) {
		snprintf(out, len, "%s", url);
		return out;
	}
	head = (room - 3) * 2 / 3;
	snprintf(out, len, "%.*s...%s", (int)head, url, url + n - (room - 3 - head));
	return out;
}

static const char *
p50_p95_ms(char *out, size_t len, struct stage_stats *st, enum metric m)
{
	struct dist d;

	stats_dist(st, m, &d);
	if (d.count == 0)
		snprintf(out, len, "-");
	else
		snprintf(out, len, "%.1f/%.1f", d.p[P50] * MS, d.p[P95] * MS);
	return out;
}

void
summary_compact(FILE *f, const struct run_info *ri, struct stats *s)
{
	struct totals t;
	usec_t start = run_start(s), end = run_end(s);
	double secs = usec_to_sec(end - start);
	char line[512], url[COMPACT_COLS + 1];
	size_t used;
	int k, i, top[COMPACT_KINDS], ntop = 0;

	totals_of(s, &t);
	used = strlen("ttftop: ") + strlen(ri->api) + 1 + (ri->model ?
	    strlen(" model=") + strlen(ri->model) : 0);
	snprintf(line, sizeof line, "ttftop: %s %s%s%s", ri->api,
	    url_fit(url, sizeof url, ri->url, used < COMPACT_COLS - 24 ?
	    COMPACT_COLS - used : 24), ri->model ? " model=" : "",
	    ri->model ? ri->model : "");
	put_line(f, line);
	fprintf(f, "%d stage%s, %ld request%s, %ld error%s, ", stages_of(s),
	    stages_of(s) == 1 ? "" : "s", t.requests, t.requests == 1 ? "" : "s",
	    t.errors, t.errors == 1 ? "" : "s");
	if (s->canceled > 0)
		fprintf(f, "%ld canceled at quit, ", s->canceled);
	fprintf(f, "%.1f s, %s\n\n", secs,
	    s->ended ? end_reason_name(s->reason) : "incomplete");
	fprintf(f, "%-6s %9s %7s %6s %6s  %-17s %-15s %9s %7s\n", "stage",
	    s->open_loop ? "rate" : "clients", "reqs", "err", "cncl",
	    "TTFT p50/p95 ms", "TPOT p50/p95 ms", "tok/s", "req/s");
	for (k = 0; k < s->nstages; k++) {
		struct stage_stats *st = &s->stages[k];
		char label[24], load[40], ttft[40], tpot[40];

		snprintf(line, sizeof line, "%-6s %9s %7ld %6ld %6ld  %-17s %-15s %9.1f %7.2f",
		    label_stage(label, sizeof label, st),
		    label_stage_load(load, sizeof load, st), st->requests, st->errors,
		    st->canceled, p50_p95_ms(ttft, sizeof ttft, st, M_TTFT),
		    p50_p95_ms(tpot, sizeof tpot, st, M_TPOT), stats_tok_rate(st, end),
		    stats_req_rate(st, end));
		put_line(f, line);
	}
	fprintf(f, "\n%-6s  %-17s %-17s %13s %9s %11s %8s\n", "stage",
	    "TTST p50/p95 ms", "TTFO p50/p95 ms", "prefill tok/s", "in tok/s",
	    "total tok/s", "length %");
	for (k = 0; k < s->nstages; k++) {
		struct stage_stats *st = &s->stages[k];
		char label[24], ttst[40], ttfo[40], prefill[24], share[16];
		double len_share = stats_finish_share(st, FINISH_LENGTH);
		struct dist d;

		stats_dist(st, M_PREFILL_RATE, &d);
		if (d.count == 0)
			snprintf(prefill, sizeof prefill, "-");
		else
			snprintf(prefill, sizeof prefill, "%.0f", d.p[P50]);
		if (isnan(len_share))
			snprintf(share, sizeof share, "-");
		else
			snprintf(share, sizeof share, "%.1f", len_share * 100);
		fprintf(f, "%-6s  %-17s %-17s %13s %9.1f %11.1f %8s\n",
		    label_stage(label, sizeof label, st),
		    p50_p95_ms(ttst, sizeof ttst, st, M_TTST),
		    p50_p95_ms(ttfo, sizeof ttfo, st, M_TTFO), prefill,
		    stats_input_rate(st, end), stats_total_rate(st, end), share);
	}
	if (s->open_loop) {	/* what the wait was, and the server's part */
		struct dist q, sent;

		stats_dist_all(s, M_QUEUED, &q);
		stats_dist_all(s, M_TTFT_SENT, &sent);
		if (q.count > 0 && sent.count > 0)
			fprintf(f, "\nopen loop: TTFT counts from the scheduled send; "
			    "queued p50 %.1f ms, TTFT from the send p50 %.1f ms\n",
			    q.p[P50] * MS, sent.p[P50] * MS);
	}
	/* the most common kinds, each with what the server said of it */
	for (i = 0; i < COMPACT_KINDS; i++) {
		int best = ERR_NONE;

		for (k = ERR_CONNECT; k < ERR_KIND_COUNT; k++) {
			bool taken = false;
			int j;

			for (j = 0; j < ntop; j++)
				taken |= top[j] == k;
			if (!taken && t.by_kind[k] > 0 &&
			    (best == ERR_NONE || t.by_kind[k] > t.by_kind[best]))
				best = k;
		}
		if (best == ERR_NONE)
			break;
		top[ntop++] = best;
	}
	if (ntop > 0)
		fprintf(f, "\nerrors by kind, of %ld:\n", t.errors);
	for (i = 0; i < ntop; i++) {
		char status[24] = "";

		if (s->kind_status[top[i]] > 0)
			snprintf(status, sizeof status, "HTTP %d%s", s->kind_status[top[i]],
			    s->kind_detail[top[i]][0] != '\0' ? ": " : "");
		snprintf(line, sizeof line, "  %-11s %7ld  %s%s",
		    err_kind_name((enum err_kind)top[i]), t.by_kind[top[i]], status,
		    s->kind_detail[top[i]]);
		put_line(f, line);
	}
	if (s->gen.overloaded)
		fputs("generator overloaded: results not trustworthy\n", f);
}

/* JSON */

static void
json_num(struct buf *b, double v, const char *fmt)
{
	if (isnan(v) || isinf(v))
		buf_adds(b, "null");
	else
		buf_printf(b, fmt, v);
}

static void
json_dist(struct buf *b, const char *key, const struct dist *d, double scale)
{
	static const char *const pnames[NPCT] = {
		"p5", "p25", "p50", "p75", "p90", "p95", "p99", "p99.9",
	};
	int k;

	buf_printf(b, "\"%s\":{\"count\":%ld,\"mean\":", key, d->count);
	json_num(b, d->mean * scale, "%.3f");
	buf_adds(b, ",\"stddev\":");
	json_num(b, d->stddev * scale, "%.3f");
	buf_adds(b, ",\"min\":");
	json_num(b, d->min * scale, "%.3f");
	for (k = 0; k < NPCT; k++) {
		buf_printf(b, ",\"%s\":", pnames[k]);
		json_num(b, d->p[k] * scale, "%.3f");
	}
	buf_adds(b, ",\"max\":");
	json_num(b, d->max * scale, "%.3f");
	buf_addc(b, '}');
}

static const struct {
	enum metric	 m;
	const char	*key;
	double		 scale;
} json_metrics[] = {
	{ M_TTFB, "ttfb_ms", MS }, { M_TTFT, "ttft_ms", MS },
	{ M_TPOT, "tpot_ms", MS }, { M_ITL, "itl_ms", MS },
	{ M_TTLT, "ttlt_ms", MS }, { M_E2E_PER_TOKEN, "ms_per_token_e2e", MS },
	{ M_DECODE_RATE, "decode_rate_tok_s", 1 },
	{ M_TTST, "ttst_ms", MS }, { M_TTFO, "ttfo_ms", MS },
	{ M_PREFILL_RATE, "prefill_rate_tok_s", 1 },
	{ M_QUEUED, "queued_ms", MS },
	{ M_TTFT_SENT, "ttft_from_send_ms", MS },
	{ M_LATE, "lateness_ms", MS },
};

static void
json_kinds(struct buf *b, const long *by_kind)
{
	const char *sep = "";
	int k;

	buf_adds(b, "\"errors_by_kind\":{");
	for (k = ERR_CONNECT; k < ERR_KIND_COUNT; k++) {
		if (by_kind[k] == 0)
			continue;
		buf_printf(b, "%s\"%s\":%ld", sep, err_kind_name((enum err_kind)k),
		    by_kind[k]);
		sep = ",";
	}
	buf_addc(b, '}');
}

static void
json_metrics_of(struct buf *b, struct stats *s, struct stage_stats *st)
{
	struct dist d;
	size_t i;

	for (i = 0; i < sizeof json_metrics / sizeof json_metrics[0]; i++) {
		if (json_metrics[i].m >= M_QUEUED && !s->open_loop)
			continue;
		if (st != NULL)
			stats_dist(st, json_metrics[i].m, &d);
		else
			stats_dist_all(s, json_metrics[i].m, &d);
		buf_addc(b, ',');
		json_dist(b, json_metrics[i].key, &d, json_metrics[i].scale);
	}
	if (s->sessions) {
		buf_adds(b, ",\"ttft_by_turn\":{");
		if (st != NULL)
			stats_dist(st, M_TTFT_FIRST_TURN, &d);
		else
			stats_dist_all(s, M_TTFT_FIRST_TURN, &d);
		json_dist(b, "first_ms", &d, MS);
		buf_addc(b, ',');
		if (st != NULL)
			stats_dist(st, M_TTFT_LATER_TURNS, &d);
		else
			stats_dist_all(s, M_TTFT_LATER_TURNS, &d);
		json_dist(b, "later_ms", &d, MS);
		buf_addc(b, '}');
	}
}

static void
json_server(struct buf *b, struct stats *s, const struct stage_stats *st)
{
	struct dist d;
	int g;
	const char *sep = "";

	buf_adds(b, ",\"server\":{");
	for (g = 0; g < SG_COUNT; g++) {
		if (st->srv_n[g] == 0)
			continue;
		buf_printf(b, "%s\"%s\":{\"mean\":%.6g,\"max\":%.6g,\"scrapes\":%ld}",
		    sep, server_gauge_name((enum server_gauge)g), st->srv_sum[g] /
		    (double)st->srv_n[g], st->srv_max[g], st->srv_n[g]);
		sep = ",";
	}
	if (s->server_ttft) {
		double lo, hi;

		stats_server_ttft(st, &d);
		buf_adds(b, sep);
		json_dist(b, "ttft_ms", &d, MS);
		/* the p50's bucket: all the histogram knows of it (null above
		 * the last finite bound) */
		if (stats_server_ttft_bucket(st, 0.5, &lo, &hi) == 0) {
			buf_printf(b, ",\"ttft_p50_bucket_ms\":[%.6g,", lo * MS);
			if (isinf(hi))
				buf_adds(b, "null]");
			else
				buf_printf(b, "%.6g]", hi * MS);
		}
	}
	buf_addc(b, '}');
}

static void
json_goodput(struct buf *b, const struct slo *slo, const struct stage_stats *st,
    usec_t end)
{
	struct goodput g;
	int m;

	stats_goodput(st, slo, end, &g);
	buf_printf(b, ",\"goodput\":{\"req_s\":%.3f,\"met\":%ld,\"share\":", g.req_s,
	    g.met);
	json_num(b, g.total ? (double)g.met / (double)g.total : NAN, "%.4f");
	for (m = 0; m < SLO_COUNT; m++) {
		if (slo->limit[m] <= 0)
			continue;
		buf_printf(b, ",\"%s_limit_ms\":%g,\"%s_share\":",
		    slo_name((enum slo_metric)m), usec_to_sec(slo->limit[m]) * MS,
		    slo_name((enum slo_metric)m));
		json_num(b, g.total ? (double)g.met_by[m] / (double)g.total : NAN,
		    "%.4f");
	}
	buf_addc(b, '}');
}

void
summary_json(FILE *f, const struct run_info *ri, struct stats *s)
{
	struct buf b;
	struct totals t;
	usec_t start = run_start(s), end = run_end(s);
	double secs = usec_to_sec(end - start);
	int k;

	totals_of(s, &t);
	buf_init(&b);
	buf_adds(&b, "{\"target\":{\"url\":");
	buf_add_json_string(&b, ri->url);
	buf_adds(&b, ",\"api\":");
	buf_add_json_string(&b, ri->api);
	buf_adds(&b, ",\"model\":");
	if (ri->model)
		buf_add_json_string(&b, ri->model);
	else
		buf_adds(&b, "null");
	buf_printf(&b, "},\"started\":");
	buf_add_json_string(&b, ri->started);
	buf_printf(&b, ",\"reason\":\"%s\",\"duration_s\":%.6f,\"requests\":%ld,"
	    "\"errors\":%ld,\"canceled\":%ld,\"output_tokens\":%ld,"
	    "\"tokens_from_chunks\":%ld,\"warmup_requests\":%ld,\"unsent\":%ld,",
	    s->ended ? end_reason_name(s->reason) : "incomplete", secs,
	    t.requests, t.errors, s->canceled, t.tokens, t.from_chunks, s->warmup,
	    s->unsent);
	json_kinds(&b, t.by_kind);
	buf_adds(&b, ",\"stages\":[");
	for (k = 0; k < s->nstages; k++) {
		struct stage_stats *st = &s->stages[k];
		usec_t st_end = st->end != USEC_NONE ? st->end : end;

		buf_printf(&b, "%s{\"stage\":%d,", k ? "," : "", st->stage);
		if (st->segmented)
			buf_printf(&b, "\"segment\":%d,\"label\":\"%d.%d\",",
			    st->segment, st->stage, st->segment);
		if (s->open_loop) {
			buf_adds(&b, "\"rate\":");
			json_num(&b, st->rate, "%.6g");
			if (!isnan(st->rate_to)) {
				buf_adds(&b, ",\"rate_to\":");
				json_num(&b, st->rate_to, "%.6g");
			}
		} else
			buf_printf(&b, "\"clients\":%d", st->clients);
		buf_adds(&b, ",\"start_s\":");
		buf_add_usec(&b, st->start);
		buf_adds(&b, ",\"end_s\":");
		buf_add_usec(&b, st_end);
		buf_printf(&b, ",\"requests\":%ld,\"errors\":%ld,\"canceled\":%ld,"
		    "\"output_tokens\":%ld,\"tokens_from_chunks\":%ld,", st->requests,
		    st->errors, st->canceled, st->output_tokens, st->from_chunks);
		json_kinds(&b, st->by_kind);
		buf_printf(&b, ",\"input_tokens\":%ld,\"input_tokens_unknown\":%ld,"
		    "\"reasoning_tokens\":%ld,\"finish\":{\"stop\":%ld,\"length\":%ld,"
		    "\"other\":%ld,\"none\":%ld},\"stop_share\":", st->input_tokens,
		    st->input_unknown, st->reasoning_tokens, st->by_finish[FINISH_STOP],
		    st->by_finish[FINISH_LENGTH], st->by_finish[FINISH_OTHER],
		    st->by_finish[FINISH_NONE]);
		json_num(&b, stats_finish_share(st, FINISH_STOP), "%.4f");
		buf_adds(&b, ",\"length_share\":");
		json_num(&b, stats_finish_share(st, FINISH_LENGTH), "%.4f");
		buf_adds(&b, ",\"input_tok_s\":");
		json_num(&b, stats_input_rate(st, end), "%.3f");
		buf_adds(&b, ",\"total_tok_s\":");
		json_num(&b, stats_total_rate(st, end), "%.3f");
		buf_adds(&b, ",\"tok_s\":");
		json_num(&b, stats_tok_rate(st, end), "%.3f");
		buf_adds(&b, ",\"peak_tok_s\":");
		json_num(&b, stats_stage_peak(s, st, end), "%.3f");
		buf_adds(&b, ",\"req_s\":");
		json_num(&b, stats_req_rate(st, end), "%.3f");
		json_metrics_of(&b, s, st);
		if (slo_any(&ri->slo))
			json_goodput(&b, &ri->slo, st, end);
		if (ri->price.set) {
			struct cost c;

			cost_of(&ri->price, st, end, &c);
			buf_adds(&b, ",\"cost\":{\"per_mtok_out\":");
			json_num(&b, c.per_mtok_out, "%.6g");
			buf_adds(&b, ",\"per_request\":");
			json_num(&b, c.per_request, "%.6g");
			buf_adds(&b, ",\"per_hour\":");
			json_num(&b, c.per_hour, "%.6g");
			buf_printf(&b, ",\"input_unknown\":%ld}", c.input_unknown);
		}
		if (s->server)
			json_server(&b, s, st);
		buf_addc(&b, '}');
	}
	buf_adds(&b, "],\"all\":{\"tok_s\":");
	json_num(&b, secs > 0 ? t.window_tokens / secs : 0, "%.3f");
	buf_adds(&b, ",\"peak_tok_s\":");
	json_num(&b, run_peak(s, &t, start, end), "%.3f");
	buf_adds(&b, ",\"req_s\":");
	json_num(&b, secs > 0 ? (double)t.done / secs : 0, "%.3f");
	json_metrics_of(&b, s, NULL);
	buf_addc(&b, '}');
	if (!isnan(s->gen.lag_p99)) {
		buf_printf(&b, ",\"generator\":{\"cpu_s\":%.3f,\"cpu_share\":",
		    s->gen.cpu_s);
		json_num(&b, s->gen.cpu_share, "%.3f");
		buf_printf(&b, ",\"lag_p99_ms\":%.3f,\"late_p99_ms\":",
		    s->gen.lag_p99 * MS);
		json_num(&b, s->gen.late_p99 * MS, "%.3f");
		buf_adds(&b, ",\"read_delay_p99_ms\":");
		json_num(&b, s->gen.read_delay_p99 * MS, "%.3f");
		buf_printf(&b, ",\"overloaded\":%s}", s->gen.overloaded ? "true" : "false");
	}
	buf_adds(&b, "}\n");
	fputs(b.p, f);
	buf_free(&b);
}
