/* Where the engine's results go. A sink is one output (the JSONL writer, the
 * statistics, the headless printer, the screen); the run and replay both feed
 * every sink the same calls in the same order. Sinks copy what they keep: the
 * sample and event are the caller's and live only for the call. */
#ifndef TTFTOP_SINK_H
#define TTFTOP_SINK_H

#include <stdbool.h>

#include "clock.h"
#include "sample.h"
#include "slo.h"

enum event_kind {
	EV_STAGE,		/* a stage begins: stage, clients or rate */
	EV_CONTROL		/* an operator's action */
};

enum control_action {
	CTL_PAUSE,
	CTL_RESUME,
	CTL_SET_CLIENTS,
	CTL_NEXT_STAGE,
	CTL_MARK,
	CTL_QUIT,
	CTL_SET_RATE,
	CTL_ACTION_COUNT
};

struct event {
	enum event_kind		 kind;
	usec_t			 t;
	int			 stage;
	int			 segment;	/* EV_STAGE: 1, or the next after a
						   load change by key */
	bool			 by_key;	/* EV_STAGE: that change */
	int			 clients;
	bool			 open_loop;
	double			 rate;	/* open loop: requests/s; NAN for a
					   --schedule stage */
	double			 rate_to; /* a --rate-ramp stage ends at this;
					   else NAN */
	enum control_action	 action;
	const char		*text;	/* mark's note, or NULL */
};

enum end_reason {
	END_COMPLETE,		/* every stage ran */
	END_QUIT,		/* the operator quit */
	END_SIGNAL,		/* SIGINT or SIGTERM */
	END_PREFLIGHT,		/* the request sent alone first failed */
	END_ERRORS,		/* --max-errors failed in a row, or the
				   generator ran out of a resource */
	END_REASON_COUNT
};

/* Goodput of one stage under --slo. */
struct goodput {
	int	stage;
	int	segment;		/* 0 when the stage has one */
	long	total;			/* requests, warm-up excluded */
	long	met;			/* of them, meeting every objective */
	long	met_by[SLO_COUNT];
	double	req_s;			/* met per second of the stage */
};

struct assert_result;

struct end_info {
	usec_t			 t;
	enum end_reason		 reason;
	long			 requests;
	long			 errors;		/* failed, cancels left out */
	long			 canceled;	/* ended by the operator's quit */
	long			 unsent;	/* open loop: due sends never made */
	double			 cpu_s;		/* the generator's CPU, user + system */
	/* the generator's own overhead over the run; NAN when not known */
	double			 cpu_share;	/* cpu_s / the run's length */
	double			 lag_p99;	/* loop lag of every read, s */
	double			 late_p99;	/* open loop: lateness of sends, s */
	double			 read_delay_p99; /* direct transport: how long
						   bytes waited in the socket
						   to be read, s */
	bool			 overloaded;	/* lag_overloaded */
	const char		*detail;	/* why a preflight or errors
						   end stopped the run, or NULL */
	const struct slo	*slo;		/* NULL when none was set */
	const struct goodput	*goodput;	/* one per stage, with slo */
	int			 ngoodput;
	const struct assert_result *asserts;	/* --assert's verdicts */
	int			 nasserts;
};

/* The load as it stands, told once a second while it runs, for outputs
 * that show progress without reading the controller. */
struct gauge {
	usec_t		 t;
	int		 stage, nstages;
	const char	*state;		/* "running", "paused", "draining" */
	bool		 open_loop;
	int		 clients;	/* closed loop: wanted */
	double		 rate;		/* open loop: now */
	bool		 schedule;	/* open loop from a --schedule file */
	size_t		 sched_pos, nsched;
	size_t		 waiting;	/* due, behind --max-concurrency */
	int		 in_flight;
	int		 backing_off;	/* closed loop: clients waiting after a
					   failure */
	long		 chunks;	/* content chunks received so far */
};

/* One scrape of the server's own metrics: the series kept, by the
 * server's names, summed over their label sets (a histogram's buckets
 * kept apart, as name{le="bound"}); or a gap. */
#define SERVER_SERIES	64
struct server_scrape {
	usec_t		 t;		/* when it was asked, run time */
	const char	*source;	/* the URL scraped */
	int		 n;
	char		 names[SERVER_SERIES][96];
	double		 values[SERVER_SERIES];
	const char	*error;		/* a gap: why; NULL when whole */
	const char	*warning;	/* what is odd in it, said once; or NULL */
};

struct sink {
	void	(*on_sample)(void *self, const struct sample *);
	/* a request's first token, as it comes: its sample so far (start,
	   TTFT, stage); or NULL. Heard before the request's on_sample. */
	void	(*on_first)(void *self, const struct sample *);
	void	(*on_event)(void *self, const struct event *);
	void	(*on_end)(void *self, const struct end_info *);
	void	(*on_gauge)(void *self, const struct gauge *);	/* or NULL */
	void	(*on_server)(void *self, const struct server_scrape *); /* or NULL */
	void	*self;
};

const char *control_action_name(enum control_action);
int control_action_parse(const char *name, enum control_action *out);
const char *end_reason_name(enum end_reason);
int end_reason_parse(const char *name, enum end_reason *out);

#endif
