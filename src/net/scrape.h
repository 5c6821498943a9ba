/* The server's /metrics, scraped once a second on the loop without ever
 * blocking it: a plain-HTTP GET on a non-blocking socket, its body parsed
 * as it arrives (metrics.c), a slow or failed scrape (past 1 s) a gap and
 * never a delay of the load. Keeps the series ttftop knows (metrics.h),
 * summed over their label sets (one a GPU; shares averaged), the server's
 * TTFT histogram,
 * and any other series --server-metric names. What is odd in a scrape (lines
 * off the format, a type that changes, a label set that explodes, more
 * series than are kept) is said once, as the scrape's warning. */
#ifndef TTFTOP_SCRAPE_H
#define TTFTOP_SCRAPE_H

#include <sys/types.h>

#include <netdb.h>
#include <regex.h>
#include <stdbool.h>

#include <ev.h>

#include "buf.h"
#include "clock.h"
#include "metrics.h"
#include "net/http.h"
#include "sink.h"

#define SCRAPE_EVERY	1.0	/* s */
#define SCRAPE_TIMEOUT	1.0	/* s: past it, a gap */
#define SCRAPE_BODY_MAX	(8 << 20)	/* bytes of one scrape */
#define SCRAPE_LABEL_SETS 1000		/* a series' label sets past which
					   it is said to explode */

struct scrape {
	struct ev_loop	*loop;
	char		*url, *host, *port, *path;
	struct addrinfo	*addrs;
	usec_t		 mono0;
	int		 fd;
	ev_io		 io;
	ev_timer	 every, timeout;
	struct buf	 out;		/* the request, sent from out_pos */
	size_t		 out_pos;
	struct http_resp resp;
	struct prom_parser prom;
	size_t		 body;		/* bytes of the body so far */
	bool		 wrong_type;	/* its Content-Type was not text */
	struct server_scrape res;
	int		 sets[SERVER_SERIES];	/* label sets summed, this scrape */
	bool		 dropped;	/* a series past SERVER_SERIES */
	/* --server-metric: other series kept, whole names matched */
	const regex_t	*keep;
	int		 nkeep;
	/* each series' declared type, to tell a change */
	char		 type_name[SERVER_SERIES][96];
	enum prom_type	 type[SERVER_SERIES];
	int		 ntypes;
	unsigned	 warned;	/* the kinds already said, once each */
	char		 type_change[200];	/* one this scrape, to say */
	char		 warning[320];
	bool		 busy;
	void		(*on_result)(void *ctx, const struct server_scrape *);
	void		*ctx;
};

/* Checks url (http://host[:port]/path) and resolves its host once.
 * Returns 0, or -1 with why in err (which never repeats the URL: it may
 * hold a secret). */
int scrape_init(struct scrape *, struct ev_loop *, const char *url,
    usec_t mono0, char *err, size_t errlen);
/* Scrapes now and then every SCRAPE_EVERY, until scrape_stop. */
void scrape_start(struct scrape *);
void scrape_stop(struct scrape *);
void scrape_done(struct scrape *);

#endif
