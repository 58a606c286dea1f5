/* http.h: the one HTTP layer (DESIGN.md section 5), on libcurl easy handles.
 *
 * - TLS verification always on; opts.cacert adds a CA bundle. Redirects
 *   are not followed (an API key header would travel with them): a 3xx
 *   comes back as the answer.
 * - Retries only when req.idempotent: on connect/timeout errors, 429 and
 *   5xx, with exponential backoff (opts.backoff_s, doubling) plus jitter;
 *   a Retry-After header (seconds or HTTP date) on 429/503 wins. Giving up
 *   is WP_ETEMP. A non-idempotent request is sent once, whatever happens,
 *   on a fresh connection (libcurl would resend on a dead reused one).
 * - Rate limit shared by every process using the same opts.rate_name: a
 *   lock file in the cache dir holds recent request times (flock), so
 *   concurrent cron jobs together stay under rate_max per rate_window_s and
 *   at least rate_min_interval_s apart.
 * - Cache: GET responses with status 200 are kept under
 *   cache_dir/http/<hash of method+url> (0600) for req.cache_ttl_s seconds
 *   (< 0 = never expires), written atomically (temp file + rename) so
 *   concurrent processes share it; opts.no_cache skips it. The key is the
 *   method and URL with opts.secrets redacted, so a key in the URL is
 *   neither on disk nor part of the name; it is still better in a header.
 * - Trace (opts.trace, for -v): "> GET url", "> Header: value",
 *   "< HTTP 200 (1234 bytes, 0.12 s)" and a line per retry or wait; every
 *   string in opts.secrets (also percent-encoded) becomes "***", and so
 *   does the whole value of Authorization, Ocp-Apim-Subscription-Key,
 *   X-Api-Key, Cookie and the like. Bodies are shown by size only.
 *   Error messages are redacted the same way and show the URL without its
 *   query: "GET https://host/path: HTTP 503 after 4 attempts".
 * - Progress: wp_progress below, on the stream wp_cli_progress gives
 *   (stderr on a tty without -q, else NULL: nothing written).
 *
 * Status handling: wp_http_do returns 0 whenever an HTTP answer arrived
 * that the retry policy does not retry (any status, 4xx included; the
 * caller interprets it, wp_http_status_err helps); WP_ETEMP when the
 * network or the retry budget gave out (resp then holds the last answer,
 * if any). A non-idempotent request that failed on the network says
 * whether it was never sent (connect failed) or may have landed.
 */
#ifndef WP_HTTP_H
#define WP_HTTP_H

#include <stddef.h>
#include <stdio.h>

struct wp_err;

#define WP_HTTP_MAX_SECRETS 8

struct wp_http_opts {
	long connect_timeout_s;     /* default 10 */
	long timeout_s;             /* whole transfer; default 120; 0 = none */
	int retries;                /* extra attempts; default 3 */
	double backoff_s;           /* first wait; default 1.0 */
	double backoff_max_s;       /* cap per wait; default 60 */
	const char *cacert;         /* extra CA file or NULL */
	const char *user_agent;     /* default "wattpipe/VERSION" */
	FILE *trace;                /* -v trace or NULL */
	const char *secrets[WP_HTTP_MAX_SECRETS]; /* redacted from trace and messages */
	const char *cache_dir;      /* wattpipe cache dir, NULL = no cache, no shared limiter */
	int no_cache;               /* --no-cache: never read or write the cache; the limiter stays */
	const char *rate_name;      /* limiter key ("pjm"), NULL = no limit */
	int rate_max;               /* requests per window, 0 = no window limit */
	double rate_window_s;       /* e.g. 60 */
	double rate_min_interval_s; /* minimum spacing, 0 = none */
};
#define WP_HTTP_OPTS_INIT { 10, 120, 3, 1.0, 60.0, 0, 0, 0, { 0 }, 0, 0, 0, 0, 60.0, 0.0 }

struct wp_http {
	struct wp_http_opts o;
	void *curl;                 /* CURL *, reused for keep-alive */
	unsigned rng;               /* jitter state */
};

struct wp_http_req {
	const char *method;             /* "GET" (default when NULL), "POST", "PATCH", ... */
	const char *url;
	const char *const *headers;     /* "Name: value", NULL-terminated, or NULL */
	const char *body;               /* NULL = none */
	size_t body_len;
	int idempotent;                 /* may be retried */
	long cache_ttl_s;               /* 0 = not cached; < 0 = forever */
};

struct wp_http_resp {
	long status;
	char *body;                     /* NUL-terminated; len excludes the NUL */
	size_t len;
	char *headers;                  /* raw response headers of the final answer */
	int from_cache;
	int attempts;                   /* requests sent; 0 when from the cache */
};
#define WP_HTTP_RESP_INIT { 0, 0, 0, 0, 0, 0 }

int wp_http_init(struct wp_http *h, const struct wp_http_opts *o, struct wp_err *err);
void wp_http_release(struct wp_http *h);
/* Redact s from now on too (a key read after init); s must outlive h.
 * WP_EINTERNAL when WP_HTTP_MAX_SECRETS are held already. */
int wp_http_add_secret(struct wp_http *h, const char *s, struct wp_err *err);
int wp_http_do(struct wp_http *h, const struct wp_http_req *req,
	       struct wp_http_resp *resp, struct wp_err *err);
void wp_http_resp_release(struct wp_http_resp *resp);
/* Value of a response header (case-insensitive name), malloc'd, or NULL. */
char *wp_http_header(const struct wp_http_resp *resp, const char *name);
/* Map a non-2xx status to a WP_E* code and message "what: HTTP 401 ...":
 * 401/403 -> WP_EPERM, 404 -> WP_EUNAVAIL, 400/422 -> WP_EPROTO,
 * 429/5xx -> WP_ETEMP. Returns 0 for 2xx. */
int wp_http_status_err(const struct wp_http *h, const struct wp_http_resp *resp,
		       const char *what, struct wp_err *err);
/* Percent-encode for a query value; malloc'd. */
char *wp_url_escape(const char *s);
/* Copy of s with every secret of h replaced by "***"; malloc'd. */
char *wp_http_redact(const struct wp_http *h, const char *s);

/* Progress on a terminal: "pjm-lmp: 150000/412000 rows, page 3/9, ETA 0:42".
 * Writes only when out is not NULL; rate-limited to a few updates a second;
 * wp_progress_end clears the line. */
struct wp_progress {
	FILE *out;
	const char *prog, *unit;
	double t0, last;
	long done, total;
};
void wp_progress_start(struct wp_progress *p, FILE *out, const char *prog,
		       const char *unit);
void wp_progress_update(struct wp_progress *p, long done, long total,
			int page, int pages);
void wp_progress_end(struct wp_progress *p);

#endif
