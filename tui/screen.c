#include "config.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>

#include "jsonl.h"
#include "live.h"
#include "load.h"
#include "run_opts.h"
#include "player.h"
#include "screen.h"
#include "stats.h"
#include "writer.h"
#include "xalloc.h"

#define FRAME		0.1	/* seconds between frames at most */
#define IDLE_FRAME	0.5	/* redraw at least this often */
#define NOTICE_SECS	2.0

#define KEY_TAB		'\t'
#define KEY_ESC		27
#define KEY_CTRL_L	12
#define KEY_ENTER_LF	'\n'
#define KEY_ENTER_CR	'\r'
#define KEY_DEL		127

const usec_t tui_windows[] = { 10 * USEC_PER_SEC, 60 * USEC_PER_SEC, 600 * USEC_PER_SEC };
const char *const tui_window_names[] = { "10s", "60s", "10m" };
#define NWINDOWS 3
#define DEFAULT_WINDOW 1

static const char *const view_names[VIEW_COUNT] = {
	"overview", "distributions", "stages", "streams", "log",
};

static struct tui *active_tui;	/* for the fatal paths */
static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
#define NCRASH_SIGNALS (sizeof crash_signals / sizeof crash_signals[0])

bool
tui_possible(void)
{
	return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
}

struct player *
tui_player(const struct tui *t)
{
	return t->m.nplayers > 0 ? t->m.players[t->sel] : NULL;
}

usec_t
tui_now(const struct tui *t)
{
	return t->s.now;
}

/* "clients 20", "rate 4.4/s", "schedule 12/100": the load now. */
static void
snapshot_load(struct tui *t)
{
	const struct load *l = t->m.load;
	struct tui_status *s = &t->s;

	s->now = load_now(l);
	s->state = l->state;
	s->stage = l->stage;
	s->nstages = l->opts->nstages;
	s->open_loop = l->opts->open_loop;
	s->in_flight = l->in_flight;
	s->waiting = load_waiting(l);
	if (!l->opts->open_loop)
		snprintf(s->load, sizeof s->load, "clients %d", l->target);
	else if (l->opts->schedule_file != NULL)
		snprintf(s->load, sizeof s->load, "schedule %zu/%zu", l->sched_pos,
		    l->opts->nsched);
	else {
		char rate[32];

		snprintf(s->load, sizeof s->load, "rate %s", label_load(rate,
		    sizeof rate, true, 0, load_rate(l), NAN));
	}
}

static void
snapshot_player(struct tui *t)
{
	const struct player *p = tui_player(t);
	struct tui_status *s = &t->s;

	s->now = p->pos;
	s->state = p->state;
	s->stage = p->stage;
	s->nstages = p->ri.nstages;
	s->open_loop = p->open_loop;
	s->in_flight = (int)p->nactive;
	s->waiting = 0;
	if (!p->open_loop)
		snprintf(s->load, sizeof s->load, "clients %d", p->clients);
	else if (isnan(p->rate))
		snprintf(s->load, sizeof s->load, "schedule");
	else {
		char rate[32];

		snprintf(s->load, sizeof s->load, "rate %s", label_load(rate,
		    sizeof rate, true, 0, player_rate(p), NAN));
	}
}

static void
snapshot(struct tui *t)
{
	if (tui_player(t) != NULL)
		snapshot_player(t);
	else
		snapshot_load(t);
}

int
tui_streams(const struct tui *t, struct stream_info *out, int max)
{
	if (tui_player(t) != NULL)
		return player_streams(tui_player(t), out, max);
	return load_streams(t->m.load, out, max);
}

static attr_t
attr_of(const struct tui *t, enum colour c)
{
	static const attr_t mono[] = {
		[C_NORMAL] = A_NORMAL, [C_GOOD] = A_NORMAL, [C_WARN] = A_BOLD,
		[C_BAD] = A_BOLD | A_REVERSE, [C_DIM] = A_DIM, [C_TITLE] = A_REVERSE,
		[C_ACCENT] = A_BOLD,
	};

	if (!t->colour || c == C_NORMAL)
		return mono[c];
	if (c == C_TITLE)
		return COLOR_PAIR(C_TITLE) | A_BOLD;
	return COLOR_PAIR(c);
}

/*
 * The loop composes a frame as a list of drawing operations in one buffer,
 * without curses; the terminal's thread carries them out on curses' screen
 * (ops_play) and sends the result. Filling curses' screens, cold in the
 * cache after half a second of network work, took the loop a few hundred
 * microseconds a frame, and the reads due meanwhile waited.
 */
#define LINES_PER_STEP	4	/* drawn between two chances for the loop to run */
enum op_kind { OP_TEXT, OP_BLANKS, OP_CURSOR };

