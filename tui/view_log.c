/* The log: failed requests, with the server's own words, and the run's
 * stages and controls among them, newest first. */
#include "config.h"

#include <stdio.h>

#include "live.h"
#include "screen.h"

void
view_log(struct tui *t, int top, int rows)
{
	const struct live *lv = t->m.live;
	long i;

	put(t, top, 0, C_DIM, "%ld error%s; the stages and controls among them",
	    lv->nerrors, lv->nerrors == 1 ? "" : "s");
	put(t, top + 1, 0, C_ACCENT, "%9s %8s %5s %-11s %6s  %s", "time", "id",
	    "stage", "kind", "status", "detail");
	for (i = 0; i < rows - 2; i++) {
		const struct live_error *e = live_error_at(lv, i);

		if (e == NULL)
			break;
		if (e->event) {
			char stage[16] = "";

			if (e->stage > 0)
				snprintf(stage, sizeof stage, "%d", e->stage);
			put(t, top + 2 + (int)i, 0, C_ACCENT, "%8.1fs %8s %5s %-11s %6s  %s",
			    usec_to_sec(e->t), "", stage, e->what, "", e->detail);
		}
		else
			put(t, top + 2 + (int)i, 0, e->kind == ERR_CANCELED ? C_DIM :
			    C_BAD, "%8.1fs %8ld %5d %-11s %6d  %s", usec_to_sec(e->t),
			    e->id, e->stage, err_kind_name(e->kind), e->status, e->detail);
	}
}
