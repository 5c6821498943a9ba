/* The keys: the engine's controls in a live run, the player's in a replay,
 * the views' in both, and a mark's note as it is typed. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "load.h"
#include "player.h"
#include "run_opts.h"
#include "screen.h"

#define KEY_TAB		'\t'
#define KEY_ESC		27
#define KEY_CTRL_L	12
#define KEY_ENTER_LF	'\n'
#define KEY_ENTER_CR	'\r'
#define KEY_DEL		127

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
		load_mark(t->m.load, t->prompt.text);
		chrome_notice(t, "marked");
		break;
	case KEY_ESC:
		t->prompting = false;
		break;
	case KEY_BACKSPACE:
	case KEY_DEL:
	case '\b':
		note_backspace(&t->prompt);
		break;
	default:
		note_byte(&t->prompt, ch, t->utf8);
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
	if (t->help) {		/* modal: a key closes it and does nothing else */
		t->help = false;
		t->dirty = true;
		return;
	}
#ifdef BUTTON5_PRESSED
	if (ch == KEY_MOUSE) {		/* the wheel: a list's arrows */
		MEVENT ev;

		if (getmouse(&ev) != OK)
			return;
		ch = ev.bstate & BUTTON4_PRESSED ? KEY_UP :
		    ev.bstate & BUTTON5_PRESSED ? KEY_DOWN : 0;
	}
#endif
	if ((t->view == VIEW_STREAMS && list_key(&t->streams, ch)) ||
	    (t->view == VIEW_LOG && list_key(&t->log, ch))) {
		t->dirty = true;
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
			note_clear(&t->prompt);
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
	case '1': case '2': case '3': case '4': case '5': case '6':
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

void
key_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct tui *t = w->data;
	int ch;

	if (!term_ready(t, true)) {	/* curses is the terminal thread's: later */
		ev_io_stop(loop, w);
		return;
	}
	while ((ch = getch()) != ERR) {
		if (ch == KEY_RESIZE)
			t->dirty = true;
		else
			key(t, ch);
	}
	/* the frame timer (screen.c) draws it within FRAME, after pending socket events */
}
