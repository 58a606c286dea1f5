/* api.c: the BRM session (brm.md sections 1, 2, 3 and 7): environments,
 * OAuth2 password grant with a cached token, calls with one re-login on
 * 401, and writes that reconcile instead of repeating themselves. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "brm/brm.h"

static const struct brm_env envs[] = {
	{ "test", "https://sso.test.brm-power.ro/connect/token",
	  "https://auctions-api.test.brm-power.ro/api/v1" },
	{ "prod", "https://sso.brm-power.ro/connect/token", "https://auctions-api.brm-power.ro/api/v1" },
};

int brm_env_lookup(const char *name, const struct brm_env **out, struct wp_err *err)
{
	for (size_t i = 0; i < sizeof envs / sizeof envs[0]; i++)
		if (!strcmp(envs[i].name, name)) {
			*out = &envs[i];
			return 0;
		}
	return wp_err_set(err, WP_ECONFIG, "unknown environment '%s' (test or prod)", name);
}

void brm_session_release(struct brm_session *s)
{
	if (s->token)
		explicit_bzero(s->token, strlen(s->token));
	free(s->token);
	free(s->token_url);
	free(s->api_url);
	free(s->token_cache);
	free(s->journal);
	s->token = s->token_url = s->api_url = s->token_cache = s->journal = NULL;
}

static void set_token(struct brm_session *s, const char *tok, time_t refresh_at)
{
	char *old = s->token;

	/* The HTTP layer redacts Authorization headers, so the token needs no
	 * place in its secrets list. */
	s->token = strdup(tok);
	if (old) {
		explicit_bzero(old, strlen(old));
		free(old);
	}
	s->refresh_at = s->token ? refresh_at : 0;
}

/* ---- token cache ---------------------------------------------------------- */

static void cache_read(struct brm_session *s)
{
	char buf[8192];
	struct stat st;
	ssize_t n;
	int fd;

	if (!s->token_cache)
		return;
	fd = open(s->token_cache, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	/* Someone else's or a readable file is not ours to trust. */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != getuid() ||
	    (st.st_mode & 077) || (n = read(fd, buf, sizeof buf - 1)) <= 0) {
		close(fd);
		return;
	}
	close(fd);
	buf[n] = '\0';
	jv c = jv_parse(buf);
	const char *url = brm_str(c, "token_url"), *user = brm_str(c, "user");
	const char *tok = brm_str(c, "access_token");
	double at = brm_num(c, "refresh_at");
	if (url && user && tok && !isnan(at) && !strcmp(url, s->token_url) &&
	    !strcmp(user, s->user) && (time_t)at > time(NULL))
		set_token(s, tok, (time_t)at);
	explicit_bzero(buf, sizeof buf);
	jv_free(c);
}

static void cache_write(struct brm_session *s, time_t expires_at)
{
	char *tmp, *text;
	size_t len;
	int fd, ok;

	if (!s->token_cache || !s->token)
		return;
	jv c = jv_object();
	c = jv_object_set(c, jv_string("token_url"), jv_string(s->token_url));
	c = jv_object_set(c, jv_string("user"), jv_string(s->user));
	c = jv_object_set(c, jv_string("access_token"), jv_string(s->token));
	c = jv_object_set(c, jv_string("refresh_at"), jv_number((double)s->refresh_at));
	c = jv_object_set(c, jv_string("expires_at"), jv_number((double)expires_at));
	jv d = jv_dump_string(c, 0);
	text = strdup(jv_string_value(d));
	jv_free(d);
	if (!text || asprintf(&tmp, "%s.XXXXXX", s->token_cache) < 0) {
		free(text);
		return;
	}
	/* A failed cache write only costs a login next time. */
	len = strlen(text);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd >= 0) {
		ok = fchmod(fd, 0600) == 0 && write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
		ok = close(fd) == 0 && ok;
		if (!ok || rename(tmp, s->token_cache))
			unlink(tmp);
	}
	explicit_bzero(text, len);
	free(text);
	free(tmp);
}