struct op {
	attr_t		attr;
	short		y, x;
	short		n;	/* text: at most n bytes of it (-1: all); blanks:
				   how many; cursor: shown (1) or not (0) */
	unsigned short	len;	/* text: its bytes that follow, with the NUL */
	char		kind;
};

static void
op_add(struct tui *t, enum op_kind kind, int y, int x, attr_t attr, int n,
    const char *text)
{
	struct op o;
	size_t len = text != NULL ? strlen(text) + 1 : 0;

	memset(&o, 0, sizeof o);	/* the padding too: lines are hashed */
	o.attr = attr;
	o.y = (short)y;
	o.x = (short)x;
	o.n = (short)n;
	o.len = (unsigned short)len;
	o.kind = (char)kind;
	buf_add(&t->ops, &o, sizeof o);
	if (len > 0)
		buf_add(&t->ops, text, len);
}

static uint64_t
hash_add(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n-- > 0)
		h = (h ^ *c++) * 0x100000001b3ULL;	/* FNV-1a */
	return h | 1;			/* 0: a line not known */
}

/* Carries out the operations of lines [from, to] that changed. */
static void
ops_lines(const struct tui *t, int from, int to)
{
	const char *p, *end = t->ops.p + t->ops.len;
	struct op o;
	int y;

	attrset(A_NORMAL);
	for (y = from; y <= to; y++)
		if (t->line_new[y] != t->line_old[y]) {
			move(y, 0);
			clrtoeol();
		}
	for (p = t->ops.p; p < end; p += sizeof o + o.len) {
		memcpy(&o, p, sizeof o);
		if (o.kind == OP_CURSOR || o.y < from || o.y > to ||
		    t->line_new[o.y] == t->line_old[o.y])
			continue;
		attrset(o.attr);
		if (o.kind == OP_TEXT)
			mvaddnstr(o.y, o.x, p + sizeof o, o.n);
		else
			mvhline(o.y, o.x, ' ', o.n);
	}
	attrset(A_NORMAL);
	for (y = from; y <= to; y++)
		t->line_old[y] = t->line_new[y];
}

/*
 * On the terminal's thread: the frame the loop composed, into curses. Only
 * the lines that changed are drawn again, a few at a time, each few sent
 * to curses' output (the frame's file) before the next: on this kernel a
 * reading loop does not always get its core back from an idle thread
 * until that thread stops by itself, so the thread stops often.
 */
static void
ops_play(struct tui *t)
{
	const char *p, *end = t->ops.p + t->ops.len;
	struct op o, cursor = { 0 };
	int y, from = 0, changed = 0;

	if (t->repaint) {
		memset(t->line_old, 0, (size_t)LINES * sizeof *t->line_old);
		erase();
		t->repaint = false;
	}
	for (y = 0; y < LINES; y++)
		t->line_new[y] = 1;
	for (p = t->ops.p; p < end; p += sizeof o + o.len) {
		memcpy(&o, p, sizeof o);
		if (o.kind == OP_CURSOR)
			cursor = o;
		else if (o.y >= 0 && o.y < LINES)
			t->line_new[o.y] = hash_add(t->line_new[o.y], p, sizeof o + o.len);
	}
	for (y = 0; y < LINES; y++) {
		changed += t->line_new[y] != t->line_old[y];
		if (changed == LINES_PER_STEP || (y == LINES - 1 && changed > 0)) {
			ops_lines(t, from, y);
			wnoutrefresh(stdscr);
			doupdate();
			sched_yield();
			from = y + 1;
			changed = 0;
		}
	}
	if (cursor.n)
		move(cursor.y, cursor.x);
	curs_set(cursor.n);
	wnoutrefresh(stdscr);
}

void
put(struct tui *t, int y, int x, enum colour c, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (y < 0 || y >= LINES || x >= COLS)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	/* counts bytes: cut long ASCII only */
	op_add(t, OP_TEXT, y, x, attr_of(t, c), COLS - x, buf);
}

static const char *const blocks_utf8[] = {
	" ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588",
};
static const char blocks_ascii[] = " _.-:=+*#";
#define NLEVELS 8

static int
level(double v, double hi)
{
	int k;

	if (isnan(v) || hi <= 0)
		return -1;
	k = (int)ceil(v / hi * NLEVELS);
	return k < 1 ? (v > 0 ? 1 : 0) : k > NLEVELS ? NLEVELS : k;
}

void
spark(struct tui *t, int y, int x, int w, const double *v, double hi,
    enum colour c)
{
	char line[8 * 512];
	size_t n = 0;
	int i;

