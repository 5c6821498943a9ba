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

/* Signature Version 4 as AWS computes it for every service but S3: the
 * canonical URI is the wire path URI-encoded once more (a model id's ':'
 * is %3A on the wire and %253A in the canonical request). The signed
 * headers are content-type (when sent), host, x-amz-date and, with
 * temporary credentials, x-amz-security-token. */
struct aws_signer;

/* For requests to endpoint (a complete URL) whose headers are list (the
 * Content-Type and Host there are the ones signed); NULL with a message in
 * err when the URL cannot be taken apart. */
struct aws_signer *aws_signer_new(const struct run_opts *, const char *endpoint,
    const struct curl_slist *list, char *err, size_t errlen);
void aws_signer_free(struct aws_signer *);
#define AWS_DATE_LINE	32	/* "X-Amz-Date: 20261202T080000Z" */
#define AWS_AUTH_LINE	1024	/* "Authorization: AWS4-HMAC-SHA256 ..." */

/* Signs a POST of body at the real-time clock's second now, into the
 * X-Amz-Date and Authorization header lines. */
void aws_sign(struct aws_signer *, long long now, const char *body,
    size_t body_len, char date_line[AWS_DATE_LINE],
    char auth_line[AWS_AUTH_LINE]);

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