/* ---- login ------------------------------------------------------------------ */

static char *base64(const char *in)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(in);
	char *out = malloc(4 * ((n + 2) / 3) + 1), *p = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)in[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)in[i + 2];
		*p++ = t[v >> 18 & 63];
		*p++ = t[v >> 12 & 63];
		*p++ = i + 1 < n ? t[v >> 6 & 63] : '=';
		*p++ = i + 2 < n ? t[v & 63] : '=';
	}
	*p = '\0';
	return out;
}

/* The API's own words for a failure: RFC 7807 detail or title, Nord
 * Pool's Message, validation errors, OAuth2 error, else the raw text. */
static void api_message(jv reply, char *buf, size_t n)
{
	const char *keys[] = { "detail", "title", "Message", "message", "error_description", "error" };
	const char *msg = NULL, *trace;

	buf[0] = '\0';
	if (jv_get_kind(reply) == JV_KIND_STRING) {
		snprintf(buf, n, "%.300s", jv_string_value(reply));
		return;
	}
	for (size_t i = 0; i < sizeof keys / sizeof keys[0] && !msg; i++)
		msg = brm_str(reply, keys[i]);
	if (msg) {
		snprintf(buf, n, "%s", msg);
	} else if (jv_get_kind(reply) == JV_KIND_OBJECT) {
		jv e = brm_field(reply, "errors");
		if (jv_is_valid(e) && jv_get_kind(e) != JV_KIND_NULL) {
			jv d = jv_dump_string(e, 0);
			snprintf(buf, n, "%.300s", jv_string_value(d));
			jv_free(d);
		} else {
			jv_free(e);
		}
	}
	if ((trace = brm_str(reply, "traceId")))
		snprintf(buf + strlen(buf), n - strlen(buf), " (trace %s)", trace);
}

static jv parse_body(const struct wp_http_resp *r)
{
	if (!r->body || r->len == 0)
		return jv_null();
	jv v = jv_parse_sized(r->body, (int)r->len);
	if (!jv_is_valid(v)) {
		jv_free(v);
		return jv_string_sized(r->body, (int)(r->len > 300 ? 300 : r->len));
	}
	return v;
}

int brm_login(struct brm_session *s, int force, struct wp_err *err)
{
	struct wp_http_req req = { 0 };
	struct wp_http_resp resp = WP_HTTP_RESP_INIT;
	char *basic = NULL, *cred = NULL, *auth = NULL, *form = NULL, *u = NULL, *p = NULL;
	char msg[512];
	int rc;

	if (!force) {
		cache_read(s);
		if (s->token && time(NULL) < s->refresh_at)
			return 0;
	}
	if (!s->user || !s->password)
		return wp_err_set(err, WP_ECONFIG, "no BRM credentials: set BRM_USERNAME and "
						   "BRM_PASSWORD, or username and password in [brm]");
	u = wp_url_escape(s->user);
	p = wp_url_escape(s->password);
	if (!u || !p || asprintf(&cred, "%s:%s", s->client_id, s->client_secret) < 0 ||
	    !(basic = base64(cred)) || asprintf(&auth, "Authorization: Basic %s", basic) < 0 ||
	    asprintf(&form, "grant_type=password&scope=auction_api&username=%s&password=%s", u, p) <
		    0) {
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
		goto out;
	}
	const char *hdr[] = { auth, "Content-Type: application/x-www-form-urlencoded",
			      "Accept: application/json", NULL };
	req.method = "POST";
	req.url = s->token_url;
	req.headers = hdr;
	req.body = form;
	req.body_len = strlen(form);
	req.idempotent = 1; /* a token request changes nothing: safe to retry */
	s->logins++;
	rc = wp_http_do(s->http, &req, &resp, err);
	if (rc) {
		wp_err_prefix(err, "login to %s", s->token_url);
		goto out;
	}
	jv reply = parse_body(&resp);
	if (resp.status == 400 || resp.status == 401) {
		api_message(reply, msg, sizeof msg);
		jv_free(reply);
		rc = wp_err_set(err, WP_EPERM, "login refused for user %s at %s: %s", s->user,
				s->token_url, msg);
		goto out;
	}
	if (resp.status < 200 || resp.status > 299) {
		rc = brm_status_err(resp.status, reply, 0, "login", err);
		goto out;
	}
	const char *tok = brm_str(reply, "access_token");
	double life = brm_num(reply, "expires_in");
	if (!tok) {
		jv_free(reply);
		rc = wp_err_set(err, WP_EPROTO, "login: no access_token in the reply");
		goto out;
	}
	if (isnan(life) || life <= 0)
		life = 3600; /* lifetime unpublished (brm.md section 2) */
	/* Log in again before the exchange would refuse the token. */
	double margin = life > 600 ? 300 : life > 120 ? 60 : life / 4;
	time_t now = time(NULL);
	set_token(s, tok, now + (time_t)(life - margin));
	jv_free(reply);
	if (!s->token) {
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
		goto out;
	}
	cache_write(s, now + (time_t)life);
out:
	if (p)
		explicit_bzero(p, strlen(p));
	if (form)
		explicit_bzero(form, strlen(form));
	free(u);
	free(p);
	free(cred);
	free(basic);
	free(auth);
	free(form);
	wp_http_resp_release(&resp);
	return rc;
}

