/* The floor: the least a client can do to time a streamed answer. Plain
 * HTTP/1.1 over non-blocking sockets and one epoll set, no libraries; each
 * content chunk of the sim's SSE stream is stamped with CLOCK_MONOTONIC when
 * the read that brought it returns. It writes its samples as ttftop's JSONL
 * (run, request and end records), so the benchmarks judge both alike.
 *
 *   floor HOST PORT STREAMS SECONDS OUT.jsonl
 *
 * Each stream sends POST /v1/chat/completions again as soon as the last
 * answer ends, for SECONDS; X-Request-Id is 1-ID, as ttftop sends PREFIX-ID. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHUNKS 4096

struct stream {
	int		 fd;
	int		 client;
	long		 id;		/* request in flight; 0 when none */
	long long	 start;		/* us */
	long long	*chunks;
	int		 n;
	char		 line[512];	/* a line not yet ended */
	size_t		 len;
};

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static struct sockaddr_in addr;
static FILE *out;
static long long mono0;
static long next_id = 1, done_requests;

static void
send_request(struct stream *s)
{
	static const char body[] = "{\"messages\":[{\"role\":\"user\",\"content\":"
	    "\"hi\"}],\"model\":\"sim\",\"stream\":true}";
	char req[512];
	int n;

	s->id = next_id++;
	s->n = 0;
	s->len = 0;
	n = snprintf(req, sizeof req, "POST /v1/chat/completions HTTP/1.1\r\n"
	    "Host: %s\r\nContent-Type: application/json\r\nX-Request-Id: 1-%ld\r\n"
	    "Content-Length: %zu\r\n\r\n%s", inet_ntoa(addr.sin_addr), s->id,
	    sizeof body - 1, body);
	s->start = now_us();
	if (send(s->fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
		perror("floor: send");
		exit(1);
	}
}

static void
finish(struct stream *s)
{
	int i;

	fprintf(out, "{\"type\":\"request\",\"id\":%ld,\"stage\":1,\"client\":%d,"
	    "\"t\":%.6f,\"output_tokens\":%d,\"chunks\":[", s->id, s->client,
	    (s->start - mono0) / 1e6, s->n);
	for (i = 0; i < s->n; i++)
		fprintf(out, "%s%.6f", i ? "," : "", (s->chunks[i] - s->start) / 1e6);
	fprintf(out, "],\"status\":200,\"error\":null}\n");
	s->id = 0;
	done_requests++;
}

/* One whole line of the answer: a content chunk, the end, or neither. */
static int
line(struct stream *s, long long at)
{
	const char *c;

	if (strncmp(s->line, "data: [DONE]", 12) == 0)
		return 1;
	if (strncmp(s->line, "data: {", 7) == 0 &&
	    (c = strstr(s->line, "\"content\":\"")) != NULL && c[11] != '"' &&
	    s->n < MAX_CHUNKS)
		s->chunks[s->n++] = at;
	return 0;
}

int
main(int argc, char **argv)
{
	struct epoll_event ev, evs[256];
	struct stream *st;
	struct rusage ru;
	long long end;
	int ep, n, i, live;

	if (argc != 6) {
		fprintf(stderr, "usage: floor HOST PORT STREAMS SECONDS OUT.jsonl\n");
		return 2;
	}
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_port = htons((unsigned short)atoi(argv[2]));
	inet_pton(AF_INET, argv[1], &addr.sin_addr);
	n = atoi(argv[3]);
	if ((out = fopen(argv[5], "w")) == NULL) {
		perror(argv[5]);
		return 2;
	}
	st = calloc((size_t)n, sizeof *st);
	ep = epoll_create1(0);
	mono0 = now_us();
	end = mono0 + (long long)(atof(argv[4]) * 1e6);
	fprintf(out, "{\"type\":\"run\",\"schema\":1,\"tool\":\"floor\",\"started\":\"-\","
	    "\"mono0\":%.6f,\"target\":{\"url\":\"http://%s:%s/v1\",\"api\":\"openai-chat\","
	    "\"model\":\"sim\"},\"config\":{\"clients\":[%d]}}\n", mono0 / 1e6, argv[1],
	    argv[2], n);
	fprintf(out, "{\"type\":\"stage\",\"t\":0,\"stage\":1,\"clients\":%d}\n", n);
	for (i = 0; i < n; i++) {
		int one = 1;

		st[i].client = i;
		st[i].chunks = malloc(MAX_CHUNKS * sizeof *st[i].chunks);
		if ((st[i].fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
		    connect(st[i].fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
			perror("floor: connect");
			return 1;
		}
		setsockopt(st[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		ev.events = EPOLLIN;
		ev.data.ptr = &st[i];
		epoll_ctl(ep, EPOLL_CTL_ADD, st[i].fd, &ev);
		send_request(&st[i]);
	}
	live = n;
	while (live > 0) {
		int k = epoll_wait(ep, evs, 256, 1000);

		for (i = 0; i < k; i++) {
			struct stream *s = evs[i].data.ptr;
			char buf[16384];
			ssize_t r = recv(s->fd, buf, sizeof buf, 0);
			long long at = now_us();
			ssize_t j;

			if (r <= 0) {
				if (r < 0 && errno == EINTR)
					continue;
				fprintf(stderr, "floor: a connection closed\n");
				return 1;
			}
			for (j = 0; j < r; j++) {
				if (buf[j] != '\n') {
					if (s->len + 1 < sizeof s->line)
						s->line[s->len++] = buf[j];
					continue;
				}
				s->line[s->len] = '\0';
				if (s->id != 0 && line(s, at)) {
					finish(s);
					if (at < end)
						send_request(s);
					else {
						epoll_ctl(ep, EPOLL_CTL_DEL, s->fd, NULL);
						live--;
					}
				}
				s->len = 0;
			}
		}
	}
	getrusage(RUSAGE_SELF, &ru);
	fprintf(out, "{\"type\":\"end\",\"t\":%.6f,\"reason\":\"complete\",\"requests\":%ld,"
	    "\"errors\":0,\"cpu_s\":%.3f}\n", (now_us() - mono0) / 1e6, done_requests,
	    ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	fclose(out);
	return 0;
}
