/* Shared by the screen's files and its views: layout, colours, drawing
 * helpers, and what screen.c, term.c, keys.c and chrome.c give each other. */
#ifndef TTFTOP_SCREEN_H
#define TTFTOP_SCREEN_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#include <curses.h>

#include "tui.h"
#include "buf.h"
#include "labels.h"
#include "clock.h"
#include "load.h"
#include "note.h"

#define MIN_COLS	80
#define MIN_ROWS	24
#define LABEL_COLS	27	/* the figures left of a sparkline */

enum view { VIEW_OVERVIEW, VIEW_DIST, VIEW_STAGES, VIEW_STREAMS, VIEW_LOG,
    VIEW_SERVER, VIEW_COUNT };

enum colour { C_NORMAL, C_GOOD, C_WARN, C_BAD, C_DIM, C_TITLE, C_ACCENT };

enum stream_sort { SORT_AGE, SORT_TOKENS, SORT_RATE, SORT_STALLED, SORT_COUNT };

/* A list that scrolls (list.c). */
struct list {
	int	first;		/* the first row shown */
	int	cursor;
	long	cursor_id;	/* the row it is on, followed as rows move */
	int	page;		/* rows shown at the last frame */
	bool	open;		/* the cursor row's details shown */
	bool	follow;		/* off for the frame after a key moved it */
};
/* A key of a list (arrows, j/k, PgUp/PgDn, Home/End, Enter, Escape):
 * true when it was one. */
bool list_key(struct list *, int ch);
/* Places the cursor and the page among n rows of these ids, visible at a
 * time; returns the first row to show. */
int list_fit(struct list *, const long *ids, int n, int visible);
/* "streams 1-28 of 46" and the keys. */
void list_status(struct tui *, int y, const struct list *, int n, const char *what);

/* What the frame shows of the load, from the engine or the replay. */
struct tui_status {
	usec_t			 now;		/* run time */
	enum load_state		 state;
	int			 stage, nstages;
	bool			 open_loop;
	char			 load[48];	/* "clients 20", "rate 4.4/s" */
	int			 in_flight;
	size_t			 waiting;
	int			 backing_off;	/* clients waiting after a failure */
};

struct tui {
	struct ev_loop		*loop;
	struct tui_model	 m;
	struct tui_status	 s;		/* taken at each frame */
	ev_io			 key_w;
	ev_timer		 frame_w;
	ev_idle			 idle_w;	/* a frame due, drawn when idle */
	ev_signal		 winch_w;
	/* the terminal's own thread (see term.c) */
	pthread_t		 out_thread;
	pthread_mutex_t		 out_mu;
	pthread_cond_t		 out_cv;
	bool			 out_frame;	/* under out_mu: a frame to send */
	bool			 out_quit;	/* under out_mu */
	bool			 out_notify;	/* under out_mu: the loop waits for the frame */
	ev_async		 out_done_w;
	int			 out_tty;	/* the terminal (a dup of stdout) */
	int			 out_mem;	/* a frame's bytes, or -1 */
	char			*out_buf;
	size_t			 out_cap;
	bool			 out_busy;	/* the loop's: a frame is out */
	struct buf		 ops;		/* the frame composed (see op_add) */
	/* the lines of the frame, as the terminal's thread last drew them */
	uint64_t		*line_new, *line_old;	/* hashes; 0: unknown */
	int			 rows, cols;	/* the screen they are for */
	bool			 repaint;	/* all of it: the first, a resize */
	bool			 resized;	/* a resize came while it was */
	enum view		 view;
	int			 window;	/* index into tui_windows */
	enum stream_sort	 sort;
	struct list		 streams, log;	/* their views' lists */
	bool			 help;
	bool			 dirty;
	bool			 utf8;
	bool			 colour;
	bool			 ended;
	bool			 quitting;	/* q was pressed */
	bool			 prompting;	/* typing a mark's note */
	struct note		 prompt;	/* the note, while prompting */
	char			 notice[160];
	int			 sel;		/* replay: the player shown */
	double			 notice_until;
	double			 last_draw;
	double			 draw_ms;	/* what the last frame cost */
	/* the generator's own CPU use */
	struct rusage		 ru_last;
	double			 ru_at;
	double			 cpu_pct;
};

