/* Where the engine's results go. A sink is one output (the JSONL writer, the
 * statistics, the headless printer, the screen); the run and replay both feed
 * every sink the same calls in the same order. Sinks copy what they keep: the
 * sample and event are the caller's and live only for the call. */
#ifndef TTFTOP_SINK_H
#define TTFTOP_SINK_H

#include "clock.h"
#include "sample.h"

enum event_kind {
	EV_STAGE,		/* a stage begins: stage, clients */
	EV_CONTROL		/* an operator's action */
};

enum control_action {
	CTL_PAUSE,
	CTL_RESUME,
	CTL_SET_CLIENTS,
	CTL_NEXT_STAGE,
	CTL_MARK,
	CTL_QUIT,
	CTL_ACTION_COUNT
};

struct event {
	enum event_kind		 kind;
	usec_t			 t;
	int			 stage;
	int			 clients;
	enum control_action	 action;
	const char		*text;	/* mark's note, or NULL */
};

enum end_reason {
	END_COMPLETE,		/* every stage ran */
	END_QUIT,		/* the operator quit */
	END_SIGNAL		/* SIGINT or SIGTERM */
};

struct end_info {
	usec_t		 t;
	enum end_reason	 reason;
	long		 requests;
	long		 errors;
	double		 cpu_s;		/* the generator's CPU time, user + system */
};

struct sink {
	void	(*on_sample)(void *self, const struct sample *);
	void	(*on_event)(void *self, const struct event *);
	void	(*on_end)(void *self, const struct end_info *);
	void	*self;
};

const char *control_action_name(enum control_action);
int control_action_parse(const char *name, enum control_action *out);
const char *end_reason_name(enum end_reason);
int end_reason_parse(const char *name, enum end_reason *out);

#endif
