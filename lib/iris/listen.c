/* listen.c: the IRIS receiver on a Qpid Proton proactor (elexon.md 2-4).
 *
 * One thread, one connection at a time. Per connection: SASL ANONYMOUS,
 * a $cbs sender/receiver pair, put-token, then the queue receiver in
 * peek-lock with a small credit window. Per delivery: reassemble, decode,
 * write the file (fsync'd, renamed into place). At the end of each event
 * batch the folders written to are fsync'd once, then each message of the
 * batch is emitted and only then accepted (group commit: one folder sync
 * for several messages). A store failure releases the messages not yet
 * accepted and stops. Every connection failure (network, refused or lapsed
 * token, link detached) closes the connection, which returns its unsettled
 * messages to the queue, and reconnects after a backoff; one proactor
 * timer serves token refresh, backoff, --once idleness and shutdown.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <proton/condition.h>
#include <proton/connection.h>
#include <proton/delivery.h>
#include <proton/event.h>
#include <proton/link.h>
#include <proton/message.h>
#include <proton/proactor.h>
#include <proton/sasl.h>
#include <proton/session.h>
#include <proton/ssl.h>
#include <proton/transport.h>

#include "wp.h"
#include "iris/iris.h"

#define STOP_GRACE_S 3.0
#define AUTH_TIMEOUT_S 30.0   /* connect + put-token; the service allows 20 s */
#define HEALTHY_S 60.0

/* A message stored (folder not yet synced) and waiting to be accepted. */
struct staged {
	pn_delivery_t *d;
	double t_recv;
	char dataset[IRIS_DATASET_MAX], name[IRIS_NAME_MAX + 8];
	jv records;                /* to emit, or invalid */
};

struct iris_listener {
	struct iris_listen_opts o;
	char host[256], port[16];
	int tls;
	pn_proactor_t *p;
	pn_ssl_domain_t *ssl;
	pn_message_t *msg;
	/* the current connection; all NULL between connections */
	pn_connection_t *conn;
	pn_link_t *cbs_snd, *cbs_rcv, *rcv;
	char reply_to[48], put_id[48];
	int put_wanted, authorized;
	double connected_at;
	/* token */
	char *token;
	double token_refresh;      /* monotonic seconds */
	/* deliveries being reassembled: CBS replies and queue messages may
	 * interleave, so each link has its own buffer */
	struct rbuf { char *p; size_t len, cap; } cbs_in, in;
	/* timers, monotonic seconds, 0 = not armed */
	double reconnect_at, idle_at, stop_deadline, auth_deadline;
	double backoff;
	int failures;              /* connection attempts in a row that never got authorized */
	char last_failure[1100];
	int timed_out;             /* last_failure says why; keep it */
	atomic_int stop_asked;
	int done;
	int poke;                  /* work done outside the connection's batch */
	struct staged *staged;     /* o.credit entries */
	int nstaged;
	int rc;
	struct wp_err ferr;
	unsigned long nput;
	unsigned rng;
	struct iris_listen_stats *st;
};

