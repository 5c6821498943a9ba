#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "writer.h"
#include "xalloc.h"

#define FILE_BUFFER (256 * 1024)	/* bytes written at once */

enum line_kind {
	LINE_TEXT,
	LINE_SYNC,		/* written and flushed up to here: tell */
	LINE_STOP		/* the shutdown sentinel */
};

struct line {
	struct line	*next;
	enum line_kind	 kind;
	size_t		 len;
	char		*text;
};

struct writer {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;		/* lines handed over */
	pthread_cond_t	 synced_cond;	/* synced moved */
	struct line	*head, *tail;	/* handed over, under lock */
	struct line	*ready, *ready_tail;	/* loop thread only: not yet */
	int		 fd;
	char		*path;
	struct buf	 out;		/* thread only: lines not yet written */
	off_t		 whole;		/* thread only: bytes of whole lines in
					   the file */
	int		 error;		/* first errno of a failed write; set
					   once, by the thread, read atomically */
	long		 syncs, synced;	/* asked (loop), done (thread, lock) */
	long		 samples;	/* loop thread only */
	struct buf	 enc;		/* loop thread's encoding buffer */
};

/* Lines wait on the loop's side until writer_hand_over: waking the thread
 * for each one would take the loop's core from it in the middle of a burst
 * of reads, once per finished request. */
static void
enqueue(struct writer *w, enum line_kind kind, char *text, size_t len)
{
	struct line *l = xmalloc(sizeof *l);

	l->next = NULL;
	l->kind = kind;
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

/* The first failed write: the file is cut back to its last whole line (a
 * reader never sees half a record) and nothing more is written, so that a
 * later, shorter line cannot land after a lost one. */
static void
write_failed(struct writer *w, int e, size_t written)
{
	const char *nl = written > 0 ? memrchr(w->out.p, '\n', written) : NULL;
	size_t keep = nl != NULL ? (size_t)(nl - w->out.p) + 1 : 0;

	w->whole += (off_t)keep;
	if (ftruncate(w->fd, w->whole) != 0) {
		/* a device or a pipe: there is nothing to cut */
	}
	__atomic_store_n(&w->error, e != 0 ? e : EIO, __ATOMIC_RELEASE);
}

/* Writes what the thread holds, whole or not at all past the first error. */
static void
write_out(struct writer *w)
{
	size_t off = 0;

	if (__atomic_load_n(&w->error, __ATOMIC_ACQUIRE) != 0) {
		w->out.len = 0;
		return;
	}
	while (off < w->out.len) {
		ssize_t n = write(w->fd, w->out.p + off, w->out.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			write_failed(w, n < 0 ? errno : ENOSPC, off);
			w->out.len = 0;
			return;
		}
		off += (size_t)n;
	}
	w->whole += (off_t)w->out.len;
	w->out.len = 0;
}

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	struct line *batch, *next;
	bool stop = false;
	long synced = 0;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	buf_init(&w->out);
	while (!stop) {
		pthread_mutex_lock(&w->lock);
		while (w->head == NULL)
			pthread_cond_wait(&w->cond, &w->lock);
		batch = w->head;
		w->head = w->tail = NULL;
		pthread_mutex_unlock(&w->lock);
		for (; batch != NULL; batch = next) {
			next = batch->next;
			if (batch->kind == LINE_STOP)
				stop = true;
			else if (batch->kind == LINE_SYNC) {
				write_out(w);
				synced++;
			} else {
				buf_add(&w->out, batch->text, batch->len);
				if (w->out.len >= FILE_BUFFER)
					write_out(w);
			}
			free(batch->text);
			free(batch);
		}
		/* the queue ran dry: let readers (tail -f, jq) see the lines */
		write_out(w);
		pthread_mutex_lock(&w->lock);
		w->synced = synced;
		pthread_cond_broadcast(&w->synced_cond);
		pthread_mutex_unlock(&w->lock);
	}
	if (fsync(w->fd) != 0 && errno != EINVAL && errno != EROFS &&
	    __atomic_load_n(&w->error, __ATOMIC_ACQUIRE) == 0)
		__atomic_store_n(&w->error, errno, __ATOMIC_RELEASE);
	buf_free(&w->out);
	return NULL;
}

struct writer *
writer_open(const char *path, bool force, char *err, size_t errlen)
{
	struct writer *w;
	struct stat st;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		if (!force) {
			close(fd);
			snprintf(err, errlen, "%s exists: not overwritten (give "
			    "--force, or another name)", path);
			return NULL;
		}
		if (ftruncate(fd, 0) != 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			return NULL;
		}
	}
	w = xcalloc(1, sizeof *w);
	w->fd = fd;
	w->path = xstrdup(path);
	buf_init(&w->enc);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	pthread_cond_init(&w->synced_cond, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0)
		fatal("cannot start the writer thread");
	pthread_setname_np(w->thread, "ttftop-writer");	/* for top -H, perf */
	return w;
}

int
writer_error(const struct writer *w, char *err, size_t errlen)
{
	int e = __atomic_load_n(&w->error, __ATOMIC_ACQUIRE);

	if (e == 0)
		return 0;
	snprintf(err, errlen, "%s: %s", w->path, strerror(e));
	return -1;
}

int
writer_sync(struct writer *w, char *err, size_t errlen)
{
	long ticket = ++w->syncs;

	enqueue(w, LINE_SYNC, NULL, 0);
	writer_hand_over(w);
	pthread_mutex_lock(&w->lock);
	while (w->synced < ticket)
		pthread_cond_wait(&w->synced_cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
	return writer_error(w, err, errlen);
}

static void
push_enc(struct writer *w)
{
	size_t len;
	char *line = buf_detach(&w->enc, &len);

	enqueue(w, LINE_TEXT, line, len);
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

	enqueue(w, LINE_STOP, NULL, 0);
	writer_hand_over(w);
	pthread_join(w->thread, NULL);
	if (close(w->fd) != 0 && w->error == 0)
		w->error = errno;
	if (w->error != 0) {
		snprintf(err, errlen, "%s: %s", w->path, strerror(w->error));
		rc = -1;
	}
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	pthread_cond_destroy(&w->synced_cond);
	buf_free(&w->enc);
	free(w->path);
	free(w);
	return rc;
}