	if (w <= 0 || y >= LINES)
		return;
	if (w > 512)
		w = 512;
	if (hi <= 0)
		for (i = 0; i < w; i++)
			if (!isnan(v[i]) && v[i] > hi)
				hi = v[i];
	for (i = 0; i < w; i++) {
		int k = level(v[i], hi);

		if (t->utf8) {
			const char *g = k < 0 ? " " : k == 0 ? blocks_utf8[1] : blocks_utf8[k];

			memcpy(line + n, g, strlen(g));
			n += strlen(g);
		} else
			line[n++] = k < 0 ? ' ' : blocks_ascii[k == 0 ? 1 : k];
	}
	line[n] = '\0';
	op_add(t, OP_TEXT, y, x, attr_of(t, c), -1, line);
}

void
bars(struct tui *t, int y, int x, int h, const double *v, int n,
    double hi, int bar_w, enum colour c)
{
	attr_t attr = attr_of(t, c);
	int i, row, b;

	if (hi <= 0)
		for (i = 0; i < n; i++)
			if (!isnan(v[i]) && v[i] > hi)
				hi = v[i];
	for (i = 0; i < n; i++) {
		/* height in eighths of a row */
		int eighths = isnan(v[i]) || hi <= 0 ? 0 : (int)lround(v[i] / hi * h * NLEVELS);

		if (eighths == 0 && !isnan(v[i]) && v[i] > 0)
			eighths = 1;
		for (row = 0; row < h; row++) {
			int fill = eighths - (h - 1 - row) * NLEVELS;
			const char *g;
			char a[2] = { 0, 0 };

			if (fill <= 0)
				continue;
			if (fill > NLEVELS)
				fill = NLEVELS;
			if (t->utf8)
				g = blocks_utf8[fill];
			else {
				a[0] = fill == NLEVELS ? '#' : blocks_ascii[fill];
				g = a;
			}
			for (b = 0; b < bar_w; b++)
				if (x + i * (bar_w + (bar_w > 1)) + b < COLS)
					op_add(t, OP_TEXT, y + row, x + i * (bar_w + (bar_w > 1)) + b,
					    attr, -1, g);
		}
	}
}

