/* `ttftop replay` in the live screen: a saved session played back on a
 * virtual clock, feeding the same statistics and live windows the run fed,
 * in the same order, as the clock passes each record's moment. */
#ifndef TTFTOP_PLAYER_H
#define TTFTOP_PLAYER_H

#include <stdbool.h>
#include <stddef.h>

#include "jsonl.h"
#include "live.h"
#include "load.h"
#include "stats.h"

struct precord;

struct player {
	struct run_info	 ri;
	struct stats	 stats;		/* what the run's sinks knew at pos */
	struct live	 live;
	struct precord	*recs;		/* the session, in the sinks' order */
	size_t		 nrecs, recs_cap;
	struct server_scrape *scrapes;	/* REC_SERVER records point here */
	size_t		 nscrapes, scrapes_cap;
	size_t		*by_start;	/* its requests, by start */
	size_t		 nreqs;
	usec_t		 length;	/* the end record's time, or the last */
	bool		 have_end;
	struct end_info	 end;		/* the recording's, when have_end */
	/* the position */
	usec_t		 pos;
	size_t		 next_rec, next_start;
	struct active	*active;	/* requests in flight at pos */
	size_t		 nactive, active_cap;
	long		 chunks;	/* content chunks received by pos */
	/* the recorded run's state at pos */
	enum load_state	 state;
	int		 stage;
	bool		 open_loop;
	int		 clients;
	double		 rate, rate_to;	/* rate_to: a --rate-ramp's end, or NAN */
	usec_t		 stage_t0, stage_t1;
	const char	*mark;		/* the last mark passed, or NULL */
	usec_t		 mark_t;
	long		 marks;		/* passed so far */
	long		 marks_told;	/* of them, shown by the screen */
	/* the clock: pos = pos0 + (wall - wall0) * speed while playing */
	double		 speed;		/* INFINITY: as fast as possible */
	bool		 paused;
	double		 wall0;
	usec_t		 pos0;
};

/* Reads the files (merged into one timeline) into p, positioned at 0 and
 * playing at speed from wall time now. Returns 0, or -1 with a message. */
int player_open(struct player *, char *const *paths, int n, double speed,
    double now, char *err, size_t errlen);
void player_close(struct player *);

/* Moves the clock to wall time now. */
void player_tick(struct player *, double now);
/* Jumps to run time to (clamped to the run), keeping the clock's state. */
void player_seek(struct player *, usec_t to, double now);
void player_set_speed(struct player *, double speed, double now);
void player_pause(struct player *, bool paused, double now);
/* The open loop's rate at pos. */
double player_rate(const struct player *);
/* As load_streams. */
int player_streams(const struct player *, struct stream_info *out, int max);

#endif
