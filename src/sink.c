#include "config.h"

#include <string.h>

#include "sink.h"

static const char *const action_names[CTL_ACTION_COUNT] = {
	[CTL_PAUSE] = "pause",
	[CTL_RESUME] = "resume",
	[CTL_SET_CLIENTS] = "set_clients",
	[CTL_NEXT_STAGE] = "next_stage",
	[CTL_MARK] = "mark",
	[CTL_QUIT] = "quit",
	[CTL_SET_RATE] = "set_rate",
};

static const char *const reason_names[] = {
	[END_COMPLETE] = "complete",
	[END_QUIT] = "quit",
	[END_SIGNAL] = "signal",
	[END_PREFLIGHT] = "preflight",
	[END_ERRORS] = "errors",
};

const char *
control_action_name(enum control_action a)
{
	return (unsigned)a < CTL_ACTION_COUNT ? action_names[a] : "unknown";
}

int
control_action_parse(const char *name, enum control_action *out)
{
	int a;

	for (a = 0; a < CTL_ACTION_COUNT; a++) {
		if (strcmp(name, action_names[a]) == 0) {
			*out = (enum control_action)a;
			return 0;
		}
	}
	return -1;
}

const char *
end_reason_name(enum end_reason r)
{
	return (unsigned)r < END_REASON_COUNT ? reason_names[r] : "unknown";
}

int
end_reason_parse(const char *name, enum end_reason *out)
{
	int r;

	for (r = END_COMPLETE; r < END_REASON_COUNT; r++) {
		if (strcmp(name, reason_names[r]) == 0) {
			*out = (enum end_reason)r;
			return 0;
		}
	}
	return -1;
}
