#!/bin/bash
# The house rules the build keeps: the engine (src/ but src/cmd/) never
# includes the screen or curses, never calls into it, never prints to the
# terminal and has no main; only src/cmd/ is built with -Itui.
. "$TESTS_DIR/sh/lib.sh"
plan 7

top=$(cd "$TESTS_DIR/.." && pwd)
build=$(cd "$(dirname "$TTFTOP_BIN")/.." && pwd)
engine_src() { find "$top/src" -name '*.[ch]' ! -path "$top/src/cmd/*"; }

inc=$(engine_src | xargs grep -lE '#include *[<"](tui\.h|screen\.h|n?curses(w/)?[a-z]*\.h|term\.h)' | sed "s|$top/||")
is "$inc" "" "no engine source includes tui.h, screen.h or curses"

prints=$(engine_src | grep -v -e '/src/xalloc.c$' -e '/src/sim/' |
	xargs grep -nE '\b(stderr|stdout)\b|(^|[^a-z_])(printf|puts|putchar|perror)\(' | sed "s|$top/||")
is "$prints" "" "no engine source prints to the terminal (fatal in xalloc.c aside)"

# symbols: what the engine's objects define and what they need
for lib in src/libttftop.a src/sim/libsim.a; do
	if [ ! -f "$build/$lib" ]; then ok 1 "$lib is built"; continue; fi
	bad=$(nm -u "$build/$lib" 2>/dev/null | awk '{ print $NF }' |
		grep -E '^(tui_|screen_|view_|term_)|^(initscr|endwin|newterm|newwin|wrefresh|wnoutrefresh|doupdate|wgetch|getch|keypad|start_color|init_pair|setupterm|tputs|mvwaddnstr|waddnstr)$' | sort -u | tr '\n' ' ')
	is "$bad" "" "$lib references no screen or curses symbol"
done
mains=$(nm --defined-only "$build/src/libttftop.a" 2>/dev/null | awk '$2 == "T" && $3 == "main"')
is "$mains" "" "the engine library has no main"

# only src/cmd/ and tui/ are compiled with -Itui
flags=$(grep -E '^[A-Za-z_]+_CPPFLAGS *=|^AM_CPPFLAGS *=' "$top/Makefile.am" | grep -- '-I$(top_srcdir)/tui\|CMD_CPPFLAGS' |
	sed 's/ *=.*//' | sort | tr '\n' ' ')
is "$flags" "CMD_CPPFLAGS src_ttftop_CPPFLAGS tui_libtui_a_CPPFLAGS " "-Itui is given to the commands and the screen alone"
tuiless=$(grep -E '^AM_CPPFLAGS' "$top/Makefile.am" | grep -c tui)
is "$tuiless" "0" "the engine's flags (AM_CPPFLAGS) have no -Itui"

done_testing
