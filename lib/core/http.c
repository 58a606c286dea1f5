/* http.c: requests on one reused libcurl easy handle, with the retry
 * policy, trace and redaction of http.h; the cache and the rate limiter
 * live in cache.c and ratelimit.c. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "wp.h"
#include "http-private.h"

#ifndef WP_VERSION
#define WP_VERSION "0"
#endif

/* Header values never shown in a trace, whatever opts.secrets holds. */
static const char *const secret_headers[] = {
	"Authorization", "Proxy-Authorization", "Ocp-Apim-Subscription-Key",
	"X-Api-Key",     "Api-Key",             "Cookie",
	"X-Auth-Token",  NULL,
};

double wp_http_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double wp_http_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void wp_http_sleep(double s)
{
	struct timespec ts;

	if (!(s > 0))
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---- growable buffers for the answer ------------------------------------- */

struct buf {
	char *p;
	size_t len, cap;
};

static int buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(p = realloc(b->p, cap)))
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static size_t on_body(char *s, size_t size, size_t n, void *b)
{
	return buf_add(b, s, size * n) == 0 ? size * n : 0;
}

/* Keep only the headers of the last answer (after a 100 Continue, say). */
static size_t on_header(char *s, size_t size, size_t n, void *v)
{
	struct buf *b = v;

	if (size * n >= 5 && memcmp(s, "HTTP/", 5) == 0)
		b->len = 0;
	return buf_add(b, s, size * n) == 0 ? size * n : 0;
}

/* ---- lifecycle ------------------------------------------------------------ */

int wp_http_init(struct wp_http *h, const struct wp_http_opts *o, struct wp_err *err)
{
	static const struct wp_http_opts defaults = WP_HTTP_OPTS_INIT;
	struct timespec ts;

	memset(h, 0, sizeof *h);
	h->o = o ? *o : defaults;
	if (!h->o.user_agent)
		h->o.user_agent = "wattpipe/" WP_VERSION;
	if (!(h->curl = curl_easy_init()))
		return wp_err_set(err, WP_EINTERNAL, "cannot start libcurl");
	clock_gettime(CLOCK_REALTIME, &ts);
	h->rng = (unsigned)ts.tv_nsec ^ (unsigned)ts.tv_sec ^ ((unsigned)getpid() << 16);
	if (!h->rng)
		h->rng = 1;
	return 0;
}

void wp_http_release(struct wp_http *h)
{
	if (h->curl)
		curl_easy_cleanup(h->curl);
	h->curl = NULL;
}

int wp_http_add_secret(struct wp_http *h, const char *s, struct wp_err *err)
{
	for (int i = 0; i < WP_HTTP_MAX_SECRETS; i++)
		if (!h->o.secrets[i] || h->o.secrets[i] == s) {
			h->o.secrets[i] = s;
			return 0;
		}
	return wp_err_set(err, WP_EINTERNAL, "more than %d secrets to redact",
			  WP_HTTP_MAX_SECRETS);
}

void wp_http_resp_release(struct wp_http_resp *resp)
{
	free(resp->body);
	free(resp->headers);
	*resp = (struct wp_http_resp)WP_HTTP_RESP_INIT;
}

/* ---- text helpers --------------------------------------------------------- */

char *wp_url_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = malloc(strlen(s) * 3 + 1), *w = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
			*w++ = (char)c;
		} else {
			*w++ = '%';
			*w++ = hex[c >> 4];
			*w++ = hex[c & 15];
		}
	}
	*w = '\0';
	return out;
}

/* Replace every occurrence of needle in *s by "***", in place (realloc). */
static int replace_all(char **s, const char *needle)
{
	size_t nl = strlen(needle);
	struct buf b = { 0 };
	const char *p = *s, *q;

	if (!nl || !strstr(*s, needle))
		return 0;
	while ((q = strstr(p, needle))) {
		if (buf_add(&b, p, (size_t)(q - p)) || buf_add(&b, "***", 3))
			goto oom;
		p = q + nl;
	}
	if (buf_add(&b, p, strlen(p)))
		goto oom;
	free(*s);
	*s = b.p;
	return 0;
oom:
	free(b.p);
	return -1;
}

char *wp_http_redact(const struct wp_http *h, const char *s)
{
	char *out = strdup(s ? s : "");

	for (int i = 0; out && i < WP_HTTP_MAX_SECRETS; i++) {
		const char *secret = h->o.secrets[i];
		char *esc;

		if (!secret || !*secret)
			continue;
		/* A secret in a URL travels percent-encoded. */
		esc = wp_url_escape(secret);
		if (replace_all(&out, secret) || (esc && replace_all(&out, esc))) {
			free(out);
			out = NULL;
		}
		free(esc);
	}
	return out;
}