#define NWINDOWS	3
extern const usec_t tui_windows[];
extern const char *const tui_window_names[];

/* screen.c: the frame and what it is drawn with */
usec_t tui_now(const struct tui *);
/* Resizes and redraws now, or once the terminal's thread is done. */
void tui_resize(struct tui *);
/* On the terminal's thread only: the composed frame, into curses. */
void ops_play(struct tui *);
void put(struct tui *, int y, int x, enum colour, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* n blank columns in the colour c. */
void put_blanks(struct tui *, int y, int x, int n, enum colour);
/* The cursor where the frame leaves it, or hidden. */
void put_cursor(struct tui *, int y, int x, bool shown);
/* Draws values as a sparkline of width w from 0 to hi (hi <= 0: their max). */
void spark(struct tui *, int y, int x, int w, const double *v, double hi,
    enum colour);
/* Vertical bars of height h rows, bottom at row y + h - 1. */
void bars(struct tui *, int y, int x, int h, const double *v, int n,
    double hi, int bar_w, enum colour);
/* chart.c: a metric over the window, and the time axis under the charts */
struct chart {
	const double	*main;		/* one value a column; NAN: no data */
	const double	*behind;	/* or NULL: shaded behind, same scale */
	enum colour	(*colour)(struct tui *, double);  /* a column's own */
	enum colour	 c;		/* else */
	bool		 duration;	/* the top as a duration, else a count */
};
/* h rows at columns x..x+w-1, its top value left of x; returns the top. */
double chart_draw(struct tui *, int y, int x, int w, int h, const struct chart *);
/* Two rows: the axis, exactly the window long, with where stages, segments
 * and marks began; its labels under it. */
void chart_time_axis(struct tui *, int y, int x, int w, usec_t now, usec_t window);

struct stage_stats;
struct player;
/* A replay's shown player, or NULL in a live run. */
struct player *tui_player(const struct tui *);
/* The requests in flight, as load_streams. */
int tui_streams(const struct tui *, struct stream_info *out, int max);
/* The last bytes request id sent, as load_stream_tail; -1 in a replay. */
int tui_stream_tail(const struct tui *, long id, char *out, size_t len);

/* term.c: the terminal's thread and who may touch curses when */
/* Starts the thread and the fatal paths, once curses is set up. */
void term_start(struct tui *);
/* Ends the thread after its last frame and gives the terminal back. */
void term_stop(struct tui *);
/* Whether curses is the loop's; if not and notify, the thread says when. */
bool term_ready(struct tui *, bool notify);
/* Hands the composed frame to the terminal's thread. */
void term_send(struct tui *);
/* Ctrl-S and Ctrl-Q are keys, not flow control that stops the screen. */
void term_no_flow_control(void);

/* keys.c: the keyboard's watcher, steering the load, the replay, the views */
void key_cb(struct ev_loop *, ev_io *, int);

/* chrome.c: what frames the views */
/* Rows 0 and 1: the header, and which view in which window. */
void chrome_top(struct tui *);
/* The generator's line, the help when open, the keys line. */
void chrome_bottom(struct tui *);
/* A message in the keys line for a moment. */
void chrome_notice(struct tui *, const char *);

void view_overview(struct tui *, int top, int rows);
void view_dist(struct tui *, int top, int rows);
void view_stages(struct tui *, int top, int rows);
void view_streams(struct tui *, int top, int rows);
void view_log(struct tui *, int top, int rows);
void view_server(struct tui *, int top, int rows);
/* replay --compare: the runs side by side, in place of the overview */
void view_compare(struct tui *, int top, int rows);

#endif