/* ---- calls ------------------------------------------------------------------- */

int brm_status_err(long status, jv reply, int write, const char *what, struct wp_err *err)
{
	char msg[700];
	int code;

	api_message(reply, msg, sizeof msg);
	jv_free(reply);
	if (status >= 200 && status <= 299)
		return 0;
	if (status == 400)
		code = write ? WP_EFAIL : WP_EDATA;
	else if (status == 401 || status == 403)
		code = WP_EPERM;
	else if (status == 404)
		code = WP_EUNAVAIL;
	else if (status == 405)
		code = WP_EINTERNAL;
	else if (status == 429 || (status >= 502 && status <= 504))
		code = WP_ETEMP;
	else if (status >= 500)
		code = WP_EUNAVAIL;
	else
		code = WP_EPROTO;
	return wp_err_set(err, code, "%s: %sHTTP %ld%s%s", what,
			  code == WP_EFAIL ? "rejected by the exchange: " : "", status,
			  msg[0] ? ": " : "", msg);
}

int brm_call(struct brm_session *s, const char *method, const char *path, jv body,
	     int idempotent, long *status, jv *reply, struct wp_err *err)
{
	char *url = NULL, *auth = NULL, *text = NULL;
	int rc = 0;

	*reply = jv_null();
	*status = 0;
	if (jv_is_valid(body)) {
		jv d = jv_dump_string(body, 0);
		text = strdup(jv_string_value(d));
		jv_free(d);
		if (!text)
			return wp_err_set(err, WP_EINTERNAL, "out of memory");
	} else {
		jv_free(body);
	}
	if (asprintf(&url, "%s%s", s->api_url, path) < 0) {
		free(text);
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		struct wp_http_req req = { 0 };
		struct wp_http_resp resp = WP_HTTP_RESP_INIT;

		if (attempt > 0 || !s->token || time(NULL) >= s->refresh_at)
			if ((rc = brm_login(s, attempt > 0, err)))
				break;
		free(auth);
		if (asprintf(&auth, "Authorization: Bearer %s", s->token) < 0) {
			auth = NULL;
			rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
			break;
		}
		const char *hdr[] = { auth, "Accept: application/json",
				      text ? "Content-Type: application/json" : NULL, NULL };
		req.method = method;
		req.url = url;
		req.headers = hdr;
		req.body = text;
		req.body_len = text ? strlen(text) : 0;
		req.idempotent = idempotent;
		if ((rc = wp_http_do(s->http, &req, &resp, err))) {
			wp_err_prefix(err, "%s %s", method, path);
			wp_http_resp_release(&resp);
			break;
		}
		*status = resp.status;
		jv_free(*reply);
		*reply = parse_body(&resp);
		wp_http_resp_release(&resp);
		/* An expired token is refused before the request is processed,
		 * so repeating once after a fresh login is safe even for writes. */
		if (*status != 401)
			break;
		if (attempt == 1)
			rc = wp_err_set(err, WP_EPERM, "%s %s: token refused right after login (HTTP 401)",
					method, path);
	}
	if (rc) {
		/* A first 401's body is no answer to the caller. */
		jv_free(*reply);
		*reply = jv_null();
	}
	if (auth)
		explicit_bzero(auth, strlen(auth));
	free(auth);
	free(url);
	free(text);
	return rc;
}

