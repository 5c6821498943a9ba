/* Shared by the screen and its views: layout, colours and drawing helpers. */
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

#define MIN_COLS	80
#define MIN_ROWS	24
#define LABEL_COLS	27	/* the figures left of a sparkline */

enum view { VIEW_OVERVIEW, VIEW_DIST, VIEW_STAGES, VIEW_STREAMS, VIEW_LOG, VIEW_COUNT };

enum colour { C_NORMAL, C_GOOD, C_WARN, C_BAD, C_DIM, C_TITLE, C_ACCENT };

enum stream_sort { SORT_AGE, SORT_TOKENS, SORT_RATE, SORT_STALLED, SORT_COUNT };

/* What the frame shows of the load, from the engine or the replay. */
struct tui_status {
	usec_t			 now;		/* run time */
	enum load_state		 state;
	int			 stage, nstages;
	bool			 open_loop;
	char			 load[48];	/* "clients 20", "rate 4.4/s" */
	int			 in_flight;
	size_t			 waiting;
};

struct tui {
	struct ev_loop		*loop;
	struct tui_model	 m;
	struct tui_status	 s;		/* taken at each frame */
	ev_io			 key_w;
	ev_timer		 frame_w;
	ev_idle			 idle_w;	/* a frame due, drawn when idle */
	ev_signal		 winch_w;
	/* the terminal's own thread (see output_main) */
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
	bool			 help;
	bool			 dirty;
	bool			 utf8;
	bool			 colour;
	bool			 ended;
	bool			 quitting;	/* q was pressed */
	bool			 prompting;	/* typing a mark's note */
	char			 prompt[120];
	size_t			 prompt_len;
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

extern const usec_t tui_windows[];
extern const char *const tui_window_names[];

usec_t tui_now(const struct tui *);
void put(struct tui *, int y, int x, enum colour, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Draws values as a sparkline of width w from 0 to hi (hi <= 0: their max). */
void spark(struct tui *, int y, int x, int w, const double *v, double hi,
    enum colour);
/* Vertical bars of height h rows, bottom at row y + h - 1. */
void bars(struct tui *, int y, int x, int h, const double *v, int n,
    double hi, int bar_w, enum colour);
struct stage_stats;
struct player;
/* A replay's shown player, or NULL in a live run. */
struct player *tui_player(const struct tui *);
/* The requests in flight, as load_streams. */
int tui_streams(const struct tui *, struct stream_info *out, int max);

void view_overview(struct tui *, int top, int rows);
void view_dist(struct tui *, int top, int rows);
void view_stages(struct tui *, int top, int rows);
void view_streams(struct tui *, int top, int rows);
void view_log(struct tui *, int top, int rows);
/* replay --compare: the runs side by side, in place of the overview */
void view_compare(struct tui *, int top, int rows);

#endif