/* "https://host:port/path" of a URL: no user info, no query, redacted;
 * what messages show. */
static void url_short(const struct wp_http *h, const char *url, char *out, size_t size)
{
	const char *p = strstr(url, "://"), *host = p ? p + 3 : url, *at, *end;
	char *r, tmp[1024];

	end = host + strcspn(host, "/?#");
	at = memchr(host, '@', (size_t)(end - host));
	snprintf(tmp, sizeof tmp, "%.*s%.*s", (int)(host - url), url,
		 (int)strcspn(at ? at + 1 : host, "?#"), at ? at + 1 : host);
	r = wp_http_redact(h, tmp);
	snprintf(out, size, "%s", r ? r : "(url)");
	free(r);
}

char *wp_http_header(const struct wp_http_resp *resp, const char *name)
{
	size_t nl = strlen(name);
	const char *p = resp->headers;

	for (; p && *p; p += strcspn(p, "\n"), p += *p == '\n') {
		const char *v, *e;

		if (strncasecmp(p, name, nl) != 0 || p[nl] != ':')
			continue;
		for (v = p + nl + 1; *v == ' ' || *v == '\t'; v++)
			;
		for (e = v + strcspn(v, "\r\n"); e > v && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		return strndup(v, (size_t)(e - v));
	}
	return NULL;
}

/* Seconds asked for by Retry-After ("120" or an HTTP date), or -1. */
static double retry_after(const struct wp_http_resp *resp)
{
	char *v = wp_http_header(resp, "Retry-After");
	double s = -1;

	if (v && *v) {
		char *e;
		long n = strtol(v, &e, 10);

		if (*e == '\0' && isdigit((unsigned char)*v)) {
			s = (double)n;
		} else {
			time_t t = curl_getdate(v, NULL);
			if (t != -1)
				s = fmax(0, (double)t - wp_http_wall());
		}
	}
	free(v);
	return s;
}

static const char *reason(long status)
{
	static const struct {
		long status;
		const char *text;
	} r[] = {
		{ 400, "Bad Request" },        { 401, "Unauthorized" },
		{ 403, "Forbidden" },          { 404, "Not Found" },
		{ 405, "Method Not Allowed" }, { 409, "Conflict" },
		{ 410, "Gone" },               { 422, "Unprocessable Content" },
		{ 429, "Too Many Requests" },  { 500, "Internal Server Error" },
		{ 502, "Bad Gateway" },        { 503, "Service Unavailable" },
		{ 504, "Gateway Timeout" },
	};

	for (size_t i = 0; i < sizeof r / sizeof *r; i++)
		if (r[i].status == status)
			return r[i].text;
	return "";
}

int wp_http_status_err(const struct wp_http *h, const struct wp_http_resp *resp,
		       const char *what, struct wp_err *err)
{
	long s = resp->status;
	char snippet[160] = "", *shown;
	size_t n = 0;
	int code;

	if (s >= 200 && s < 300)
		return 0;
	if (s == 401 || s == 403)
		code = WP_EPERM;
	else if (s == 404 || s == 410)
		code = WP_EUNAVAIL;
	else if (s == 429 || s >= 500 || s == 0)
		code = WP_ETEMP;
	else
		code = WP_EPROTO;
	/* The start of the body often says why; keep it to one printable line. */
	for (const char *p = resp->body; p && *p && n < sizeof snippet - 4; p++)
		if (n || !isspace((unsigned char)*p))
			snippet[n++] = isprint((unsigned char)*p) ? *p : ' ';
	while (n > 0 && snippet[n - 1] == ' ')
		n--;
	snippet[n] = '\0';
	if (resp->body && strlen(resp->body) > n && n == sizeof snippet - 4)
		strcat(snippet, "...");
	/* A server may echo the request, key included. */
	shown = h ? wp_http_redact(h, snippet) : NULL;
	code = wp_err_set(err, code, "%s: HTTP %ld%s%s%s%s", what, s, *reason(s) ? " " : "",
			  reason(s), *snippet ? ": " : "", shown ? shown : snippet);
	free(shown);
	return code;
}

/* ---- trace ------------------------------------------------------------------ */

static void trace_line(const struct wp_http *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void trace_line(const struct wp_http *h, const char *fmt, ...)
{
	char line[4096], *r;
	va_list ap;

	if (!h->o.trace)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	r = wp_http_redact(h, line);
	fprintf(h->o.trace, "%s\n", r ? r : "(trace line lost: out of memory)");
	fflush(h->o.trace);
	free(r);
}

static void trace_request(const struct wp_http *h, const char *method,
			  const struct wp_http_req *req)
{
	if (!h->o.trace)
		return;
	trace_line(h, "> %s %s", method, req->url);
	for (const char *const *hd = req->headers; hd && *hd; hd++) {
		size_t nl = strcspn(*hd, ":");
		int hide = 0;

		for (const char *const *s = secret_headers; *s && !hide; s++)
			hide = strlen(*s) == nl && strncasecmp(*hd, *s, nl) == 0;
		if (hide)
			trace_line(h, "> %.*s: ***", (int)nl, *hd);
		else
			trace_line(h, "> %s", *hd);
	}
	if (req->body)
		trace_line(h, "> (%zu bytes of body)", req->body_len);
}

/* ---- one request -------------------------------------------------------- */

static void setup(struct wp_http *h, const char *method, const struct wp_http_req *req,
		  struct curl_slist *hdrs, struct buf *body, struct buf *head, char *errbuf)
{
	CURL *c = h->curl;

	curl_easy_reset(c); /* keeps the live connections */
	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, h->o.connect_timeout_s);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, h->o.timeout_s);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->o.cacert)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->o.cacert);
	curl_easy_setopt(c, CURLOPT_USERAGENT, h->o.user_agent);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	/* Redirects are not followed: custom headers (API keys) would go
	 * along to whatever host the Location names. */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, head);
	/* libcurl silently sends a request again, POST included, when a
	 * reused keep-alive connection turns out dead before any answer. A
	 * request that must not repeat goes out on a connection of its own. */
	curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, req->idempotent ? 0L : 1L);
	if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else {
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
		if (req->body || strcmp(method, "POST") == 0) {
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
					 (curl_off_t)(req->body ? req->body_len : 0));
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
		}
	}
}