static const char *
state_word(const struct tui *t, enum colour *c)
{
	*c = C_GOOD;
	if (t->ended) {
		*c = C_ACCENT;
		return "DONE";
	}
	switch (t->s.state) {
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

static void
draw_header(struct tui *t)
{
	const struct run_info *ri = t->m.ri;
	const struct player *p = tui_player(t);
	long secs = (long)(tui_now(t) / USEC_PER_SEC);
	char right[160], replay[64] = "";
	enum colour c;
	const char *word = state_word(t, &c);
	int rx;

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

	op_add(t, OP_BLANKS, 0, 0, attr_of(t, C_TITLE), COLS, NULL);
	put(t, 0, 0, C_TITLE, "ttftop  %s  %s%s%s", ri->api, ri->url,
	    ri->model ? "  model=" : "", ri->model ? ri->model : "");
	snprintf(right, sizeof right, " stage %d/%d  %s  %-8s %02ld:%02ld%s ",
	    t->s.stage, t->s.nstages, t->s.load, word, secs / 60, secs % 60, replay);
	/* columns, not bytes: the sign of times is two bytes, one column */
	rx = COLS - (int)strlen(right) + (p != NULL && t->utf8);
	if (rx < 0)
		rx = 0;
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
		put(t, y, 0, e->overloaded ? C_BAD : C_DIM, "recorded generator: cpu "
		    "%.0f%%  loop lag p99 %s%s%s", 100 * e->cpu_share,
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
	char lag[16], late[32], n[32];
	usec_t now = tui_now(t), win = tui_windows[t->window];
	double lag99 = live_value(t->m.live, LM_LAG_P99, now, win);
	double late99 = live_value(t->m.live, LM_LATE_P99, now, win);
	bool overloaded = lag_overloaded(lag99, late99, t->cpu_pct / 100);

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
	put(t, y, 0, overloaded ? C_BAD : C_DIM,
	    "gen: cpu %.0f%%  loop lag p99 %s%s  draw %.1fms%s", t->cpu_pct,
	    isnan(lag99) ? "-" : label_duration(lag, sizeof lag, lag99), late, t->draw_ms,
	    overloaded ? "  generator overloaded: results not trustworthy" : "");
	if (!overloaded) {
		char right[256];

		snprintf(right, sizeof right, "writing %s  %s samples",
		    writer_path(t->m.writer),
		    label_count(n, sizeof n, (double)writer_samples(t->m.writer)));
		if ((int)strlen(right) < COLS - 40)
			put(t, y, COLS - (int)strlen(right) - 1, C_DIM, "%s", right);
	}
}

static void
draw_keys(struct tui *t, int y)
{
	if (t->prompting) {
		put(t, y, 0, C_ACCENT, "mark: %s", t->prompt);
		op_add(t, OP_CURSOR, y, 6 + (int)t->prompt_len, A_NORMAL, 1, NULL);
		return;
	}
	op_add(t, OP_CURSOR, 0, 0, A_NORMAL, 0, NULL);
	if (t->notice[0] != '\0' && ev_now(t->loop) < t->notice_until) {
		put(t, y, 0, C_ACCENT, "%s", t->notice);
		return;
	}
	if (tui_player(t) != NULL)
		put(t, y, 0, C_DIM, "space pause  +/- speed  %s seek 10s  Home/End  "
		    "w window  tab view  ? help  q quit", t->utf8 ?
		    "\u2190/\u2192" : "left/right");
	else if (t->ended)
		put(t, y, 0, C_DIM, "the run is over: tab view  w window  ? help  q quit");
	else if (t->quitting)
		put(t, y, 0, C_WARN, "quitting: waiting up to 5 s for streams in flight; "
		    "q again cancels them");
	else
		put(t, y, 0, C_DIM, "space pause  +/- %s  n next stage  m mark  "
		    "w window  tab view  ? help  q quit",
		    t->s.open_loop ? "rate" : "clients");
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
		"tab, 1-5   overview, distributions, stages,",
		"           streams, log",
		"s          sort the streams view",
		"?          this help",
	};
	const char *const *first = tui_player(t) ? replay_lines : lines;
	int n1 = tui_player(t) ? (int)(sizeof replay_lines / sizeof replay_lines[0]) :
	    (int)(sizeof lines / sizeof lines[0]);
	int n = n1 + (int)(sizeof common / sizeof common[0]), w = 50, h = n + 4, i;
	int y = (LINES - h) / 2, x = (COLS - w) / 2;

	for (i = 0; i < h; i++)
		op_add(t, OP_BLANKS, y + i, x, attr_of(t, C_TITLE), w, NULL);
	put(t, y + 1, x + 2, C_TITLE, "keys");
	for (i = 0; i < n; i++)
		put(t, y + 3 + i, x + 2, C_TITLE, "%s", i < n1 ? first[i] :
		    common[i - n1]);
}

/* Waits for the frame that is out; curses is the caller's after it. */
static void
output_wait(struct tui *t)
{
	pthread_mutex_lock(&t->out_mu);
	while (t->out_frame)
		pthread_cond_wait(&t->out_cv, &t->out_mu);
	pthread_mutex_unlock(&t->out_mu);
	t->out_busy = false;
}

/* Whether curses is the loop's again: no frame out, or the one out is done.
 * If not and notify, the thread wakes the loop (out_done_cb) when it is;
 * a frame only waits for the next tick, and wakes nobody. */
static bool
output_done(struct tui *t, bool notify)
{
	if (!t->out_busy)
		return true;
	pthread_mutex_lock(&t->out_mu);
	if (t->out_frame && notify)
		t->out_notify = true;
	t->out_busy = t->out_frame;
	pthread_mutex_unlock(&t->out_mu);
	return !t->out_busy;
}

/* Hands the composed frame to the terminal's thread. */
static void
send_frame(struct tui *t)
{
	pthread_mutex_lock(&t->out_mu);
	t->out_frame = true;
	pthread_cond_signal(&t->out_cv);
	pthread_mutex_unlock(&t->out_mu);
	t->out_busy = true;
}

static void
draw(struct tui *t)
{
	int body;
	double began;

	if (!output_done(t, false)) {
		t->dirty = true;	/* the terminal is behind: a later frame */
		return;
	}
	began = ev_time();
	t->last_draw = ev_now(t->loop);
	t->dirty = false;
	t->ops.len = 0;
	if (LINES != t->rows || COLS != t->cols) {	/* the first frame, a resize */
		t->line_new = xreallocarray(t->line_new, (size_t)LINES, sizeof *t->line_new);
		t->line_old = xreallocarray(t->line_old, (size_t)LINES, sizeof *t->line_old);
		t->rows = LINES;
		t->cols = COLS;
		t->repaint = true;
	}
	if (COLS < MIN_COLS || LINES < MIN_ROWS) {
		put(t, 0, 0, C_WARN, "terminal too small: %dx%d, ttftop needs %dx%d",
		    COLS, LINES, MIN_COLS, MIN_ROWS);
		send_frame(t);
		return;
	}
	update_cpu(t);
	draw_header(t);
	put(t, 1, 0, C_DIM, "%s  window %s", view_names[t->view],
	    tui_window_names[t->window]);
	if (t->m.nplayers > 1)
		put(t, 1, 30, C_ACCENT, "run %d/%d: %s  (r: next run)", t->sel + 1,
		    t->m.nplayers, t->m.labels[t->sel]);
	body = LINES - 4;
	switch (t->view) {
	case VIEW_OVERVIEW:
		if (t->m.nplayers > 1)
			view_compare(t, 2, body);
		else
			view_overview(t, 2, body);
		break;
	case VIEW_DIST: view_dist(t, 2, body); break;
	case VIEW_STAGES: view_stages(t, 2, body); break;
	case VIEW_STREAMS: view_streams(t, 2, body); break;
	case VIEW_LOG: view_log(t, 2, body); break;
	default: break;
	}
	draw_generator(t, LINES - 2);
	if (t->help)
		draw_help(t);
	draw_keys(t, LINES - 1);
	t->draw_ms = (ev_time() - began) * 1000;
	send_frame(t);
}

static void
notice(struct tui *t, const char *msg)
{
	snprintf(t->notice, sizeof t->notice, "%s", msg);
	t->notice_until = ev_now(t->loop) + NOTICE_SECS;
}

static void
quit(struct tui *t)
{
	if (t->ended || tui_player(t) != NULL) {
		ev_break(t->loop, EVBREAK_ALL);
		return;
	}
	t->quitting = true;
	load_quit(t->m.load, END_QUIT);
}

static void
prompt_key(struct tui *t, int ch)
{
	switch (ch) {
	case KEY_ENTER_LF:
	case KEY_ENTER_CR:
	case KEY_ENTER:
		t->prompting = false;
		load_mark(t->m.load, t->prompt);
		notice(t, "marked");
		break;
	case KEY_ESC:
		t->prompting = false;
		break;
	case KEY_BACKSPACE:
	case KEY_DEL:
	case '\b':
		if (t->prompt_len > 0)
			t->prompt[--t->prompt_len] = '\0';
		break;
	default:
		if (ch >= ' ' && ch < KEY_DEL && t->prompt_len + 1 < sizeof t->prompt) {
			t->prompt[t->prompt_len++] = (char)ch;
			t->prompt[t->prompt_len] = '\0';
		}
	}
}

#define REPLAY_SEEK	(10 * USEC_PER_SEC)
#define REPLAY_FASTEST	1024.0
#define REPLAY_SLOWEST	(1 / 1024.0)

/* Shows the run's stats and live windows in the views. */
static void
show_player(struct tui *t, int i)
{
	struct player *p = t->m.players[i];

	t->sel = i;
	t->m.ri = &p->ri;
	t->m.stats = &p->stats;
	t->m.live = &p->live;
}

/* The keys that steer a replay, every player alike (--compare keeps them
 * on one clock); false for the others. */
static bool
replay_key(struct tui *t, int ch)
{
	struct player *p = tui_player(t);
	double now = ev_now(t->loop), speed = p->speed;
	usec_t to = -1;
	int i;

	switch (ch) {
	case ' ':
		for (i = 0; i < t->m.nplayers; i++)
			player_pause(t->m.players[i], !p->paused, now);
		return true;
	case '+': case '=':
		if (!isinf(speed))
			speed = speed * 2 > REPLAY_FASTEST ? INFINITY : speed * 2;
		break;
	case '-': case '_':
		if (isinf(speed))
			speed = REPLAY_FASTEST;
		else if (speed / 2 >= REPLAY_SLOWEST)
			speed /= 2;
		break;
	case KEY_RIGHT:
		to = p->pos + REPLAY_SEEK;
		break;
	case KEY_LEFT:
		to = p->pos > REPLAY_SEEK ? p->pos - REPLAY_SEEK : 0;
		break;
	case KEY_HOME:
		to = 0;
		break;
	case KEY_END:
		to = INT64_MAX;		/* each to its own end */
		break;
	case 'r':
		if (t->m.nplayers < 2)
			return false;
		show_player(t, (t->sel + 1) % t->m.nplayers);
		return true;
	default:
		return false;
	}
	for (i = 0; i < t->m.nplayers; i++) {
		p = t->m.players[i];
		if (to >= 0) {
			player_seek(p, to, now);
			p->marks_told = p->marks;	/* a seek passes marks silently */
		} else
			player_set_speed(p, speed, now);
	}
	return true;
}

static void
key(struct tui *t, int ch)
{
	struct load *l = t->m.load;

	if (t->prompting) {
		prompt_key(t, ch);
		return;
	}
	if (t->help && ch != 'q') {
		t->help = false;	/* any key closes the help */
		if (ch == '?')
			return;
	}
	if (tui_player(t) != NULL) {
		if (replay_key(t, ch)) {
			t->dirty = true;
			return;
		}
		if (ch > 0 && ch < 128 && strchr(" +=-_[]nm", ch) != NULL)
			return;		/* the engine's keys mean nothing here */
	}
	switch (ch) {
	case ' ':
		if (l->state == LOAD_PAUSED)
			load_resume(l);
		else
			load_pause(l);
		break;
	case '+': case '=':
		if (l->opts->open_loop)
			load_set_rate(l, load_rate(l) * 1.1);
		else
			load_set_clients(l, l->target + 1);
		break;
	case '-': case '_':
		if (l->opts->open_loop)
			load_set_rate(l, load_rate(l) * 0.9);
		else
			load_set_clients(l, l->target - 1);
		break;
	case ']':
		if (l->opts->open_loop)
			load_set_rate(l, load_rate(l) * 2);
		else
			load_set_clients(l, l->target + 10);
		break;
	case '[':
		if (l->opts->open_loop)
			load_set_rate(l, load_rate(l) / 2);
		else
			load_set_clients(l, l->target - 10);
		break;
	case 'n':
		load_next_stage(l);
		break;
	case 'm':
		if (l->state != LOAD_ENDED) {
			t->prompting = true;
			t->prompt_len = 0;
			t->prompt[0] = '\0';
		}
		break;
	case 'w':
		t->window = (t->window + 1) % NWINDOWS;
		break;
	case 's':
		t->sort = (enum stream_sort)((t->sort + 1) % SORT_COUNT);
		break;
	case KEY_TAB:
		t->view = (enum view)((t->view + 1) % VIEW_COUNT);
		break;
	case KEY_BTAB:
		t->view = (enum view)((t->view + VIEW_COUNT - 1) % VIEW_COUNT);
		break;
	case '1': case '2': case '3': case '4': case '5':
		t->view = (enum view)(ch - '1');
		break;
	case '?': case 'h':
		t->help = true;
		break;
	case 'q': case 'Q':
		quit(t);
		break;
	case KEY_CTRL_L:
		clearok(curscr, TRUE);
		break;
	default:
		return;		/* keys that mean nothing change nothing */
	}
	t->dirty = true;
}

static void
key_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct tui *t = w->data;
	int ch;

	if (!output_done(t, true)) {	/* curses is the terminal thread's: later */
		ev_io_stop(loop, w);
		return;
	}
	while ((ch = getch()) != ERR) {
		if (ch == KEY_RESIZE)
			t->dirty = true;
		else
			key(t, ch);
	}
	/* the frame timer draws it within FRAME, after pending socket events */
}

static void
frame_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct tui *t = w->data;
	struct load *l = t->m.load;
	struct player *p = tui_player(t);

	if (p != NULL) {
		int i;

		for (i = 0; i < t->m.nplayers; i++) {
			usec_t was;

			p = t->m.players[i];
			was = p->pos;
			player_tick(p, ev_now(loop));
			t->dirty = t->dirty || p->pos != was;
			if (p->marks > p->marks_told && p->mark != NULL) {
				long s = (long)(p->mark_t / USEC_PER_SEC);
				char msg[160];

				snprintf(msg, sizeof msg, "mark at %02ld:%02ld%s%s: %s",
				    s / 60, s % 60, t->m.nplayers > 1 ? " in " : "",
				    t->m.nplayers > 1 ? t->m.labels[i] : "", p->mark);
				notice(t, msg);
				p->marks_told = p->marks;
			}
		}
		snapshot(t);
	} else {
		snapshot(t);	/* the gauge's moment, and the frame's */
		live_gauge(t->m.live, tui_now(t), l->state == LOAD_PAUSED ? 0 :
		    l->opts->open_loop ? load_rate(l) : l->target, l->in_flight,
		    l->chunks, &l->lag);
	}
	if (!t->dirty && ev_now(loop) - t->last_draw < IDLE_FRAME - FRAME / 2)
		return;
	/* Drawn once the loop has nothing left to read: reads come in bursts
	 * (a server's chunks, a client's requests), and a frame composed in
	 * the middle of one held the rest of it back. A loop that found no
	 * such moment in a whole tick (overloaded) draws now. */
	if (ev_is_active(&t->idle_w)) {
		ev_idle_stop(loop, &t->idle_w);
		draw(t);
	} else
		ev_idle_start(loop, &t->idle_w);
}

