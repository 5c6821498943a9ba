#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "writer.h"
#include "xalloc.h"

#define FILE_BUFFER (256 * 1024)

struct line {
	struct line	*next;
	size_t		 len;
	char		*text;		/* NULL: the shutdown sentinel */
};

struct writer {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	struct line	*head, *tail;	/* handed over, under lock */
	struct line	*ready, *ready_tail;	/* loop thread only: not yet */
	FILE		*f;
	char		*path;
	int		 error;		/* first errno of a failed write */
	long		 samples;	/* loop thread only */
	struct buf	 enc;		/* loop thread's encoding buffer */
};

/* Lines wait on the loop's side until writer_hand_over: waking the thread
 * for each one would take the loop's core from it in the middle of a burst
 * of reads, once per finished request. */
static void
enqueue(struct writer *w, char *text, size_t len)
{
	struct line *l = xmalloc(sizeof *l);

	l->next = NULL;
	l->text = text;
	l->len = len;
	if (w->ready_tail != NULL)
		w->ready_tail->next = l;
	else
		w->ready = l;
	w->ready_tail = l;
}

void
writer_hand_over(struct writer *w)
{
	if (w->ready == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	if (w->tail != NULL)
		w->tail->next = w->ready;
	else
		w->head = w->ready;
	w->tail = w->ready_tail;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	w->ready = w->ready_tail = NULL;
}

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	struct line *batch, *next;
	bool stop = false;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	while (!stop) {
		pthread_mutex_lock(&w->lock);
		while (w->head == NULL)
			pthread_cond_wait(&w->cond, &w->lock);
		batch = w->head;
		w->head = w->tail = NULL;
		pthread_mutex_unlock(&w->lock);
		for (; batch != NULL; batch = next) {
			next = batch->next;
			if (batch->text == NULL)
				stop = true;
			else if (fwrite(batch->text, 1, batch->len, w->f) != batch->len &&
			    w->error == 0)
				w->error = errno ? errno : EIO;
			free(batch->text);
			free(batch);
		}
		/* the queue ran dry: let readers (tail -f, jq) see the lines */
		if (fflush(w->f) != 0 && w->error == 0)
			w->error = errno;
	}
	if (fsync(fileno(w->f)) != 0 && w->error == 0 && errno != EINVAL)
		w->error = errno;
	return NULL;
}

struct writer *
writer_open(const char *path, char *err, size_t errlen)
{
	struct writer *w;
	FILE *f;

	if ((f = fopen(path, "w")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	setvbuf(f, NULL, _IOFBF, FILE_BUFFER);
	w = xcalloc(1, sizeof *w);
	w->f = f;
	w->path = xstrdup(path);
	buf_init(&w->enc);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0)
		fatal("cannot start the writer thread");
	pthread_setname_np(w->thread, "ttftop-writer");	/* for top -H, perf */
	return w;
}

static void
push_enc(struct writer *w)
{
	size_t len;
	char *line = buf_detach(&w->enc, &len);

	enqueue(w, line, len);
}

void
writer_push_run(struct writer *w, const struct run_info *ri,
    const struct run_opts *o)
{
	jsonl_run(&w->enc, ri, o);
	push_enc(w);
}

static void
on_sample(void *self, const struct sample *s)
{
	struct writer *w = self;

	jsonl_sample(&w->enc, s);
	push_enc(w);
	w->samples++;
}

static void
on_event(void *self, const struct event *e)
{
	struct writer *w = self;

	jsonl_event(&w->enc, e);
	push_enc(w);
}

static void
on_end(void *self, const struct end_info *e)
{
	struct writer *w = self;

	jsonl_end(&w->enc, e);
	push_enc(w);
}

static void
on_server(void *self, const struct server_scrape *x)
{
	struct writer *w = self;

	jsonl_server(&w->enc, x);
	push_enc(w);
}

struct sink
writer_sink(struct writer *w)
{
	struct sink k = { .on_sample = on_sample, .on_event = on_event,
	    .on_end = on_end, .on_server = on_server, .self = w };

	return k;
}

long
writer_samples(const struct writer *w)
{
	return w->samples;
}

const char *
writer_path(const struct writer *w)
{
	return w->path;
}

int
writer_close(struct writer *w, char *err, size_t errlen)
{
	int rc = 0;

	enqueue(w, NULL, 0);
	writer_hand_over(w);
	pthread_join(w->thread, NULL);
	if (fclose(w->f) != 0 && w->error == 0)
		w->error = errno;
	if (w->error != 0) {
		snprintf(err, errlen, "%s: %s", w->path, strerror(w->error));
		rc = -1;
	}
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	buf_free(&w->enc);
	free(w->path);
	free(w);
	return rc;
}
