/* The screen: its setup, the state it shows, the drawing primitives the
 * views compose a frame with, and the frame itself, drawn on a timer. */
#include "config.h"

#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "live.h"
#include "load.h"
#include "run_opts.h"
#include "player.h"
#include "screen.h"
#include "xalloc.h"

#define FRAME		0.1	/* seconds between frames at most */
#define IDLE_FRAME	0.5	/* redraw at least this often */

const usec_t tui_windows[NWINDOWS] = { 10 * USEC_PER_SEC, 60 * USEC_PER_SEC, 600 * USEC_PER_SEC };
const char *const tui_window_names[NWINDOWS] = { "10s", "60s", "10m" };
#define DEFAULT_WINDOW 1

bool
tui_possible(const char **why)
{
	*why = NULL;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return false;
	return (*why = tui_term_problem()) == NULL;
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

	/* an ended run's clock and charts stand at its end */
	s->now = l->state == LOAD_ENDED ? l->end_t : load_now(l);
	s->state = l->state;
	s->stage = l->stage;
	s->nstages = l->opts->nstages;
	s->open_loop = l->opts->open_loop;
	s->in_flight = l->in_flight;
	s->waiting = load_waiting(l);
	s->backing_off = l->nbacking - l->nthinking;
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

int
tui_stream_tail(const struct tui *t, long id, char *out, size_t len)
{
	if (tui_player(t) != NULL)
		return -1;	/* a saved run keeps no bytes */
	return load_stream_tail(t->m.load, id, out, len);
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
void
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

/* The bytes of s that fill at most cols columns (a UTF-8 character, one
 * column), so that a line never wraps nor ends inside a character. */
static size_t
fit_bytes(const char *s, int cols)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && cols-- <= 0)
			break;
	return i;
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
	op_add(t, OP_TEXT, y, x, attr_of(t, c), (int)fit_bytes(buf, COLS - x), buf);
}

void
put_blanks(struct tui *t, int y, int x, int n, enum colour c)
{
	op_add(t, OP_BLANKS, y, x, attr_of(t, c), n, NULL);
}

void
put_cursor(struct tui *t, int y, int x, bool shown)
{
	op_add(t, OP_CURSOR, y, x, A_NORMAL, shown, NULL);
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

static void
draw(struct tui *t)
{
	int body;
	double began;

	if (!term_ready(t, false)) {
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
		term_send(t);
		return;
	}
	chrome_top(t);
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
	case VIEW_SERVER: view_server(t, 2, body); break;
	default: break;
	}
	chrome_bottom(t);
	t->draw_ms = (ev_time() - began) * 1000;
	term_send(t);
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
				chrome_notice(t, msg);
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

void
tui_resize(struct tui *t)
{
	struct winsize ws;

	if (!term_ready(t, true)) {
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
	tui_resize(w->data);
}

struct tui *
tui_start(struct ev_loop *loop, const struct tui_model *m)
{
	struct tui *t;
	const char *cs;

	setlocale(LC_ALL, "");
	cs = nl_langinfo(CODESET);
	if (initscr() == NULL)
		return NULL;
	t = xcalloc(1, sizeof *t);
	t->streams.cursor_id = t->log.cursor_id = -1;
	t->loop = loop;
	t->m = *m;
	t->window = DEFAULT_WINDOW;
	t->utf8 = cs != NULL && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
	t->colour = has_colors() && getenv("NO_COLOR") == NULL;
	cbreak();
	noecho();
	term_no_flow_control();
	nodelay(stdscr, TRUE);
	typeahead(-1);	/* no polls for keys in the middle of a frame: the
			   frame goes out whole and the loop reads the keys */
	set_escdelay(25);	/* Esc cancels a mark at once */
	keypad(stdscr, TRUE);
#ifdef BUTTON5_PRESSED
	mousemask(BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);	/* the wheel scrolls lists */
#endif
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
	term_start(t);
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
	term_stop(t);
	buf_free(&t->ops);
	free(t->line_new);
	free(t->line_old);
	free(t);
}