static void
idle_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	ev_idle_stop(loop, w);
	draw(w->data);
}

static void
resize(struct tui *t)
{
	struct winsize ws;

	if (!output_done(t, true)) {
		t->resized = true;
		return;
	}
	t->resized = false;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	draw(t);
}

static void
winch_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	resize(w->data);
}

/*
 * One frame, one write. ncurses writes at every cursor jump, a system call
 * each (about ten a frame, each waking the terminal, none of them
 * preemptible here); so for doupdate() stdout is a file in memory, and the
 * frame then goes to the terminal whole, never half drawn.
 */
static void
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	for (; n > 0; p += w, n -= (size_t)w)
		if ((w = write(fd, p, n)) < 0) {
			if (errno != EINTR)
				return;
			w = 0;
		}
}

static void
write_frame(struct tui *t)
{
	off_t n;
	char *p;

	if (t->out_mem >= 0)
		dup2(t->out_mem, STDOUT_FILENO);
	ops_play(t);		/* curs_set writes at once: to the frame too */
	doupdate();
	if (t->out_mem < 0)
		return;
	dup2(t->out_tty, STDOUT_FILENO);
	n = lseek(t->out_mem, 0, SEEK_CUR);
	/* no fatal() from here: the engine's thread could be waiting on us */
	if (n > 0 && (size_t)n > t->out_cap && (p = realloc(t->out_buf, (size_t)n)) != NULL) {
		t->out_buf = p;
		t->out_cap = (size_t)n;
	}
	if (n > 0 && (size_t)n <= t->out_cap && pread(t->out_mem, t->out_buf, (size_t)n, 0) == n)
		write_all(t->out_tty, t->out_buf, (size_t)n);
	lseek(t->out_mem, 0, SEEK_SET);	/* the next frame writes over it */
}

