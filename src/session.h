/* A multi-turn conversation held by one closed-loop client (--turns, or a
 * file of conversations): the history sent so far, with the model's own
 * answers, and which turn comes next. Each turn's request sends the whole
 * history and the next user message, so a server's prefix cache sees the
 * conversation grow. */
#ifndef TTFTOP_SESSION_H
#define TTFTOP_SESSION_H

#include <stdbool.h>
#include <stddef.h>

struct cJSON;
struct prompt;

struct session {
	long		 id;		/* 1-based, run-wide; 0: none begun */
	int		 turn;		/* the turn asked last, 1-based */
	int		 turns;		/* this session's */
	const struct prompt *conv;	/* the conversation it follows, or NULL */
	struct cJSON	*history;	/* the messages asked and answered */
	char		*asked;		/* the user message of the turn in flight */
};

/* Begins conversation id of turns turns, following conv's user turns (and
 * system prompt) when conv is not NULL; what s held before is freed. */
void session_begin(struct session *, long id, int turns,
    const struct prompt *conv);
void session_done(struct session *);
/* Whether every turn has been asked (or none was begun). */
bool session_over(const struct session *);
/* The next turn: its user message is conv's next user turn, else user.
 * Fills out with the history and the message, as messages (JSON) and as
 * text (their contents joined, for APIs that take one string); the caller
 * frees out->messages and out->text. */
void session_ask(struct session *, const char *user, struct prompt *out);
/* The turn asked last was lost (failed, canceled): the conversation ends,
 * and the next request begins another. */
void session_end(struct session *);
/* The turn asked last was answered with this text: it joins the history. */
void session_answered(struct session *, const char *answer, size_t len);

#endif
