/* What frames the views: the header, the line naming the view, the
 * generator's own figures, the keys line (or a notice, or a mark's note as
 * it is typed) and the help over it all. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "live.h"
#include "player.h"
#include "stats.h"
#include "writer.h"
#include "screen.h"

#define NOTICE_SECS	2.0

static const char *const view_names[VIEW_COUNT] = {
	"overview", "distributions", "stages", "streams", "log", "server",
};

static const char *
state_word(const struct tui *t, enum colour *c)
{
	*c = C_GOOD;
	if (t->ended) {
		*c = C_ACCENT;
		return "DONE";
	}
	switch (t->s.state) {
	case LOAD_PREFLIGHT:
		*c = C_WARN;
		return "CHECKING";
	case LOAD_RUNNING:
		return "RUNNING";
	case LOAD_PAUSED:
		*c = C_WARN;
		return "PAUSED";
	case LOAD_DRAINING:
		*c = C_WARN;
		return "DRAINING";
	default:
		*c = C_ACCENT;
		return "DONE";
	}
}

#define URL_MIN_HOST	3	/* the host's characters kept at the least */
#define MODEL_MIN	8	/* a model's columns kept at the least */

/* Columns, not bytes, of UTF-8 text. */
static int
columns(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* A model's name in at most room columns: whole, else without its
 * organisation ("meta-llama/"), else its head and its tail around the
 * dots (its family and its size both stay). */
static const char *
mid_cut(const struct tui *t, const char *s, int room, char *out, size_t len)
{
	const char *dots = t->utf8 ? "\u2026" : "~", *slash = strrchr(s, '/');
	int n = (int)strlen(s), head, tail;

	if (n > room && slash != NULL && slash[1] != '\0') {
		s = slash + 1;
		n = (int)strlen(s);
	}
	if (n <= room || room < 3) {
		snprintf(out, len, "%s", s);
		return out;
	}
	head = (room - 1) / 2;
	tail = room - 1 - head;
	snprintf(out, len, "%.*s%s%s", head, s, dots, s + n - tail);
	return out;
}

/* The URL in at most room columns: whole, else cut in the middle of its
 * host, or its path dropped, but its port always kept. */
static const char *
short_url(const struct tui *t, const char *url, int room, char *out, size_t len)
{
	const char *dots = t->utf8 ? "\u2026" : "~";
	const char *host = strstr(url, "://"), *path, *port;
	int n = (int)strlen(url), keep_tail;

	if (n <= room || host == NULL) {
		snprintf(out, len, "%s", url);
		return out;
	}
	host += 3;
	path = strchr(host, '/');
	if (path == NULL)
		path = url + n;
	for (port = path; port > host && port[-1] != ':' && port[-1] != ']'; port--)
		;
	if (port == host || port[-1] != ':')
		port = path;
	else
		port--;
	/* the path first, then the host's middle, go */
	if ((int)(path - url) + 1 <= room) {
		snprintf(out, len, "%.*s%s", (int)(path - url), url, dots);
		return out;
	}
	keep_tail = (int)(path - port);
	n = room - keep_tail - 1 - (int)(host - url);
	if (n < 1) {		/* no room for the scheme either */
		url = host;
		n = room - keep_tail - 1;
	}
	if (n < 1)
		n = 1;
	snprintf(out, len, "%.*s%.*s%s%.*s", (int)(host - url), url, n, host, dots,
	    keep_tail, port);
	return out;
}

static void
draw_header(struct tui *t)
{
	const struct run_info *ri = t->m.ri;
	const struct player *p = tui_player(t);
	long secs = (long)(tui_now(t) / USEC_PER_SEC);
	char right[160], replay[64] = "";
	enum colour c;
	const char *word = state_word(t, &c);
	char left[224], url[160], model[96], stage[24];
	const struct stats *st = t->m.stats;
	const struct stage_stats *cur = st != NULL && st->nstages > 0 ?
	    &st->stages[st->nstages - 1] : NULL;
	bool keyed = false, name, api;
	int rx, room, fixed, umin;

	if (p != NULL) {
		long len = (long)(p->length / USEC_PER_SEC);	/* as the position */
		const char *x = t->utf8 ? "\u00d7" : "x";

		if (isinf(p->speed))
			snprintf(replay, sizeof replay, "/%02ld:%02ld  REPLAY %smax",
			    len / 60, len % 60, x);
		else
			snprintf(replay, sizeof replay, "/%02ld:%02ld  REPLAY %s%g",
			    len / 60, len % 60, x, p->speed);
		if (p->paused)
			strcat(replay, " paused");
	}

	put_blanks(t, 0, 0, COLS, C_TITLE);
	/* the segment under way, as the tables name it: 3.2, at a load set by
	   key */
	if (cur != NULL && cur->segmented && cur->stage == t->s.stage) {
		label_stage(stage, sizeof stage, cur);
		keyed = cur->segment > 1;
	} else
		snprintf(stage, sizeof stage, "%d", t->s.stage);
	snprintf(right, sizeof right, " stage %s/%d  %s%s  %-8s %02ld:%02ld%s ",
	    stage, t->s.nstages, t->s.load, keyed ? " (key)" : "", word, secs / 60,
	    secs % 60, replay);
	/* columns, not bytes: the sign of times is two bytes, one column */
	rx = COLS - (int)strlen(right) + (p != NULL && t->utf8);
	if (rx < 0)
		rx = 0;
	/* what gives way, in turn: the name, the URL (its path, then its host's
	 * middle, never its port), the API, then the model's middle */
	room = rx - 1;
	name = api = true;
	fixed = (int)strlen("ttftop  ") + (int)strlen(ri->api) + 2 +
	    (ri->model ? (int)strlen("model=") + (int)strlen(ri->model) + 2 : 0);
	umin = columns(short_url(t, ri->url, 0, url, sizeof url)) + URL_MIN_HOST;
	if (umin > columns(ri->url))
		umin = columns(ri->url);
	if (fixed + columns(ri->url) > room) {
		name = false;
		fixed -= (int)strlen("ttftop  ");
	}
	if (fixed + umin > room) {
		api = false;
		fixed -= (int)strlen(ri->api) + 2;
	}
	model[0] = '\0';
	if (ri->model != NULL) {
		int mroom = room - umin - (int)strlen("model=") - 2;

		mid_cut(t, ri->model, mroom < MODEL_MIN ? MODEL_MIN : mroom, model,
		    sizeof model);
	}
	snprintf(left, sizeof left, "%s%s%s%s%s%s", name ? "ttftop  " : "",
	    api ? ri->api : "", api ? "  " : "", ri->model ? "model=" : "", model,
	    ri->model ? "  " : "");
	if (room - columns(left) >= umin || room - columns(left) >= columns(ri->url))
		put(t, 0, 0, C_TITLE, "%s%s", left, short_url(t, ri->url,
		    room - columns(left), url, sizeof url));
	else
		put(t, 0, 0, C_TITLE, "%s", left);
	put(t, 0, rx, C_TITLE, "%s", right);
	/* the state word in its own colour */
	put(t, 0, rx + (int)(strstr(right, word) - right), c == C_GOOD ? C_TITLE : c,
	    "%s", word);
}

static void
update_cpu(struct tui *t)
{
	struct rusage ru;
	double now = ev_now(t->loop), used;

	if (now - t->ru_at < 1.0)
		return;
	getrusage(RUSAGE_SELF, &ru);
	used = (double)(ru.ru_utime.tv_sec - t->ru_last.ru_utime.tv_sec) +
	    (double)(ru.ru_stime.tv_sec - t->ru_last.ru_stime.tv_sec) +
	    (double)(ru.ru_utime.tv_usec - t->ru_last.ru_utime.tv_usec) / 1e6 +
	    (double)(ru.ru_stime.tv_usec - t->ru_last.ru_stime.tv_usec) / 1e6;
	if (t->ru_at > 0)
		t->cpu_pct = 100.0 * used / (now - t->ru_at);
	t->ru_last = ru;
	t->ru_at = now;
}

/* A replay shows the recorded generator's figures for the whole run. */
static void
draw_recorded_generator(struct tui *t, int y)
{
	const struct player *p = tui_player(t);
	const struct end_info *e = &p->end;
	char lag[16], late[32] = "", n[32], of[32], right[96];

	if (!p->have_end || isnan(e->lag_p99))
		put(t, y, 0, C_DIM, "recorded generator: figures not in the file  "
		    "draw %.1fms", t->draw_ms);
	else {
		if (!isnan(e->late_p99)) {
			char v[16];

			snprintf(late, sizeof late, "  lateness p99 %s",
			    label_duration(v, sizeof v, e->late_p99));
		}
		char cpu[16] = "-";

		if (!isnan(e->cpu_share))
			snprintf(cpu, sizeof cpu, "%.0f%%", 100 * e->cpu_share);
		put(t, y, 0, e->overloaded ? C_BAD : C_DIM, "recorded generator: cpu "
		    "%s  loop lag p99 %s%s%s", cpu,
		    label_duration(lag, sizeof lag, e->lag_p99), late, e->overloaded ?
		    "  generator overloaded: results not trustworthy" : "");
		if (e->overloaded)
			return;
	}
	snprintf(right, sizeof right, "%s of %s requests", label_count(n, sizeof n,
	    (double)t->m.stats->requests), label_count(of, sizeof of,
	    (double)p->nreqs));
	if ((int)strlen(right) < COLS - 60)
		put(t, y, COLS - (int)strlen(right) - 1, C_DIM, "%s", right);
}

static void
draw_generator(struct tui *t, int y)
{
	char lag[16], late[32], n[32], gen[160], right_err[256];
	usec_t now = tui_now(t), win = tui_windows[t->window];
	double lag99 = live_value(t->m.live, LM_LAG_P99, now, win);
	double late99 = live_value(t->m.live, LM_LATE_P99, now, win);
	const struct load *l = t->m.load;
	bool overloaded = l != NULL && lag_overloaded(lag99, lag_count(&l->lag),
	    late99, lag_count(&l->late), usec_to_sec(now) >= GEN_SPAN_MIN ?
	    t->cpu_pct / 100 : NAN);

	if (tui_player(t) != NULL) {
		draw_recorded_generator(t, y);
		return;
	}
	late[0] = '\0';
	if (t->s.open_loop) {
		char v[16];

		snprintf(late, sizeof late, "  lateness p99 %s",
		    isnan(late99) ? "-" : label_duration(v, sizeof v, late99));
	}
	snprintf(gen, sizeof gen, "gen: cpu %.0f%%  loop lag p99 %s%s  draw %.1fms%s",
	    t->cpu_pct, isnan(lag99) ? "-" : label_duration(lag, sizeof lag, lag99),
	    late, t->draw_ms,
	    overloaded ? "  generator overloaded: results not trustworthy" : "");
	put(t, y, 0, overloaded ? C_BAD : C_DIM, "%s", gen);
	if (writer_error(t->m.writer, right_err, sizeof right_err) != 0) {
		/* said at once, where the file's name was: what is measured
		 * from now on is not kept, and no new request starts */
		char msg[sizeof right_err + 64];
		int room = COLS - (int)strlen(gen) - 3;

		snprintf(msg, sizeof msg, "write failed: %s", right_err);
		if (overloaded || room < 20)
			put(t, y, 0, C_BAD, "%s", msg);
		else
			put(t, y, COLS - 1 - ((int)strlen(msg) < room ?
			    (int)strlen(msg) : room), C_BAD, "%.*s", room, msg);
	} else if (!overloaded) {
		const char *path = writer_path(t->m.writer), *base = strrchr(path, '/');
		char right[256];
		int pass;

		/* the whole path, else its name, else nothing: never run into
		 * the figures on the left */
		for (pass = 0; pass < 2; pass++) {
			long k = writer_samples(t->m.writer);

			snprintf(right, sizeof right, "writing %s  %s sample%s",
			    pass == 0 || base == NULL ? path : base + 1,
			    label_count(n, sizeof n, (double)k), k == 1 ? "" : "s");
			if ((int)(strlen(gen) + 2 + strlen(right)) < COLS) {
				put(t, y, COLS - (int)strlen(right) - 1, C_DIM, "%s", right);
				break;
			}
		}
	}
}

static void
draw_keys(struct tui *t, int y)
{
	char err[8];

	if (t->prompting) {
		put(t, y, 0, C_ACCENT, "mark: %s", t->prompt.text);
		put_cursor(t, y, 6 + note_columns(&t->prompt), true);
		return;
	}
	put_cursor(t, 0, 0, false);
	if (t->notice[0] != '\0' && ev_now(t->loop) < t->notice_until) {
		put(t, y, 0, C_ACCENT, "%s", t->notice);
		return;
	}
	if (tui_player(t) != NULL)
		put(t, y, 0, C_DIM, "space pause  +/- speed  %s seek 10s  Home/End  "
		    "w window  tab view  ? help  q quit", t->utf8 ?
		    "\u2190/\u2192" : "left/right");
	else if (t->ended && t->m.load != NULL && t->m.load->stop_detail[0] != '\0' &&
	    writer_error(t->m.writer, err, sizeof err) == 0) {
		/* what stopped it (a failed preflight, every request failing):
		 * said here, not only once the screen is gone (a failed write
		 * is said on the generator's line) */
		const char *d = t->m.load->stop_detail;
		int n = (int)strlen(d), room = COLS > 9 ? COLS - 9 : 0;

		if (n > room && COLS > 1) {	/* over the generator's line too */
			int cut = n < COLS - 1 ? n : COLS - 1;

			while (cut > COLS / 2 && d[cut] != ' ')	/* not in a word */
				cut--;
			if (d[cut] != ' ')
				cut = n < COLS - 1 ? n : COLS - 1;
			put_blanks(t, y - 1, 0, COLS, C_NORMAL);
			put(t, y - 1, 0, C_BAD, "%.*s", cut, d);
			d += cut + (d[cut] == ' ');
		}
		put(t, y, 0, C_BAD, "%.*s  q quit", room, d);
	} else if (t->ended)
		put(t, y, 0, C_DIM, "the run is over: tab view  w window  ? help  q quit");
	else if (t->quitting)
		put(t, y, 0, C_WARN, "quitting: waiting up to 5 s for streams in flight; "
		    "q again cancels them");
	else	/* w is in the help when the line is narrow */
		put(t, y, 0, C_DIM, "space pause  +/- %s  n next stage  m mark  "
		    "%stab view  ? help  q quit", t->s.open_loop ? "rate" : "clients",
		    COLS >= 84 ? "w window  " : "");
}

static void
draw_help(struct tui *t)
{
	static const char *const lines[] = {
		"space      pause or resume starting requests",
		"+ / -      one client more / less (open",
		"           loop: rate +10% / -10%)",
		"] / [      ten clients more / less (open",
		"           loop: rate x2 / /2)",
		"n          next stage",
		"m          mark this moment with a note",
		"q          quit (twice: cancel streams now)",
	}, *const replay_lines[] = {
		"space      pause or resume the replay",
		"+ / -      replay twice as fast / half as fast",
		"left/right back / forward 10 s",
		"Home/End   the run's start / end",
		"r          --compare: the run the views show",
		"q          quit",
	}, *const common[] = {
		"w          sparkline window: 10s, 60s, 10m",
		"tab, 1-6   overview, distributions, stages,",
		"           streams, log, server",
		"s          sort the streams view",
		"?          this help",
	};
	const char *const *first = tui_player(t) ? replay_lines : lines;
	int n1 = tui_player(t) ? (int)(sizeof replay_lines / sizeof replay_lines[0]) :
	    (int)(sizeof lines / sizeof lines[0]);
	int n = n1 + (int)(sizeof common / sizeof common[0]), w = 50, h = n + 4, i;
	int y = (LINES - h) / 2, x = (COLS - w) / 2;

	for (i = 0; i < h; i++)
		put_blanks(t, y + i, x, w, C_TITLE);
	put(t, y + 1, x + 2, C_TITLE, "keys");
	for (i = 0; i < n; i++)
		put(t, y + 3 + i, x + 2, C_TITLE, "%s", i < n1 ? first[i] :
		    common[i - n1]);
}

void
chrome_notice(struct tui *t, const char *msg)
{
	size_t n = note_fit(msg, sizeof t->notice - 1);

	memcpy(t->notice, msg, n);
	t->notice[n] = '\0';
	t->notice_until = ev_now(t->loop) + NOTICE_SECS;
}

/* The header and the view's line: rows 0 and 1. */
void
chrome_top(struct tui *t)
{
	update_cpu(t);
	draw_header(t);
	put(t, 1, 0, C_DIM, "%s  window %s", view_names[t->view],
	    tui_window_names[t->window]);
	if (t->m.nplayers > 1)
		put(t, 1, 30, C_ACCENT, "run %d/%d: %s  (r: next run)", t->sel + 1,
		    t->m.nplayers, t->m.labels[t->sel]);
}

/* The generator's line, the help over the view when open, the keys line. */
void
chrome_bottom(struct tui *t)
{
	draw_generator(t, LINES - 2);
	if (t->help)
		draw_help(t);
	draw_keys(t, LINES - 1);
}