/*
 * The terminal is written by a thread of its own. The loop composes a frame
 * (the drawing operations above) and hands it over; the thread draws and
 * sends it while the loop goes on reading, so a terminal that is slow or
 * stopped costs frames, never a late read. On a shared core the thread
 * yields to the loop (SCHED_IDLE, and a yield every few lines). The two
 * never use curses at once: while a frame is out, the loop holds keys,
 * resizes and frames back until the thread is done.
 */
static void *
output_main(void *arg)
{
	struct tui *t = arg;
	struct sched_param sp = { 0 };
	sigset_t set;
	size_t i;

	/* the engine's thread takes the signals, but for this one's crashes */
	sigfillset(&set);
	for (i = 0; i < NCRASH_SIGNALS; i++)
		sigdelset(&set, crash_signals[i]);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp);
	pthread_mutex_lock(&t->out_mu);
	for (;;) {
		while (!t->out_frame && !t->out_quit)
			pthread_cond_wait(&t->out_cv, &t->out_mu);
		if (!t->out_frame)
			break;
		pthread_mutex_unlock(&t->out_mu);
		write_frame(t);
		pthread_mutex_lock(&t->out_mu);
		t->out_frame = false;
		pthread_cond_broadcast(&t->out_cv);
		if (t->out_notify) {	/* else the loop sees it when it looks */
			t->out_notify = false;
			ev_async_send(t->loop, &t->out_done_w);
		}
	}
	pthread_mutex_unlock(&t->out_mu);
	return NULL;
}