static void drop_staged(struct iris_listener *l)
{
	for (int i = 0; i < l->nstaged; i++)
		jv_free(l->staged[i].records);
	l->nstaged = 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void note(struct iris_listener *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void note(struct iris_listener *l, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!l->o.note)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	l->o.note(l->o.ctx, buf);
}

static void trace(struct iris_listener *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void trace(struct iris_listener *l, const char *fmt, ...)
{
	va_list ap;

	if (!l->o.trace)
		return;
	va_start(ap, fmt);
	fputs("amqp: ", l->o.trace);
	vfprintf(l->o.trace, fmt, ap);
	fputc('\n', l->o.trace);
	va_end(ap);
}

static void close_conn(struct iris_listener *l, const char *why);

/* Shut down within the grace period: close the connection (its unsettled
 * messages go back), or end the run when there is none. Once begun, the
 * deadline is set: that is what "stopping" means below. */
static void begin_stop(struct iris_listener *l, const char *why)
{
	if (l->stop_deadline)
		return;
	l->poke = 1;
	l->stop_deadline = now_s() + STOP_GRACE_S;
	l->reconnect_at = l->idle_at = 0;
	if (l->conn)
		close_conn(l, why);
	else
		l->done = 1;
}

static int stopping(const struct iris_listener *l)
{
	return l->stop_deadline != 0;
}

/* A fatal error: remember the first one and stop. */
static void fail(struct iris_listener *l, int rc, const struct wp_err *e, const char *why)
{
	if (!l->rc) {
		l->rc = rc;
		l->ferr = *e;
	}
	begin_stop(l, why);
}

/* "amqps://host:port" -> host, port, tls. */
static int parse_url(struct iris_listener *l, const char *url, struct wp_err *err)
{
	const char *p = url, *colon;
	size_t n;

	if (!strncmp(p, "amqps://", 8))
		l->tls = 1, p += 8;
	else if (!strncmp(p, "amqp://", 7))
		l->tls = 0, p += 7;
	else
		return wp_err_set(err, WP_EUSAGE, "AMQP URL '%s' must start with amqps:// or amqp://", url);
	n = strcspn(p, "/");
	colon = memchr(p, ':', n);
	if (colon) {
		if ((size_t)(colon - p) >= sizeof l->host || n - (size_t)(colon - p) - 1 >= sizeof l->port ||
		    colon + 1 == p + n)
			return wp_err_set(err, WP_EUSAGE, "bad AMQP URL '%s'", url);
		memcpy(l->host, p, (size_t)(colon - p));
		memcpy(l->port, colon + 1, n - (size_t)(colon - p) - 1);
	} else {
		if (n >= sizeof l->host)
			return wp_err_set(err, WP_EUSAGE, "bad AMQP URL '%s'", url);
		memcpy(l->host, p, n);
		strcpy(l->port, l->tls ? "5671" : "5672");
	}
	if (!l->host[0])
		return wp_err_set(err, WP_EUSAGE, "AMQP URL '%s' has no host", url);
	return 0;
}

static void drop_token(struct iris_listener *l)
{
	wp_secret_free(l->token);
	l->token = NULL;
}

int iris_listener_new(struct iris_listener **out, const struct iris_listen_opts *o,
		      struct wp_err *err)
{
	struct iris_listener *l = calloc(1, sizeof *l);
	int rc;

	*out = NULL;
	if (!l)
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	l->o = *o;
	if (l->o.credit < 1)
		l->o.credit = 1;
	if ((rc = parse_url(l, o->url, err))) {
		free(l);
		return rc;
	}
	if (l->tls) {
		l->ssl = pn_ssl_domain(PN_SSL_MODE_CLIENT);
		if (!l->ssl || (o->cacert && pn_ssl_domain_set_trusted_ca_db(l->ssl, o->cacert)) ||
		    pn_ssl_domain_set_peer_authentication(l->ssl, PN_SSL_VERIFY_PEER_NAME, NULL)) {
			iris_listener_free(l);
			return wp_err_set(err, WP_ECONFIG, "cannot set up TLS%s%s",
					  o->cacert ? " with CA file " : "", o->cacert ? o->cacert : "");
		}
	}
	l->p = pn_proactor();
	l->msg = pn_message();
	l->staged = calloc((size_t)l->o.credit, sizeof *l->staged);
	if (!l->p || !l->msg || !l->staged) {
		iris_listener_free(l);
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	l->backoff = o->backoff_s;
	l->rng = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)l;
	*out = l;
	return 0;
}

void iris_listener_free(struct iris_listener *l)
{
	if (!l)
		return;
	if (l->p)
		pn_proactor_free(l->p);
	if (l->ssl)
		pn_ssl_domain_free(l->ssl);
	if (l->msg)
		pn_message_free(l->msg);
	drop_token(l);
	if (l->staged)
		drop_staged(l);
	free(l->staged);
	free(l->cbs_in.p);
	free(l->in.p);
	free(l);
}

void iris_listener_stop(struct iris_listener *l)
{
	atomic_store(&l->stop_asked, 1);
	pn_proactor_interrupt(l->p);
}

/* ---- token */

/* Refresh with 10% of the lifetime left, at most 5 minutes early. */
static int get_token(struct iris_listener *l, struct wp_err *err)
{
	double life = 0, t = now_s(), margin;
	char *tok = NULL;
	int rc;

	if ((rc = l->o.token(l->o.ctx, &tok, &life, err)))
		return rc;
	drop_token(l);
	l->token = tok;
	margin = life * 0.1 < 300 ? life * 0.1 : 300;
	l->token_refresh = t + life - margin;
	return 0;
}

static void send_put_token(struct iris_listener *l)
{
	pn_data_t *props, *body;
	pn_delivery_t *d;
	char tag[24];

	snprintf(l->put_id, sizeof l->put_id, "put-token-%lu-%08x", ++l->nput, rand_r(&l->rng));
	pn_message_clear(l->msg);
	pn_message_set_id(l->msg, (pn_atom_t){ .type = PN_STRING,
		.u.as_bytes = pn_bytes(strlen(l->put_id), l->put_id) });
	pn_message_set_reply_to(l->msg, l->reply_to);
	props = pn_message_properties(l->msg);
	pn_data_put_map(props);
	pn_data_enter(props);
	pn_data_put_string(props, pn_bytes(9, "operation"));
	pn_data_put_string(props, pn_bytes(9, "put-token"));
	pn_data_put_string(props, pn_bytes(4, "type"));
	pn_data_put_string(props, pn_bytes(3, "jwt"));
	pn_data_put_string(props, pn_bytes(4, "name"));
	pn_data_put_string(props, pn_bytes(strlen(l->o.audience), l->o.audience));
	pn_data_exit(props);
	body = pn_message_body(l->msg);
	pn_data_put_string(body, pn_bytes(strlen(l->token), l->token));
	snprintf(tag, sizeof tag, "cbs%lu", l->nput);
	d = pn_delivery(l->cbs_snd, pn_dtag(tag, strlen(tag)));
	pn_message_send(l->msg, l->cbs_snd, NULL);
	/* Sent pre-settled: the reply is what tells the outcome. */
	pn_delivery_settle(d);
	pn_data_clear(body);
	l->put_wanted = 0;
	l->st->put_tokens++;
	trace(l, "put-token %s for %s", l->put_id, l->o.audience);
}

/* ---- connection */

/* Connect again after delay; the next delay doubles, up to the cap. */
static void retry_in(struct iris_listener *l, double delay)
{
	l->reconnect_at = now_s() + delay;
	l->backoff = l->backoff * 2 < l->o.backoff_max_s ? l->backoff * 2 : l->o.backoff_max_s;
}

static void connect_now(struct iris_listener *l)
{
	struct wp_err err = WP_ERR_INIT;
	pn_transport_t *t;
	char addr[300];
	int rc;

	l->reconnect_at = 0;
	if (!l->token || now_s() >= l->token_refresh) {
		if ((rc = get_token(l, &err))) {
			if (rc == WP_ETEMP && !l->o.once) {
				snprintf(l->last_failure, sizeof l->last_failure, "%s", err.msg);
				l->failures++;
				note(l, "token: %s; retrying in %.0f s", err.msg, l->backoff);
				retry_in(l, l->backoff);
				return;
			}
			fail(l, rc, &err, "token");
			return;
		}
	}
	l->conn = pn_connection();
	pn_connection_set_container(l->conn, "wattpipe-iris-listen");
	pn_connection_set_hostname(l->conn, l->o.hostname ? l->o.hostname : l->host);
	t = pn_transport();
	pn_sasl_allowed_mechs(pn_sasl(t), "ANONYMOUS");
	pn_transport_set_idle_timeout(t, 60000);
	if (l->tls) {
		pn_ssl_t *ssl = pn_ssl(t);

		pn_ssl_init(ssl, l->ssl, NULL);
		pn_ssl_set_peer_hostname(ssl, l->o.hostname ? l->o.hostname : l->host);
	}
	snprintf(addr, sizeof addr, "%s:%s", l->host, l->port);
	l->connected_at = now_s();
	l->auth_deadline = l->connected_at + AUTH_TIMEOUT_S;
	l->st->connects++;
	trace(l, "connect %s%s", addr, l->tls ? " (TLS)" : "");
	pn_proactor_connect2(l->p, l->conn, t, addr);
}

static void open_links(struct iris_listener *l)
{
	pn_session_t *s;

	pn_connection_open(l->conn);
	s = pn_session(l->conn);
	pn_session_open(s);
	l->cbs_snd = pn_sender(s, "cbs-sender");
	pn_terminus_set_address(pn_link_target(l->cbs_snd), "$cbs");
	pn_terminus_set_address(pn_link_source(l->cbs_snd), l->reply_to);
	pn_link_open(l->cbs_snd);
	l->cbs_rcv = pn_receiver(s, "cbs-receiver");
	pn_terminus_set_address(pn_link_source(l->cbs_rcv), "$cbs");
	pn_terminus_set_address(pn_link_target(l->cbs_rcv), l->reply_to);
	pn_link_open(l->cbs_rcv);
	pn_link_flow(l->cbs_rcv, 2);
	l->put_wanted = 1;
}

static void open_queue(struct iris_listener *l)
{
	pn_session_t *s = pn_link_session(l->cbs_snd);

	l->rcv = pn_receiver(s, "iris-queue");
	pn_terminus_set_address(pn_link_source(l->rcv), l->o.queue);
	pn_link_set_snd_settle_mode(l->rcv, PN_SND_UNSETTLED);
	pn_link_set_rcv_settle_mode(l->rcv, PN_RCV_SECOND);
	pn_link_open(l->rcv);
	pn_link_flow(l->rcv, l->o.credit);
	if (l->o.once)
		l->idle_at = now_s() + l->o.idle_s;
	trace(l, "receiver on %s, credit %d", l->o.queue, l->o.credit);
}

/* A connection we have not begun to close: what the broker says on it
 * still matters. */
static int conn_open(const struct iris_listener *l)
{
	return l->conn && !(pn_connection_state(l->conn) & PN_LOCAL_CLOSED);
}

/* Give unsettled messages back, then close; they are redelivered. */
static void close_conn(struct iris_listener *l, const char *why)
{
	pn_delivery_t *d;

	if (!conn_open(l))
		return;
	trace(l, "close: %s", why);
	drop_staged(l);
	if (l->rcv) {
		for (d = pn_unsettled_head(l->rcv); d; d = pn_unsettled_next(d))
			if (!pn_delivery_local_state(d)) {
				pn_delivery_update(d, PN_RELEASED);
				l->st->released++;
			}
		pn_link_close(l->rcv);
	}
	pn_connection_close(l->conn);
}

static void cond_text(pn_condition_t *c, char *buf, size_t n)
{
	const char *name = c ? pn_condition_get_name(c) : NULL;
	const char *desc = c ? pn_condition_get_description(c) : NULL;

	snprintf(buf, n, "%s%s%s", name ? name : "closed", desc ? ": " : "", desc ? desc : "");
}

static void on_transport_closed(struct iris_listener *l, pn_transport_t *t)
{
	char why[256];
	double delay;

	cond_text(pn_transport_condition(t), why, sizeof why);
	trace(l, "transport closed: %s", why);
	l->conn = NULL;
	l->cbs_snd = l->cbs_rcv = l->rcv = NULL;
	l->auth_deadline = 0;
	l->cbs_in.len = l->in.len = 0;
	l->idle_at = 0;
	drop_staged(l);
	if (stopping(l)) {
		l->done = 1;
		return;
	}
	if (!l->authorized)
		l->failures++;
	l->authorized = 0;
	if (now_s() - l->connected_at >= HEALTHY_S)
		l->backoff = l->o.backoff_s;
	if ((strcmp(why, "closed") || !l->last_failure[0]) && !l->timed_out)
		snprintf(l->last_failure, sizeof l->last_failure, "%s", why);
	l->timed_out = 0;
	if (l->o.once && l->failures >= l->o.retries) {
		struct wp_err e = WP_ERR_INIT;

		wp_err_set(&e, WP_ETEMP, "cannot connect to %s:%s after %d attempt%s: %s",
			   l->host, l->port, l->failures, l->failures == 1 ? "" : "s",
			   l->last_failure);
		fail(l, WP_ETEMP, &e, "cannot connect");
		return;
	}
	/* Full jitter on the upper half keeps restarted clients apart. */
	delay = l->backoff * (0.5 + 0.5 * rand_r(&l->rng) / (double)RAND_MAX);
	note(l, "connection lost (%s); reconnecting in %.1f s", l->last_failure, delay);
	retry_in(l, delay);
}

/* ---- CBS replies */

static int64_t get_int(pn_data_t *d)
{
	switch (pn_data_type(d)) {
	case PN_INT: return pn_data_get_int(d);
	case PN_LONG: return pn_data_get_long(d);
	case PN_UINT: return pn_data_get_uint(d);
	case PN_ULONG: return (int64_t)pn_data_get_ulong(d);
	case PN_SHORT: return pn_data_get_short(d);
	case PN_USHORT: return pn_data_get_ushort(d);
	default: return -1;
	}
}

static int key_is(pn_data_t *d, const char *key)
{
	pn_bytes_t b;

	if (pn_data_type(d) == PN_STRING)
		b = pn_data_get_string(d);
	else if (pn_data_type(d) == PN_SYMBOL)
		b = pn_data_get_symbol(d);
	else
		return 0;
	return b.size == strlen(key) && !memcmp(b.start, key, b.size);
}

/* Append what arrived of delivery d to b: 1 when the delivery is
 * complete, 0 when more is to come, -1 when out of memory. */
static int read_delivery(struct rbuf *b, pn_delivery_t *d)
{
	pn_link_t *link = pn_delivery_link(d);
	size_t want = pn_delivery_pending(d);
	ssize_t n;

	if (b->len + want + 1 > b->cap) {
		size_t cap = (b->len + want + 1) * 2;
		char *p = realloc(b->p, cap);

		if (!p)
			return -1;
		b->p = p, b->cap = cap;
	}
	while ((n = pn_link_recv(link, b->p + b->len, b->cap - b->len)) > 0)
		b->len += (size_t)n;
	if (pn_delivery_partial(d))
		return 0;
	pn_link_advance(link);
	return 1;
}

static void on_cbs_reply(struct iris_listener *l, pn_delivery_t *d)
{
	pn_data_t *props;
	pn_atom_t cid;
	int64_t status = -1;
	char desc[256] = "";
	struct wp_err e = WP_ERR_INIT;
	int bad;

	if (read_delivery(&l->cbs_in, d) != 1)
		return;
	pn_delivery_update(d, PN_ACCEPTED);
	pn_delivery_settle(d);
	pn_link_flow(l->cbs_rcv, 1);
	pn_message_clear(l->msg);
	bad = pn_message_decode(l->msg, l->cbs_in.p, l->cbs_in.len) != 0;
	l->cbs_in.len = 0;
	if (bad)
		return;
	cid = pn_message_get_correlation_id(l->msg);
	if (cid.type != PN_STRING || cid.u.as_bytes.size != strlen(l->put_id) ||
	    memcmp(cid.u.as_bytes.start, l->put_id, cid.u.as_bytes.size))
		return; /* a stale reply */
	props = pn_message_properties(l->msg);
	pn_data_rewind(props);
	if (pn_data_next(props) && pn_data_type(props) == PN_MAP) {
		pn_data_enter(props);
		while (pn_data_next(props)) {
			int is_status = key_is(props, "status-code");
			int is_desc = key_is(props, "status-description");

			if (!pn_data_next(props))
				break;
			if (is_status)
				status = get_int(props);
			else if (is_desc && pn_data_type(props) == PN_STRING) {
				pn_bytes_t b = pn_data_get_string(props);

				snprintf(desc, sizeof desc, "%.*s", (int)b.size, b.start);
			}
		}
		pn_data_exit(props);
	}
	trace(l, "put-token reply %lld %s", (long long)status, desc);
	if (status >= 200 && status < 300) {
		l->failures = 0;
		l->auth_deadline = 0;
		if (!l->authorized) {
			l->authorized = 1;
			open_queue(l);
		}
		return;
	}
	if (status == 401 || status == 403) {
		/* A refused token with a fresh one is a real refusal. */
		if (l->failures >= 1) {
			wp_err_set(&e, WP_EPERM, "the broker refused the token for %s: %lld %s",
				   l->o.audience, (long long)status, desc);
			fail(l, WP_EPERM, &e, "token refused");
		}
		drop_token(l);
	}
	snprintf(l->last_failure, sizeof l->last_failure, "put-token: %lld %s",
		 (long long)status, desc);
	close_conn(l, l->last_failure);
}

/* ---- queue deliveries */

static void atom_text(pn_atom_t a, char *buf, size_t n)
{
	buf[0] = '\0';
	switch (a.type) {
	case PN_STRING:
	case PN_SYMBOL:
		snprintf(buf, n, "%.*s", (int)a.u.as_bytes.size, a.u.as_bytes.start);
		break;
	case PN_ULONG:
		snprintf(buf, n, "%llu", (unsigned long long)a.u.as_ulong);
		break;
	case PN_UUID: {
		const unsigned char *u = (const unsigned char *)a.u.as_uuid.bytes;

		snprintf(buf, n, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10],
			 u[11], u[12], u[13], u[14], u[15]);
		break;
	}
	default:
		break;
	}
}

static void read_annotations(pn_message_t *m, struct iris_meta *meta)
{
	pn_data_t *a = pn_message_annotations(m);

	pn_data_rewind(a);
	if (!pn_data_next(a) || pn_data_type(a) != PN_MAP)
		return;
	pn_data_enter(a);
	while (pn_data_next(a)) {
		int enq = key_is(a, "x-opt-enqueued-time");
		int seq = key_is(a, "x-opt-sequence-number");

		if (!pn_data_next(a))
			break;
		if (enq && pn_data_type(a) == PN_TIMESTAMP)
			meta->enqueued = (time_t)(pn_data_get_timestamp(a) / 1000);
		else if (seq)
			meta->seq = get_int(a);
	}
	pn_data_exit(a);
}

static void settle_after(struct iris_listener *l, pn_delivery_t *d, uint64_t outcome)
{
	pn_delivery_update(d, outcome);
	/* rcv-settle-mode second: settle once the broker has; first: now. */
	if (pn_link_remote_rcv_settle_mode(pn_delivery_link(d)) != PN_RCV_SECOND ||
	    pn_delivery_settled(d))
		pn_delivery_settle(d);
}

/* Latencies of the last LAT_KEEP messages: a long-running listener keeps
 * a bounded sample, overwritten in turn. */
#define LAT_KEEP 65536

static void record_latency(struct iris_listen_stats *st, double ms)
{
	if (st->nlat == st->caplat && st->caplat < LAT_KEEP) {
		long cap = st->caplat ? st->caplat * 2 : 1024;
		double *v = realloc(st->lat_ms, (size_t)cap * sizeof *v);

		if (v)
			st->lat_ms = v, st->caplat = cap;
	}
	if (st->nlat < st->caplat)
		st->lat_ms[st->nlat++] = ms;
	else if (st->caplat)
		st->lat_ms[st->received % st->caplat] = ms;
}

static void on_message(struct iris_listener *l, pn_delivery_t *d, double t_recv)
{
	struct iris_meta meta = { NULL, NULL, 0, -1 };
	char id[IRIS_NAME_MAX + 1], subject[64], dataset[IRIS_DATASET_MAX];
	char name[IRIS_NAME_MAX + 8], *owned = NULL, *path = NULL;
	const char *text = l->in.p;
	size_t tlen = l->in.len;
	struct wp_err e = WP_ERR_INIT, se = WP_ERR_INIT;
	struct staged *p;
	enum iris_put how;
	jv records = jv_invalid();
	int bad, rc;

	l->st->received++;
	pn_message_clear(l->msg);
	bad = pn_message_decode(l->msg, l->in.p, l->in.len) != 0;
	if (bad) {
		wp_err_set(&e, WP_EDATA, "not an AMQP message");
	} else {
		pn_data_t *body = pn_message_body(l->msg);
		const char *sub = pn_message_get_subject(l->msg);

		atom_text(pn_message_get_id(l->msg), id, sizeof id);
		meta.message_id = id[0] ? id : NULL;
		if (sub) {
			snprintf(subject, sizeof subject, "%s", sub);
			meta.subject = subject;
		}
		read_annotations(l->msg, &meta);
		pn_data_rewind(body);
		if (pn_data_next(body) && (pn_data_type(body) == PN_BINARY ||
					   pn_data_type(body) == PN_STRING)) {
			pn_bytes_t b = pn_data_type(body) == PN_BINARY ? pn_data_get_binary(body)
								       : pn_data_get_string(body);

			bad = iris_body_decode(b.start, b.size, &text, &tlen, &owned, &records, &e) != 0;
			if (bad)
				text = b.start, tlen = b.size;
		} else {
			bad = 1;
			wp_err_set(&e, WP_EDATA, "body is neither binary data nor a string");
		}
	}
	iris_name(&meta, &records, dataset, name);
	if (bad) {
		rc = iris_store_put(l->o.store, IRIS_REJECTED, name, text, tlen, &how, &path, &se);
		if (rc)
			e = se;
		else if (how != IRIS_PUT_SAME) {
			l->st->rejected++;
			note(l, "message %s rejected (%s): kept in %s/%s", name, e.msg,
			     l->o.store->root, path ? path : "");
		}
	} else {
		rc = iris_store_put(l->o.store, dataset, name, text, tlen, &how, &path, &e);
	}
	if (rc) {
		settle_after(l, d, PN_RELEASED);
		l->st->released++;
		jv_free(records);
		free(owned);
		free(path);
		fail(l, rc, &e, "store failure");
		return;
	}
	if (how == IRIS_PUT_SAME) {
		l->st->same++;
	} else {
		l->st->written++;
		if (how == IRIS_PUT_DUP) {
			l->st->dups++;
			note(l, "message %s differs from the stored file; kept as %s", name, path);
		}
	}
	free(owned);
	free(path);
	/* Emitted and accepted once its folder is synced, with the others
	 * of this batch (commit). */
	p = &l->staged[l->nstaged++];
	p->d = d;
	p->t_recv = t_recv;
	snprintf(p->dataset, sizeof p->dataset, "%s", dataset);
	snprintf(p->name, sizeof p->name, "%s", name);
	p->records = !bad && how != IRIS_PUT_SAME && l->o.emit ? records : jv_invalid();
	if (!jv_is_valid(p->records))
		jv_free(records);
}

/* The end of an event batch: sync the folders of the files written in it,
 * then emit and accept their messages, and give the credit back. */
static void commit(struct iris_listener *l)
{
	struct wp_err e = WP_ERR_INIT;
	int rc, i;

	if (!l->nstaged)
		return;
	if ((rc = iris_store_sync(l->o.store, &e)))
		goto fail;
	for (i = 0; i < l->nstaged; i++) {
		struct staged *p = &l->staged[i];

		if (jv_is_valid(p->records)) {
			rc = l->o.emit(l->o.ctx, p->dataset, p->name, p->records, &e);
			p->records = jv_invalid();
			if (rc)
				goto fail;
		}
		settle_after(l, p->d, PN_ACCEPTED);
		record_latency(l->st, (now_s() - p->t_recv) * 1000);
		pn_link_flow(pn_delivery_link(p->d), 1);
	}
	l->nstaged = 0;
	return;
fail:
	/* What is not accepted yet goes back to the queue with the close. */
	drop_staged(l);
	fail(l, rc, &e, rc == WP_ECANTCREAT ? "store failure" : "output failure");
}

static void on_queue_delivery(struct iris_listener *l, pn_delivery_t *d)
{
	int r;

	if (!pn_delivery_readable(d) && !pn_delivery_partial(d)) {
		/* A disposition update: the broker settled what we accepted. */
		if (pn_delivery_settled(d) && pn_delivery_local_state(d))
			pn_delivery_settle(d);
		return;
	}
	if ((r = read_delivery(&l->in, d)) < 0) {
		struct wp_err e = WP_ERR_INIT;

		wp_err_set(&e, WP_EINTERNAL, "out of memory reading a message");
		fail(l, WP_EINTERNAL, &e, "out of memory");
		return;
	}
	if (r == 0)
		return;
	if (stopping(l)) {
		pn_delivery_update(d, PN_RELEASED);
		pn_delivery_settle(d);
		l->st->released++;
	} else {
		if (l->nstaged == l->o.credit)
			commit(l); /* cannot happen within the credit; stay safe */
		on_message(l, d, now_s());
	}
	l->in.len = 0;
	if (l->o.once)
		l->idle_at = now_s() + l->o.idle_s;
}

/* ---- events and timers */

static void on_link_closed(struct iris_listener *l, pn_link_t *link)
{
	char why[256];

	if (link != l->rcv && link != l->cbs_snd && link != l->cbs_rcv)
		return;
	if (!conn_open(l) || (pn_link_state(link) & PN_LOCAL_CLOSED))
		return;
	cond_text(pn_link_remote_condition(link), why, sizeof why);
	snprintf(l->last_failure, sizeof l->last_failure, "link %s detached: %s",
		 pn_link_name(link), why);
	/* A lapsed or refused token: get a new one before reconnecting. */
	if (strstr(why, "unauthorized") || strstr(why, "auth-failed"))
		drop_token(l);
	close_conn(l, l->last_failure);
}

static void handle(struct iris_listener *l, pn_event_t *ev)
{
	pn_delivery_t *d;

	switch (pn_event_type(ev)) {
	case PN_CONNECTION_INIT:
		snprintf(l->reply_to, sizeof l->reply_to, "cbs-reply-%08x%08x",
			 rand_r(&l->rng), rand_r(&l->rng));
		open_links(l);
		break;
	case PN_LINK_FLOW:
		if (pn_event_link(ev) == l->cbs_snd && l->put_wanted && l->token &&
		    pn_link_credit(l->cbs_snd) > 0)
			send_put_token(l);
		break;
	case PN_DELIVERY:
		d = pn_event_delivery(ev);
		if (pn_delivery_link(d) == l->cbs_rcv)
			on_cbs_reply(l, d);
		else if (pn_delivery_link(d) == l->rcv)
			on_queue_delivery(l, d);
		else if (pn_delivery_link(d) == l->cbs_snd && pn_delivery_settled(d))
			pn_delivery_settle(d);
		break;
	case PN_LINK_REMOTE_CLOSE:
	case PN_LINK_REMOTE_DETACH:
		on_link_closed(l, pn_event_link(ev));
		break;
	case PN_SESSION_REMOTE_CLOSE:
	case PN_CONNECTION_REMOTE_CLOSE: {
		char why[256];
		pn_condition_t *c = pn_event_type(ev) == PN_CONNECTION_REMOTE_CLOSE
			? pn_connection_remote_condition(pn_event_connection(ev))
			: pn_session_remote_condition(pn_event_session(ev));

		/* Our own close being answered says nothing new. */
		if (!conn_open(l))
			break;
		cond_text(c, why, sizeof why);
		snprintf(l->last_failure, sizeof l->last_failure, "broker closed: %s", why);
		close_conn(l, l->last_failure);
		break;
	}
	case PN_TRANSPORT_CLOSED:
		on_transport_closed(l, pn_event_transport(ev));
		break;
	case PN_PROACTOR_INTERRUPT:
		if (atomic_load(&l->stop_asked))
			begin_stop(l, "stop requested");
		break;
	case PN_PROACTOR_INACTIVE:
		if (stopping(l))
			l->done = 1;
		break;
	default:
		break;
	}
}

/* Deadlines. What is done here happens outside the connection's event
 * batch, so it sets poke: the connection is then woken to write it. */
static void timers(struct iris_listener *l, double t)
{
	if (l->stop_deadline && t >= l->stop_deadline) {
		/* The broker did not answer the close: drop the socket. */
		pn_proactor_disconnect(l->p, NULL);
		l->done = 1;
		return;
	}
	if (l->auth_deadline && t >= l->auth_deadline) {
		/* A silent peer: give up on this connection like a lost one. */
		l->auth_deadline = 0;
		l->timed_out = 1;
		snprintf(l->last_failure, sizeof l->last_failure,
			 "no connection and put-token answer within %.0f s", AUTH_TIMEOUT_S);
		if (l->conn)
			pn_proactor_disconnect(l->p, NULL);
	}
	if (l->reconnect_at && t >= l->reconnect_at)
		connect_now(l);
	if (l->idle_at && t >= l->idle_at) {
		l->idle_at = 0;
		trace(l, "queue drained");
		begin_stop(l, "queue drained");
	}
	if (l->conn && l->authorized && l->token && t >= l->token_refresh && !stopping(l)) {
		struct wp_err e = WP_ERR_INIT;
		int rc = get_token(l, &e);

		l->poke = 1;
		if (rc == WP_EPERM) {
			fail(l, rc, &e, "token refused");
		} else if (rc) {
			/* Try again shortly; the old token still has a margin. */
			note(l, "token refresh: %s", e.msg);
			l->token_refresh = t + 5;
		} else if (pn_link_credit(l->cbs_snd) > 0) {
			send_put_token(l);
		} else {
			l->put_wanted = 1;
		}
	}
}

static void arm_timer(struct iris_listener *l)
{
	double next = 0, t = now_s();
	double c[5] = { l->stop_deadline, l->reconnect_at, l->idle_at, l->auth_deadline,
			l->conn && l->authorized && !stopping(l) ? l->token_refresh : 0 };

	for (int i = 0; i < 5; i++)
		if (c[i] && (!next || c[i] < next))
			next = c[i];
	if (next)
		pn_proactor_set_timeout(l->p, next <= t ? 0 : (pn_millis_t)((next - t) * 1000) + 1);
	else
		pn_proactor_cancel_timeout(l->p);
}

int iris_listener_run(struct iris_listener *l, struct iris_listen_stats *st,
		      struct wp_err *err)
{
	l->st = st;
	l->o.store->defer_sync = 1;
	connect_now(l);
	while (!l->done) {
		pn_event_batch_t *b;
		pn_event_t *ev;

		arm_timer(l);
		b = pn_proactor_wait(l->p);
		while ((ev = pn_event_batch_next(b)))
			handle(l, ev);
		commit(l);
		pn_proactor_done(l->p, b);
		/* Deadlines are checked after every batch, not only on
		 * PN_PROACTOR_TIMEOUT: a busy link must not starve them. */
		if (!l->done)
			timers(l, now_s());
		if (l->poke && l->conn && !l->done)
			pn_connection_wake(l->conn);
		l->poke = 0;
		if (atomic_load(&l->stop_asked) && !stopping(l))
			begin_stop(l, "stop requested");
	}
	l->o.store->defer_sync = 0;
	if (l->rc)
		*err = l->ferr;
	return l->rc;
}

void iris_listen_stats_release(struct iris_listen_stats *st)
{
	free(st->lat_ms);
	st->lat_ms = NULL;
	st->nlat = st->caplat = 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double iris_listen_stats_pct(const struct iris_listen_stats *st, double p)
{
	long i;

	if (!st->nlat)
		return 0;
	qsort(st->lat_ms, (size_t)st->nlat, sizeof *st->lat_ms, cmp_double);
	i = (long)(p / 100 * (double)(st->nlat - 1) + 0.5);
	return st->lat_ms[i];
}
