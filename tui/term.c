/*
 * The terminal's thread, and the rule of who may touch curses when. Curses
 * is not thread-safe, so it has one user at a time:
 *
 * - The loop's thread owns it, but from term_send until the terminal's
 *   thread is done with that frame it is the terminal thread's, and the
 *   loop touches nothing of curses: no getch, no resize, no next frame
 *   (which reads LINES and COLS). Each of those asks term_ready first and
 *   waits for a later moment when it says no.
 * - The terminal's thread touches curses only between taking a frame and
 *   handing it back (write_frame), and nothing else of the screen's.
 * - The fatal paths on the loop's thread wait for the frame out before they
 *   end curses; a crash gives the terminal back from whichever thread it
 *   hit, without waiting, as the process is about to die.
 *
 * Nothing outside this file hands frames over or waits for them.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>

#include "screen.h"
#include "xalloc.h"

static struct tui *active_tui;	/* for the fatal paths */
static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
#define NCRASH_SIGNALS (sizeof crash_signals / sizeof crash_signals[0])

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
bool
term_ready(struct tui *t, bool notify)
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
void
term_send(struct tui *t)
{
	pthread_mutex_lock(&t->out_mu);
	t->out_frame = true;
	pthread_cond_signal(&t->out_cv);
	pthread_mutex_unlock(&t->out_mu);
	t->out_busy = true;
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
 * (the drawing operations of screen.c) and hands it over; the thread draws
 * and sends it while the loop goes on reading, so a terminal that is slow or
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

/* The frame out is done: what waited for curses goes on. */
static void
out_done_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct tui *t = w->data;

	output_wait(t);		/* done: this only orders memory */
	if (!ev_is_active(&t->key_w))
		ev_io_start(loop, &t->key_w);
	if (t->resized)
		tui_resize(t);
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
void
term_no_flow_control(void)
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

/* The fatal paths, then the thread: curses is set up and the loop's. */
void
term_start(struct tui *t)
{
	size_t i;

	active_tui = t;
	fatal_hook = fatal_restore;
	for (i = 0; i < NCRASH_SIGNALS; i++)
		signal(crash_signals[i], crash_handler);
	t->out_tty = dup(STDOUT_FILENO);
	t->out_mem = t->out_tty < 0 ? -1 : memfd_create("ttftop-frame", MFD_CLOEXEC);
	pthread_mutex_init(&t->out_mu, NULL);
	pthread_cond_init(&t->out_cv, NULL);
	ev_async_init(&t->out_done_w, out_done_cb);
	t->out_done_w.data = t;
	ev_async_start(t->loop, &t->out_done_w);
	if (pthread_create(&t->out_thread, NULL, output_main, t) != 0)
		fatal("cannot start the screen's thread");
	pthread_setname_np(t->out_thread, "ttftop-term");	/* for top -H, perf */
}

/* The thread ends after its last frame; the terminal is given back. */
void
term_stop(struct tui *t)
{
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
}

/* Last in the file: term.h defines names such as "lines" as macros. */
#include <stdio.h>
#include <term.h>

const char *
tui_term_problem(void)
{
	static char why[128];
	const char *term = getenv("TERM");
	const char *cup;
	int err = 0;

	if (term == NULL || term[0] == '\0')
		return "TERM is not set";
	/* what initscr would do, without its exit on an unknown TERM */
	if (setupterm(NULL, STDOUT_FILENO, &err) != OK) {
		snprintf(why, sizeof why, "TERM=%.40s is not a terminal this system "
		    "knows", term);
		return why;
	}
	cup = tigetstr("cup");
	del_curterm(cur_term);
	if (cup == NULL || cup == (char *)-1) {
		snprintf(why, sizeof why, "TERM=%.40s cannot move the cursor", term);
		return why;
	}
	return NULL;
}
