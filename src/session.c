#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "prompts.h"
#include "session.h"
#include "xalloc.h"

void
session_done(struct session *s)
{
	cJSON_Delete(s->history);
	free(s->asked);
	memset(s, 0, sizeof *s);
}

static void
add_message(cJSON *history, const char *role, const char *content)
{
	cJSON *m = cJSON_CreateObject();

	if (m == NULL || cJSON_AddStringToObject(m, "role", role) == NULL ||
	    cJSON_AddStringToObject(m, "content", content) == NULL)
		fatal("out of memory building a conversation");
	cJSON_AddItemToArray(history, m);
}

void
session_begin(struct session *s, long id, int turns, const struct prompt *conv)
{
	session_done(s);
	s->id = id;
	s->turns = turns;
	s->conv = conv;
	if ((s->history = cJSON_CreateArray()) == NULL)
		fatal("out of memory building a conversation");
	if (conv != NULL && conv->system != NULL)
		add_message(s->history, "system", conv->system);
}

bool
session_over(const struct session *s)
{
	return s->id == 0 || s->turn >= s->turns;
}

void
session_ask(struct session *s, const char *user, struct prompt *out)
{
	const cJSON *m;
	struct buf text;
	size_t len;
	cJSON *c;

	if (s->conv != NULL && (size_t)s->turn < s->conv->nuser)
		user = s->conv->user[s->turn];
	s->turn++;
	free(s->asked);
	s->asked = xstrdup(user);
	add_message(s->history, "user", user);	/* taken back below */
	memset(out, 0, sizeof *out);
	if ((out->messages = cJSON_PrintUnformatted(s->history)) == NULL)
		fatal("out of memory building a conversation");
	buf_init(&text);
	cJSON_ArrayForEach(m, s->history) {
		c = cJSON_GetObjectItemCaseSensitive(m, "content");
		if (text.len > 0)
			buf_addc(&text, '\n');
		buf_adds(&text, c->valuestring);
	}
	out->text = buf_detach(&text, &len);
	cJSON_Delete(cJSON_DetachItemFromArray(s->history,
	    cJSON_GetArraySize(s->history) - 1));
}

void
session_end(struct session *s)
{
	s->turn = s->turns;
}

void
session_answered(struct session *s, const char *answer, size_t len)
{
	char *a = xmalloc(len + 1);

	memcpy(a, answer, len);
	a[len] = '\0';
	add_message(s->history, "user", s->asked != NULL ? s->asked : "");
	add_message(s->history, "assistant", a);
	free(a);
}