/* Network failures worth another try; the rest are settled. */
static int net_retryable(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

static int net_code(CURLcode rc)
{
	switch (rc) {
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return WP_EUSAGE;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		return WP_EUNAVAIL;
	case CURLE_OUT_OF_MEMORY:
		return WP_EINTERNAL;
	default:
		return WP_ETEMP;
	}
}

/* The wait before attempt n+1: backoff doubling from opts.backoff_s, capped,
 * then between half and all of it at random so clients spread out. */
static double backoff(struct wp_http *h, int n)
{
	double w = h->o.backoff_s * pow(2, n - 1);
	unsigned x = h->rng;

	if (w > h->o.backoff_max_s)
		w = h->o.backoff_max_s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	h->rng = x;
	return w * (0.5 + 0.5 * (x / 4294967296.0));
}

static int cache_wanted(const struct wp_http *h, const char *method,
			const struct wp_http_req *req)
{
	return h->o.cache_dir && !h->o.no_cache && req->cache_ttl_s != 0 &&
	       strcmp(method, "GET") == 0;
}

int wp_http_do(struct wp_http *h, const struct wp_http_req *req, struct wp_http_resp *resp,
	       struct wp_err *err)
{
	const char *method = req->method ? req->method : "GET";
	int tries = req->idempotent && h->o.retries > 0 ? 1 + h->o.retries : 1;
	struct curl_slist *hdrs = NULL, *l;
	char *key = NULL, shown[1024], what[1100], errbuf[CURL_ERROR_SIZE];
	struct buf body = { 0 }, head = { 0 };
	int rc = 0;

	*resp = (struct wp_http_resp)WP_HTTP_RESP_INIT;
	url_short(h, req->url, shown, sizeof shown);
	snprintf(what, sizeof what, "%.20s %s", method, shown);
	if (cache_wanted(h, method, req)) {
		char *k = NULL;

		if (asprintf(&k, "%s %s", method, req->url) < 0 || !(key = wp_http_redact(h, k))) {
			free(k);
			return wp_err_set(err, WP_EINTERNAL, "out of memory");
		}
		free(k);
		if (wp_http_cache_get(h->o.cache_dir, key, req->cache_ttl_s, resp)) {
			trace_line(h, "> %s %s", method, req->url);
			trace_line(h, "< HTTP %ld (%zu bytes, from cache)", resp->status, resp->len);
			free(key);
			return 0;
		}
	}
	for (const char *const *hd = req->headers; hd && *hd; hd++) {
		if (!(l = curl_slist_append(hdrs, *hd)))
			goto oom;
		hdrs = l;
	}
	/* No "Expect: 100-continue" round trip before a body. */
	if (!(l = curl_slist_append(hdrs, "Expect:")))
		goto oom;
	hdrs = l;

	for (int n = 1;; n++) {
		double waited, wait, t0;
		CURLcode cc;
		long status = 0;

		if ((rc = wp_http_rate_wait(&h->o, &waited, err)) != 0)
			break;
		if (waited > 0)
			trace_line(h, "* rate limit %s: waited %.2f s", h->o.rate_name, waited);
		trace_request(h, method, req);
		body.len = head.len = 0;
		errbuf[0] = '\0';
		setup(h, method, req, hdrs, &body, &head, errbuf);
		t0 = wp_http_mono();
		cc = curl_easy_perform(h->curl);
		resp->attempts = n;
		if (cc == CURLE_OK) {
			curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
			trace_line(h, "< HTTP %ld (%zu bytes, %.2f s)", status, body.len,
				   wp_http_mono() - t0);
			free(resp->body);
			free(resp->headers);
			resp->status = status;
			resp->len = body.len;
			resp->body = body.p ? body.p : strdup("");
			resp->headers = head.p ? head.p : strdup("");
			body = head = (struct buf){ 0 };
			if (!resp->body || !resp->headers)
				goto oom;
			if (!req->idempotent || (status != 429 && status < 500))
				break;
			wait = status == 429 || status == 503 ? retry_after(resp) : -1;
			if (n == tries) {
				rc = wp_err_set(err, WP_ETEMP, "%s: HTTP %ld after %d attempt%s", what,
						status, n, n == 1 ? "" : "s");
				break;
			}
			if (wait > h->o.backoff_max_s) {
				rc = wp_err_set(err, WP_ETEMP,
						"%s: HTTP %ld, the server asks to wait %.0f s", what,
						status, wait);
				break;
			}
			if (wait < 0)
				wait = backoff(h, n);
			trace_line(h, "* HTTP %ld: retry %d of %d in %.2f s", status, n,
				   tries - 1, wait);
		} else {
			const char *why = errbuf[0] ? errbuf : curl_easy_strerror(cc);
			int code = net_code(cc), again = net_retryable(cc);
			char *r;

			trace_line(h, "< %s (%.2f s)", why, wp_http_mono() - t0);
			if (!(r = wp_http_redact(h, why)))
				goto oom;
			if (!req->idempotent && (cc == CURLE_COULDNT_CONNECT ||
						 cc == CURLE_COULDNT_RESOLVE_HOST))
				rc = wp_err_set(err, code, "%s: %s (nothing was sent)", what, r);
			else if (!req->idempotent && code == WP_ETEMP)
				rc = wp_err_set(err, code,
						"%s: %s; sent once and not retried, so it may or "
						"may not have reached the server",
						what, r);
			else if (again && n == tries && n > 1)
				rc = wp_err_set(err, code, "%s: %s after %d attempts", what, r, n);
			else if (!again || n == tries)
				rc = wp_err_set(err, code, "%s: %s", what, r);
			free(r);
			if (rc)
				break;
			wait = backoff(h, n);
			trace_line(h, "* retry %d of %d in %.2f s", n, tries - 1, wait);
		}
		wp_http_sleep(wait);
	}
	if (rc == 0 && key && resp->status == 200) {
		struct wp_err cerr = WP_ERR_INIT;

		if (wp_http_cache_put(h->o.cache_dir, key, resp, &cerr) != 0)
			trace_line(h, "* not cached: %s", cerr.msg);
	}
	goto out;
oom:
	rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
out:
	curl_slist_free_all(hdrs);
	free(body.p);
	free(head.p);
	free(key);
	return rc;
}

/* ---- progress --------------------------------------------------------------- */

void wp_progress_start(struct wp_progress *p, FILE *out, const char *prog, const char *unit)
{
	memset(p, 0, sizeof *p);
	p->out = out;
	p->prog = prog;
	p->unit = unit;
	p->t0 = wp_http_mono();
}

void wp_progress_update(struct wp_progress *p, long done, long total, int page, int pages)
{
	double now = wp_http_mono(), el = now - p->t0;
	char line[256];
	int n;

	p->done = done;
	p->total = total;
	/* A few updates a second at most; the final count always shows. */
	if (!p->out || (p->last > 0 && now - p->last < 0.25 && !(total > 0 && done >= total)))
		return;
	p->last = now;
	n = snprintf(line, sizeof line, "%s: %ld", p->prog, done);
	if (total > 0)
		n += snprintf(line + n, sizeof line - (size_t)n, "/%ld", total);
	n += snprintf(line + n, sizeof line - (size_t)n, " %s", p->unit);
	if (page > 0 && pages > 0)
		n += snprintf(line + n, sizeof line - (size_t)n, ", page %d/%d", page, pages);
	else if (page > 0)
		n += snprintf(line + n, sizeof line - (size_t)n, ", page %d", page);
	if (total > 0 && done > 0 && done < total && el > 1) {
		long eta = (long)(el * (double)(total - done) / (double)done);
		snprintf(line + n, sizeof line - (size_t)n, ", ETA %ld:%02ld", eta / 60, eta % 60);
	}
	fprintf(p->out, "\r%s\033[K", line);
	fflush(p->out);
}

void wp_progress_end(struct wp_progress *p)
{
	if (p->out && p->last > 0) {
		fputs("\r\033[K", p->out);
		fflush(p->out);
	}
	p->last = 0;
}
