/* The log: failed requests, with the server's own words, and the run's
 * stages and controls among them, newest first; a list that scrolls, with
 * one entry's whole detail on Enter. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "labels.h"
#include "live.h"
#include "screen.h"
#include "stats.h"

#define DETAIL_ROWS 4

/* The entry's stage as the tables name it: "3.2" in a stage whose load
 * was changed by key, else "3"; "" for a control. */
static const char *
stage_of(const struct tui *t, char *out, size_t len, const struct live_error *e)
{
	const struct stats *s = t->m.stats;
	int k;

	out[0] = '\0';
	if (e->stage <= 0)
		return out;
	snprintf(out, len, "%d", e->stage);
	for (k = 0; s != NULL && k < s->nstages; k++)
		if (s->stages[k].stage == e->stage && s->stages[k].segment ==
		    e->segment && s->stages[k].segmented)
			return label_stage(out, len, &s->stages[k]);
	return out;
}

static void
line_of(struct tui *t, int y, const struct live_error *e, bool cursor)
{
	const char *mark = cursor ? (t->utf8 ? "\u25b6" : ">") : " ";
	char stage[24];

	stage_of(t, stage, sizeof stage, e);
	if (e->event)
		put(t, y, 0, C_ACCENT, "%s%8.1fs %8s %5s %-11s %6s  %s", mark,
		    usec_to_sec(e->t), "", stage, e->what, "", e->detail);
	else
		put(t, y, 0, e->kind == ERR_CANCELED ? C_DIM : C_BAD,
		    "%s%8.1fs %8ld %5s %-11s %6d  %s", mark, usec_to_sec(e->t), e->id,
		    stage, err_kind_name(e->kind), e->status, e->detail);
}

/* The whole detail, folded over the rows it takes. */
static void
detail(struct tui *t, int y, const struct live_error *e)
{
	int w = COLS - 4, i, len = (int)strlen(e->detail);
	char stage[24];

	if (e->event)
		put(t, y, 0, C_ACCENT, "%s at %.1f s", e->what, usec_to_sec(e->t));
	else
		put(t, y, 0, C_ACCENT, "request %ld  stage %s  %s  status %d  at %.1f s",
		    e->id, stage_of(t, stage, sizeof stage, e),
		    err_kind_name(e->kind), e->status, usec_to_sec(e->t));
	for (i = 0; i < DETAIL_ROWS - 1 && i * w < len; i++)
		put(t, y + 1 + i, 2, C_NORMAL, "%.*s", w, e->detail + i * w);
}

void
view_log(struct tui *t, int top, int rows)
{
	static long ids[LIVE_ERRORS];
	const struct live *lv = t->m.live;
	int n = 0, i, first, visible;

	while (n < LIVE_ERRORS && live_error_at(lv, n) != NULL) {
		ids[n] = lv->nentries - 1 - n;	/* an entry's number: steady */
		n++;
	}
	visible = rows - 3 - (t->log.open ? DETAIL_ROWS + 1 : 0);
	first = list_fit(&t->log, ids, n, visible);
	list_status(t, top, &t->log, n, "entries");
	if (lv->ncanceled > 0)	/* the operator's, not the server's */
		put(t, top + 1, 0, C_DIM, "%ld error%s, %ld canceled at quit; the "
		    "stages and controls among them", lv->nerrors,
		    lv->nerrors == 1 ? "" : "s", lv->ncanceled);
	else
		put(t, top + 1, 0, C_DIM, "%ld error%s; the stages and controls "
		    "among them", lv->nerrors, lv->nerrors == 1 ? "" : "s");
	put(t, top + 2, 0, C_ACCENT, " %9s %8s %5s %-11s %6s  %s", "time", "id",
	    "stage", "kind", "status", "detail");
	for (i = first; i < n && i < first + visible; i++)
		line_of(t, top + 3 + i - first, live_error_at(lv, i), i == t->log.cursor);
	if (t->log.open && n > 0)
		detail(t, top + rows - DETAIL_ROWS, live_error_at(lv, t->log.cursor));
}
