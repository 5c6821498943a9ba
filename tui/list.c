/* Lists that scroll (streams, log): a cursor that stays on its row while
 * rows move, a page of them shown, and one row's details on Enter. */
#include "config.h"

#include <limits.h>

#include "screen.h"

bool
list_key(struct list *l, int ch)
{
	int page = l->page > 1 ? l->page - 1 : 1;

	switch (ch) {
	case KEY_UP: case 'k': l->cursor--; break;
	case KEY_DOWN: case 'j': l->cursor++; break;
	/* a page turns the page, not only the cursor: other rows show */
	case KEY_PPAGE: l->cursor -= page; l->first -= page; break;
	case KEY_NPAGE: l->cursor += page; l->first += page; break;
	case KEY_HOME: l->cursor = 0; break;
	case KEY_END: l->cursor = INT_MAX / 2; break;
	/* these leave the cursor where it is: a move before them in the
	 * same frame still counts */
	case '\n': case '\r': case KEY_ENTER: l->open = !l->open; return true;
	case 27: l->open = false; return true;	/* Escape */
	default: return false;
	}
	l->follow = false;	/* a key moved it: it goes to another row */
	return true;
}

int
list_fit(struct list *l, const long *ids, int n, int visible)
{
	int i;

	l->page = visible;
	/* the row under the cursor moved: follow it, unless a key moved it */
	if (l->follow && l->cursor_id >= 0)
		for (i = 0; i < n; i++)
			if (ids[i] == l->cursor_id) {
				l->cursor = i;
				break;
			}
	l->follow = true;
	if (l->cursor >= n)
		l->cursor = n - 1;
	if (l->cursor < 0)
		l->cursor = 0;
	if (l->cursor < l->first)
		l->first = l->cursor;
	if (visible > 0 && l->cursor >= l->first + visible)
		l->first = l->cursor - visible + 1;
	if (l->first > n - visible)
		l->first = n - visible;
	if (l->first < 0)
		l->first = 0;
	l->cursor_id = n > 0 ? ids[l->cursor] : -1;
	if (n == 0)
		l->open = false;
	return l->first;
}

void
list_status(struct tui *t, int y, const struct list *l, int n, const char *what)
{
	int last = l->first + l->page < n ? l->first + l->page : n;

	if (n == 0)
		put(t, y, 0, C_DIM, "no %s", what);
	else
		put(t, y, 0, C_DIM, "%s %d-%d of %d  (arrows, PgUp/PgDn, Home/End "
		    "move; Enter shows one)", what, l->first + 1, last, n);
}