int brm_get(struct brm_session *s, const char *path, jv *out, struct wp_err *err)
{
	long status;
	int rc = brm_call(s, "GET", path, jv_invalid(), 1, &status, out, err);

	if (rc == 0 && (status < 200 || status > 299)) {
		char what[300];
		snprintf(what, sizeof what, "GET %s", path);
		rc = brm_status_err(status, *out, 0, what, err);
		*out = jv_null();
	}
	return rc;
}

static char *esc(const char *s)
{
	return wp_url_escape(s ? s : "");
}

/* "/curveorders" or "/blockorders", then "/<id><tail>" when id is given;
 * malloc'd, NULL when out of memory. */
static char *order_path(enum brm_kind kind, const char *id, const char *tail)
{
	const char *coll = kind == BRM_CURVE ? "curveorders" : "blockorders";
	char *e = NULL, *path = NULL;

	if (id && !(e = esc(id)))
		return NULL;
	if (asprintf(&path, "/%s%s%s%s", coll, id ? "/" : "", id ? e : "", tail ? tail : "") < 0)
		path = NULL;
	free(e);
	return path;
}

int brm_auctions(struct brm_session *s, time_t from, time_t to, jv *out, struct wp_err *err)
{
	char a[WP_TIME_MAX], b[WP_TIME_MAX], path[256];

	wp_fmt_utc(from, a);
	wp_fmt_utc(to, b);
	/* RFC 3339 needs no escaping in a query value. */
	snprintf(path, sizeof path, "/auctions?closeBiddingFrom=%s&closeBiddingTo=%s", a, b);
	int rc = brm_get(s, path, out, err);
	if (rc == 0 && jv_get_kind(*out) != JV_KIND_ARRAY) {
		jv_free(*out);
		*out = jv_null();
		rc = wp_err_set(err, WP_EPROTO, "GET /auctions: not a list of auctions");
	}
	return rc;
}

