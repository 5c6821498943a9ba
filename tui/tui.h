/* The live screen: the only part of ttftop that uses curses. The engine's
 * state reaches it through this model, read on a frame timer. */
#ifndef TTFTOP_TUI_H
#define TTFTOP_TUI_H

#include <stdbool.h>

#include <ev.h>

struct run_info;
struct load;
struct stats;
struct live;
struct player;
struct writer;

/* A live run sets load and writer; a replay sets players instead (several
 * with --compare, named by labels): ri, stats and live are then the shown
 * player's. */
struct tui_model {
	const struct run_info	*ri;
	struct load		*load;
	struct stats		*stats;
	struct live		*live;
	struct writer		*writer;
	struct player	       **players;
	int			 nplayers;
	const char *const	*labels;
};

/* Whether a screen can be shown: stdin and stdout are terminals that
 * curses can drive. When they are terminals it cannot (TERM unset, unknown,
 * dumb), *why says so in a few words; else it is NULL. */
bool tui_possible(const char **why);
/* NULL when TERM names a terminal curses can drive; else why not. */
const char *tui_term_problem(void);
/* Takes over the terminal; NULL when curses cannot start. */
struct tui *tui_start(struct ev_loop *, const struct tui_model *);
/* The run has ended: true when the screen should close now (the user asked
 * to quit), false when it stays up until q. */
bool tui_run_ended(struct tui *);
/* Gives the terminal back. */
void tui_stop(struct tui *);

#endif
