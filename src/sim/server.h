/* The simulated endpoint's HTTP/1.1 server: accepts connections, reads
 * requests (pipelined ones in turn), routes them, checks keys and
 * signatures, and writes each answer when the model says it is due. */
#ifndef TTFTOP_SIM_SERVER_H
#define TTFTOP_SIM_SERVER_H

#include <stdbool.h>
#include <stdio.h>

#include <ev.h>

struct tls_server;

struct server_cfg {
	bool		 no_usage;	/* never send token counts */
	const char	*api_key;	/* require it (else 401); NULL: none */
	const char	*aws_secret;	/* check SigV4 signatures with it */
	FILE		*truth;		/* log each content chunk sent; or NULL */
	struct tls_server *tls;		/* serve https with it; NULL: http */
};

/* Serves on the listening socket fd from loop, as long as the loop runs.
 * The server keeps a copy of cfg; its strings and file stay the caller's
 * and must outlive the loop. */
void server_start(struct ev_loop *, int fd, const struct server_cfg *);

#endif