int brm_auction(struct brm_session *s, const char *id, jv *out, struct wp_err *err)
{
	char *e = esc(id), *path = NULL;
	int rc;

	if (!e || asprintf(&path, "/auctions/%s", e) < 0) {
		free(e);
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	rc = brm_get(s, path, out, err);
	if (rc == WP_EUNAVAIL)
		wp_err_set(err, WP_EUNAVAIL, "auction %s not found (brm-auctions lists them)", id);
	else if (rc == 0 && jv_get_kind(*out) != JV_KIND_OBJECT)
		rc = wp_err_set(err, WP_EPROTO, "GET %s: not an auction", path);
	free(e);
	free(path);
	return rc;
}

/* GET /auctions/{id}/{what} with the portfolio and area filters. The
 * area filter is "areas" in Nord Pool's kit and "areaCodes" in the
 * swagger model: send both (brm.md section 3). */
static int auction_get(struct brm_session *s, const char *auction, const char *what,
		       const char *portfolio, const char *area, jv *out, struct wp_err *err)
{
	char *ea = esc(auction), *ep = esc(portfolio), *er = esc(area), path[2048];
	int rc, n;

	*out = jv_null();
	if (!ea || !ep || !er) {
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
		goto out;
	}
	n = snprintf(path, sizeof path, "/auctions/%s/%s%s", ea, what,
		     portfolio || area ? "?" : "");
	if (portfolio)
		n += snprintf(path + n, sizeof path - n, "portfolios=%s%s", ep, area ? "&" : "");
	if (area && n < (int)sizeof path)
		n += snprintf(path + n, sizeof path - n, "areas=%s&areaCodes=%s", er, er);
	if (n >= (int)sizeof path)
		rc = wp_err_set(err, WP_EUSAGE, "auction, portfolio or area name too long");
	else
		rc = brm_get(s, path, out, err);
out:
	free(ea);
	free(ep);
	free(er);
	return rc;
}

int brm_orders(struct brm_session *s, const char *auction, const char *portfolio,
	       const char *area, jv *out, struct wp_err *err)
{
	int rc = auction_get(s, auction, "orders", portfolio, area, out, err);

	if (rc == 0 && jv_get_kind(*out) != JV_KIND_OBJECT)
		rc = wp_err_set(err, WP_EPROTO, "orders of %s: not an Orders object", auction);
	return rc;
}

int brm_live_orders(struct brm_session *s, const char *auction, const char *portfolio,
		    const char *area, jv *ids, struct wp_err *err)
{
	static const char *const lists[] = { "curveOrders", "blockLists" };
	jv orders;
	int rc;

	*ids = jv_array();
	if ((rc = brm_orders(s, auction, portfolio, area, &orders, err)))
		return rc;
	for (int k = 0; k < 2; k++) {
		jv list = brm_array(orders, lists[k]);
		jv_array_foreach(list, i, o) {
			const char *id = brm_str(o, "orderId");
			if (id && !brm_order_in_state(o, "Cancelled") &&
			    !brm_order_in_state(o, "ResultsPublished"))
				*ids = jv_array_append(*ids, jv_string(id));
			jv_free(o);
		}
		jv_free(list);
	}
	jv_free(orders);
	return 0;
}

int brm_trades(struct brm_session *s, const char *auction, const char *portfolio,
	       const char *area, jv *out, struct wp_err *err)
{
	int rc = auction_get(s, auction, "trades", portfolio, area, out, err);

	if (rc == 0 && jv_get_kind(*out) == JV_KIND_NULL) {
		*out = jv_array();
	} else if (rc == 0 && jv_get_kind(*out) != JV_KIND_ARRAY) {
		rc = wp_err_set(err, WP_EPROTO, "trades of %s: not a list", auction);
	}
	return rc;
}

int brm_prices(struct brm_session *s, const char *auction, jv *out, struct wp_err *err)
{
	return auction_get(s, auction, "prices", NULL, NULL, out, err);
}

int brm_order_get(struct brm_session *s, const char *id, enum brm_kind *kind, jv *out,
		  struct wp_err *err)
{
	static const enum brm_kind kinds[] = { BRM_CURVE, BRM_BLOCK };
	int rc = WP_EUNAVAIL;

	*out = jv_null();
	/* "" would ask for the whole collection, which the API refuses (405). */
	if (!id || !*id)
		return wp_err_set(err, WP_EUSAGE, "empty order id");
	for (int k = 0; k < 2 && rc == WP_EUNAVAIL; k++) {
		char *path = order_path(kinds[k], id, NULL);
		if (!path)
			return wp_err_set(err, WP_EINTERNAL, "out of memory");
		*kind = kinds[k];
		rc = brm_get(s, path, out, err);
		free(path);
	}
	if (rc == WP_EUNAVAIL)
		wp_err_set(err, WP_EUNAVAIL, "order %s not found", id);
	return rc;
}

int brm_order_versions(struct brm_session *s, const char *id, jv *out, struct wp_err *err)
{
	enum brm_kind kind;
	char *path;
	int rc;

	/* The order tells which collection it is in. */
	if ((rc = brm_order_get(s, id, &kind, out, err)))
		return rc;
	jv_free(*out);
	*out = jv_null();
	if (!(path = order_path(kind, id, "/versions")))
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	rc = brm_get(s, path, out, err);
	free(path);
	return rc;
}

int brm_order_check(struct brm_session *s, struct brm_order *o, const char *replace,
		    const struct brm_limits *lim, jv *problems, struct wp_err *err)
{
	struct brm_market m = { jv_null(), jv_null(), time(NULL), replace };
	int rc;

	*problems = jv_array();
	/* The portfolio is resolved to its name before A3 is asked for it. */
	if ((rc = brm_auction(s, o->auction, &m.auction, err)) == 0 &&
	    (rc = brm_order_resolve(o, m.auction, err)) == 0 &&
	    (rc = brm_orders(s, o->auction, o->portfolio, o->area, &m.orders, err)) == 0) {
		jv_free(*problems);
		rc = brm_order_validate(o, &m, lim, problems, err);
	}
	jv_free(m.auction);
	jv_free(m.orders);
	return rc;
}

/* ---- writes -------------------------------------------------------------------- */

struct write {
	const char *method, *path, *ref, *auction, *portfolio, *area, *order_id;
	enum brm_kind kind;
};

static jv journal_entry(const struct brm_session *s, const struct write *w, const char *phase)
{
	jv e = jv_object();
	e = jv_object_set(e, jv_string("environment"), jv_string(s->env));
	e = jv_object_set(e, jv_string("api"), jv_string(s->api_url));
	e = jv_object_set(e, jv_string("user"), jv_string(s->user ? s->user : ""));
	e = jv_object_set(e, jv_string("phase"), jv_string(phase));
	e = jv_object_set(e, jv_string("auction_id"), w->auction ? jv_string(w->auction) : jv_null());
	e = jv_object_set(e, jv_string("portfolio"), w->portfolio ? jv_string(w->portfolio) : jv_null());
	e = jv_object_set(e, jv_string("area"), w->area ? jv_string(w->area) : jv_null());
	e = jv_object_set(e, jv_string("method"), jv_string(w->method));
	e = jv_object_set(e, jv_string("path"), jv_string(w->path));
	e = jv_object_set(e, jv_string("ref"), w->ref ? jv_string(w->ref) : jv_null());
	return e;
}

static int journal(const struct brm_session *s, jv e, struct wp_err *err)
{
	if (!s->journal) {
		jv_free(e);
		return 0;
	}
	return brm_journal_append(s->journal, e, err);
}

/* The output record of a write, from the order as the exchange has it. */
static jv result(const struct write *w, jv order, const char *outcome)
{
	jv r = jv_object();
	const char *id = brm_str(order, "orderId");
	double version = brm_num(order, "version");

	r = jv_object_set(r, jv_string("order_id"),
			  id ? jv_string(id) : w->order_id ? jv_string(w->order_id) : jv_null());
	r = jv_object_set(r, jv_string("kind"), jv_string(w->kind == BRM_CURVE ? "curve" : "block"));
	r = jv_object_set(r, jv_string("auction_id"), w->auction ? jv_string(w->auction) : jv_null());
	r = jv_object_set(r, jv_string("portfolio"), w->portfolio ? jv_string(w->portfolio) : jv_null());
	r = jv_object_set(r, jv_string("area"), w->area ? jv_string(w->area) : jv_null());
	r = jv_object_set(r, jv_string("state"), brm_order_state(order));
	r = jv_object_set(r, jv_string("version"), isnan(version) ? jv_null() : jv_number(version));
	r = jv_object_set(r, jv_string("outcome"), jv_string(outcome));
	r = jv_object_set(r, jv_string("ref"), w->ref ? jv_string(w->ref) : jv_null());
	return r;
}

/* Did the write land? Look for the reference in the portfolio's orders. */
static int find_ref(struct brm_session *s, const struct write *w, jv *found, struct wp_err *err)
{
	jv orders;
	int rc = brm_orders(s, w->auction, w->portfolio, w->area, &orders, err);

	*found = jv_invalid();
	if (rc)
		return rc;
	jv list = brm_field(orders, w->kind == BRM_CURVE ? "curveOrders" : "blockLists");
	jv_free(orders);
	if (jv_get_kind(list) == JV_KIND_ARRAY) {
		jv_array_foreach(list, i, o) {
			const char *c = brm_str(o, "comment");
			if (!jv_is_valid(*found) && c && strstr(c, w->ref)) {
				jv_free(*found);
				*found = jv_copy(o);
			}
			jv_free(o);
		}
	}
	jv_free(list);
	return 0;
}

static int ambiguous(long status, int rc)
{
	return rc == WP_ETEMP || status == 408 || status == 429 || status >= 500;
}

/* Journal a write's outcome (e consumed). The write has happened (or
 * not) whatever the journal says, so a journal failure names the order. */
static int journal_outcome(const struct brm_session *s, jv e, const char *outcome,
			   const char *message, jv out, struct wp_err *err)
{
	struct wp_err jerr = WP_ERR_INIT;
	const char *id = brm_str(out, "order_id");

	e = jv_object_set(e, jv_string("outcome"), jv_string(outcome));
	e = jv_object_set(e, jv_string("order_id"), id ? jv_string(id) : jv_null());
	if (message)
		e = jv_object_set(e, jv_string("message"), jv_string(message));
	if (journal(s, e, &jerr) == 0)
		return 0;
	return wp_err_set(err, jerr.code, "%s %s (%s), but %s", id ? id : "request", outcome,
			  message ? message : "no error", jerr.msg);
}

/* Send one write once; on an ambiguous failure (no answer, 408, 429,
 * 5xx) learn from the orders whether it landed, by the reference in its
 * comment. Never sends again. */
static int write_once(struct brm_session *s, const struct write *w, jv body, const char *done,
		      jv *out, struct wp_err *err)
{
	struct wp_err why = WP_ERR_INIT, reread = WP_ERR_INIT;
	long status = 0;
	jv reply, e, found;
	char outcome[64];
	int rc;

	e = journal_entry(s, w, "request");
	e = jv_object_set(e, jv_string("request"), jv_copy(body));
	if ((rc = journal(s, e, err))) {
		jv_free(body);
		return wp_err_prefix(err, "journal (nothing sent)");
	}
	rc = brm_call(s, w->method, w->path, body, 0, &status, &reply, &why);
	e = journal_entry(s, w, "response");
	e = jv_object_set(e, jv_string("status"), status ? jv_number(status) : jv_null());
	if (rc == 0 && status >= 200 && status <= 299) {
		if (jv_get_kind(reply) != JV_KIND_OBJECT && w->order_id) {
			/* PATCH may answer 204: read the order back for its state. */
			enum brm_kind k;
			jv_free(reply);
			if (brm_order_get(s, w->order_id, &k, &reply, NULL))
				reply = jv_null();
		}
		*out = result(w, reply, done);
		jv_free(reply);
		return journal_outcome(s, e, done, NULL, *out, err);
	}
	if (!ambiguous(status, rc)) {
		/* A clear answer: the exchange refused it, nothing landed. */
		rc = rc ? rc : brm_status_err(status, jv_copy(reply), 1, w->path, &why);
		jv_free(reply);
		journal_outcome(s, e, "refused", why.msg, jv_null(), NULL);
		*err = why;
		return rc;
	}
	if (rc == 0)
		brm_status_err(status, reply, 1, w->path, &why);
	else
		jv_free(reply);
	if (find_ref(s, w, &found, &reread)) {
		journal_outcome(s, e, "unknown", why.msg, jv_null(), NULL);
		return wp_err_set(err, WP_ETEMP,
				  "%s; re-reading the orders failed too (%s): state unknown, check "
				  "with brm-orders for %s before sending again",
				  why.msg, reread.msg, w->ref);
	}
	if (jv_is_valid(found)) {
		snprintf(outcome, sizeof outcome, "%s-after-error", done);
		*out = result(w, found, outcome);
		jv_free(found);
		return journal_outcome(s, e, outcome, why.msg, *out, err);
	}
	jv_free(found);
	/* Absent proves nothing while the request may still be in flight:
	 * only a throttled or unavailable answer says it was not taken. */
	if (rc == 0 && (status == 429 || status == 503)) {
		journal_outcome(s, e, "not-landed", why.msg, jv_null(), NULL);
		return wp_err_set(err, WP_ETEMP,
				  "%s; the orders read back show no %s, so it did not land: safe "
				  "to run again",
				  why.msg, w->ref);
	}
	journal_outcome(s, e, "unknown", why.msg, jv_null(), NULL);
	return wp_err_set(err, WP_ETEMP,
			  "%s; not among the orders read back yet, but the exchange may still be "
			  "processing it: state unknown, check with brm-orders for %s before "
			  "sending again",
			  why.msg, w->ref);
}

int brm_order_place(struct brm_session *s, const struct brm_order *o, const char *replace,
		    jv *out, struct wp_err *err)
{
	char ref[40], *path;
	int rc;

	*out = jv_null();
	if ((rc = brm_ref_new(ref, err)))
		return rc;
	if (!(path = order_path(o->kind, replace, NULL)))
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	struct write w = { replace ? "PATCH" : "POST", path, ref, o->auction, o->portfolio, o->area,
			   replace, o->kind };
	rc = write_once(s, &w, brm_order_json(o, ref, replace != NULL),
			replace ? "modified" : "created", out, err);
	free(path);
	return rc;
}

int brm_order_cancel(struct brm_session *s, const char *id, jv *out, struct wp_err *err)
{
	enum brm_kind kind;
	char ref[40] = "", *path = NULL;
	jv order;
	int rc;

	*out = jv_null();
	if ((rc = brm_order_get(s, id, &kind, &order, err)))
		return rc;
	struct write w = { "PATCH", NULL, ref, brm_str(order, "auctionId"),
			   brm_str(order, "portfolio"), brm_str(order, "areaCode"), id, kind };
	if (brm_order_in_state(order, "Cancelled")) {
		w.ref = NULL;
		*out = result(&w, order, "already-cancelled");
		jv_free(order);
		return 0;
	}
	/* The comment carries a fresh reference, so a lost reply can still be
	 * matched to this cancel. */
	if ((rc = brm_ref_new(ref, err)))
		goto out;
	/* Keep the trader's words, swap the previous reference for this one. */
	const char *old = brm_str(order, "comment"), *prev = old ? strstr(old, "wp:") : NULL;
	int keep = old ? (int)(prev ? prev - old : (long)strlen(old)) : 0;
	while (keep > 0 && old[keep - 1] == ' ')
		keep--;
	jv comment = jv_string_fmt("%.*s%s%s", keep, old ? old : "", keep ? " " : "", ref);
	if (jv_string_length_bytes(jv_copy(comment)) > 255) {
		jv_free(comment);
		comment = jv_string(ref);
	}
	jv body = jv_object_set(jv_object(), jv_string(kind == BRM_CURVE ? "curves" : "blocks"),
				jv_array());
	body = jv_object_set(body, jv_string("comment"), comment);
	if (!(path = order_path(kind, id, NULL))) {
		jv_free(body);
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
		goto out;
	}
	w.path = path;
	rc = write_once(s, &w, body, "cancelled", out, err);
out:
	jv_free(order);
	free(path);
	return rc;
}
