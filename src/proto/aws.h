/* What the AWS kinds share (src/proto/aws.c). */
#ifndef TTFTOP_AWS_H
#define TTFTOP_AWS_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

struct es_decoder;
struct es_message;
struct proto_events;
struct run_opts;

/* The headers of the AWS kinds: JSON in, event-stream out, and the session
 * token of temporary credentials (signed with the rest). */
struct curl_slist *proto_aws_headers(const struct run_opts *,
    struct curl_slist *);
/* Reports an event-stream exception message; returns whether m was one. */
bool proto_aws_exception(const struct es_message *, const struct proto_events *);
/* Feeds an AWS event stream to its decoder, failing the stream when the
 * framing is bad; 0, or -1 when the stream failed. */
int proto_aws_feed(struct es_decoder *, const char *buf, size_t len,
    int (*on_message)(void *, const struct es_message *), void *ctx,
    const struct proto_events *);
/* At the stream's end: fails it (and returns true) when it was cut inside
 * a message. */
bool proto_aws_cut(const struct es_decoder *, const struct proto_events *);

#endif
