#include "config.h"

#include <string.h>
#include <wchar.h>

#include "note.h"

#define ASCII_END	0x80
#define KEY_DEL		127
#define IS_CONT(b)	(((b) & 0xc0) == 0x80)

void
note_clear(struct note *n)
{
	memset(n, 0, sizeof *n);
}

/* The bytes a character takes, from its first; 0: not a first byte. */
static int
seq_len(unsigned char b)
{
	if (b >= 0xc2 && b <= 0xdf)
		return 2;
	if (b >= 0xe0 && b <= 0xef)
		return 3;
	if (b >= 0xf0 && b <= 0xf4)
		return 4;
	return 0;
}

/* The code point of a whole sequence, or -1 when it is no character
 * (overlong, a surrogate, beyond U+10FFFF). */
static long
decode(const unsigned char *s, int len)
{
	static const long least[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	long cp = s[0] & (0x7f >> len);
	int i;

	for (i = 1; i < len; i++)
		cp = cp << 6 | (s[i] & 0x3f);
	if (cp < least[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	return cp;
}

static void
append(struct note *n, const unsigned char *s, int len)
{
	if (n->len + (size_t)len >= sizeof n->text)
		return;		/* full: the note ends before this character */
	memcpy(n->text + n->len, s, (size_t)len);
	n->len += (size_t)len;
	n->text[n->len] = '\0';
}

void
note_byte(struct note *n, int ch, bool utf8)
{
	unsigned char b = (unsigned char)ch;

	if (ch < 0 || ch > 0xff)
		return;
	if (ch < ASCII_END) {
		n->nseq = 0;	/* a character cut short is dropped */
		if (ch >= ' ' && ch < KEY_DEL)
			append(n, &b, 1);
		return;
	}
	if (!utf8)
		return;
	if (!IS_CONT(b)) {
		n->want = seq_len(b);
		n->nseq = 0;
		if (n->want == 0)
			return;
	} else if (n->nseq == 0)
		return;		/* a stray continuation byte */
	n->seq[n->nseq++] = b;
	if (n->nseq < n->want)
		return;
	if (decode(n->seq, n->nseq) >= 0)
		append(n, n->seq, n->nseq);
	n->nseq = 0;
}

void
note_backspace(struct note *n)
{
	n->nseq = 0;
	while (n->len > 0 && IS_CONT((unsigned char)n->text[n->len - 1]))
		n->len--;
	if (n->len > 0)
		n->len--;
	n->text[n->len] = '\0';
}

int
note_columns(const struct note *n)
{
	const unsigned char *s = (const unsigned char *)n->text;
	size_t i = 0;
	int cols = 0, len, w;

	while (i < n->len) {
		len = s[i] < ASCII_END ? 1 : seq_len(s[i]);
		w = len == 1 ? 1 : wcwidth((wchar_t)decode(s + i, len));
		cols += w < 0 ? 1 : w;
		i += (size_t)len;
	}
	return cols;
}

size_t
note_fit(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	for (n = max; n > 0 && IS_CONT((unsigned char)s[n]); n--)
		;
	return n;
}