static void
out_done_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct tui *t = w->data;

	output_wait(t);		/* done: this only orders memory */
	if (!ev_is_active(&t->key_w))
		ev_io_start(loop, &t->key_w);
	if (t->resized)
		resize(t);
}

static void
restore_terminal(void)
{
	if (active_tui == NULL || isendwin())
		return;
	if (active_tui->out_mem >= 0)	/* a crash inside write_frame */
		dup2(active_tui->out_tty, STDOUT_FILENO);
	endwin();
}

/* The fatal paths: the engine's thread gives the terminal back. */
static void
fatal_restore(void)
{
	if (active_tui != NULL)
		output_wait(active_tui);
	restore_terminal();
}

/* Ctrl-S would stop the terminal's output, and so the screen, until
 * Ctrl-Q: here it is a key like any other (and means nothing). */
static void
no_flow_control(void)
{
	struct termios tio;

	if (tcgetattr(STDIN_FILENO, &tio) == 0) {
		tio.c_iflag &= ~(tcflag_t)IXON;
		tcsetattr(STDIN_FILENO, TCSANOW, &tio);
		def_prog_mode();	/* what curses returns to after ^Z */
	}
}

static void
crash_handler(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

struct tui *
tui_start(struct ev_loop *loop, const struct tui_model *m)
{
	struct tui *t;
	const char *cs;
	size_t i;

	setlocale(LC_ALL, "");
	cs = nl_langinfo(CODESET);
	if (initscr() == NULL)
		return NULL;
	t = xcalloc(1, sizeof *t);
	t->loop = loop;
	t->m = *m;
	t->window = DEFAULT_WINDOW;
	t->utf8 = cs != NULL && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
	t->colour = has_colors() && getenv("NO_COLOR") == NULL;
	cbreak();
	noecho();
	no_flow_control();
	nodelay(stdscr, TRUE);
	typeahead(-1);	/* no polls for keys in the middle of a frame: the
			   frame goes out whole and the loop reads the keys */
	set_escdelay(25);	/* Esc cancels a mark at once */
	keypad(stdscr, TRUE);
	/* Home and End as terminals send them, whatever their terminfo says */
	define_key("\033[1~", KEY_HOME);
	define_key("\033[7~", KEY_HOME);
	define_key("\033[H", KEY_HOME);
	define_key("\033OH", KEY_HOME);
	define_key("\033[4~", KEY_END);
	define_key("\033[8~", KEY_END);
	define_key("\033[F", KEY_END);
	define_key("\033OF", KEY_END);
	curs_set(0);
	if (t->colour) {
		start_color();
		use_default_colors();
		init_pair(C_GOOD, COLOR_GREEN, -1);
		init_pair(C_WARN, COLOR_YELLOW, -1);
		init_pair(C_BAD, COLOR_RED, -1);
		init_pair(C_DIM, COLOR_CYAN, -1);
		init_pair(C_TITLE, COLOR_BLACK, COLOR_CYAN);
		init_pair(C_ACCENT, COLOR_MAGENTA, -1);
	}
	active_tui = t;
	fatal_hook = fatal_restore;
	for (i = 0; i < NCRASH_SIGNALS; i++)
		signal(crash_signals[i], crash_handler);

	ev_io_init(&t->key_w, key_cb, STDIN_FILENO, EV_READ);
	t->key_w.data = t;
	ev_io_start(loop, &t->key_w);
	ev_timer_init(&t->frame_w, frame_cb, FRAME, FRAME);
	/* bytes that arrived with the frame are read before it is drawn */
	ev_set_priority(&t->frame_w, EV_MINPRI);
	t->frame_w.data = t;
	ev_timer_start(loop, &t->frame_w);
	ev_idle_init(&t->idle_w, idle_cb);
	ev_set_priority(&t->idle_w, EV_MINPRI);	/* when nothing else is pending */
	t->idle_w.data = t;
	t->out_tty = dup(STDOUT_FILENO);
	t->out_mem = t->out_tty < 0 ? -1 : memfd_create("ttftop-frame", MFD_CLOEXEC);
	pthread_mutex_init(&t->out_mu, NULL);
	pthread_cond_init(&t->out_cv, NULL);
	ev_async_init(&t->out_done_w, out_done_cb);
	t->out_done_w.data = t;
	ev_async_start(loop, &t->out_done_w);
	if (pthread_create(&t->out_thread, NULL, output_main, t) != 0)
		fatal("cannot start the screen's thread");
	pthread_setname_np(t->out_thread, "ttftop-term");	/* for top -H, perf */
	ev_signal_init(&t->winch_w, winch_cb, SIGWINCH);
	t->winch_w.data = t;
	ev_signal_start(loop, &t->winch_w);
	t->dirty = true;
	return t;
}

bool
tui_run_ended(struct tui *t)
{
	t->ended = true;
	t->dirty = true;
	return t->quitting;
}

void
tui_stop(struct tui *t)
{
	ev_io_stop(t->loop, &t->key_w);
	ev_timer_stop(t->loop, &t->frame_w);
	ev_idle_stop(t->loop, &t->idle_w);
	ev_signal_stop(t->loop, &t->winch_w);
	ev_async_stop(t->loop, &t->out_done_w);
	tcflow(STDOUT_FILENO, TCOON);	/* a stopped terminal: its frame ends */
	pthread_mutex_lock(&t->out_mu);
	t->out_quit = true;
	pthread_cond_signal(&t->out_cv);
	pthread_mutex_unlock(&t->out_mu);
	pthread_join(t->out_thread, NULL);	/* after its last frame */
	pthread_mutex_destroy(&t->out_mu);
	pthread_cond_destroy(&t->out_cv);
	restore_terminal();
	active_tui = NULL;
	fatal_hook = NULL;
	if (t->out_mem >= 0)
		close(t->out_mem);
	if (t->out_tty >= 0)
		close(t->out_tty);
	free(t->out_buf);
	buf_free(&t->ops);
	free(t->line_new);
	free(t->line_old);
	free(t);
}
