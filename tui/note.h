/* A mark's note as the operator types it: UTF-8, whole characters only.
 * Keys come from getch() a byte at a time; a character is kept once all
 * its bytes are in and they spell a valid one, so the note is always valid
 * UTF-8 (the JSONL carries it as is), cut only between characters. */
#ifndef TTFTOP_NOTE_H
#define TTFTOP_NOTE_H

#include <stdbool.h>
#include <stddef.h>

#define NOTE_MAX	120	/* bytes, with the NUL */

struct note {
	char		text[NOTE_MAX];	/* NUL-terminated */
	size_t		len;
	unsigned char	seq[4];		/* a character's bytes so far */
	int		nseq, want;
};

void note_clear(struct note *);
/* A typed byte (ch from getch, 0-255); utf8: the terminal's locale is, else
 * only printable ASCII is taken. */
void note_byte(struct note *, int ch, bool utf8);
/* Removes the last character, all its bytes. */
void note_backspace(struct note *);
/* The columns the text takes on the screen. */
int note_columns(const struct note *);

/* The bytes of the UTF-8 string s that fit in max, cut between characters
 * (a replayed mark's note, longer than a notice). */
size_t note_fit(const char *s, size_t max);

#endif
