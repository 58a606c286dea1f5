/* http-private.h: what http.c shares with cache.c and ratelimit.c; not
 * part of the core API. */
#ifndef WP_HTTP_PRIVATE_H
#define WP_HTTP_PRIVATE_H

#include "http.h"

struct wp_err;

/* Seconds on the wall clock (shared between processes) and on a
 * monotonic one (for measuring); a sleep that survives signals. */
double wp_http_wall(void);
double wp_http_mono(void);
void wp_http_sleep(double s);

/* The cached answer to key ("GET url", secrets already redacted) when it
 * is younger than ttl_s (< 0: any age): fills resp and returns 1; 0 on a
 * miss. */
int wp_http_cache_get(const char *cache_dir, const char *key, long ttl_s,
		      struct wp_http_resp *resp);
/* Store resp under key, atomically (temp file + rename), mode 0600. */
int wp_http_cache_put(const char *cache_dir, const char *key, const struct wp_http_resp *resp,
		      struct wp_err *err);

/* Wait until the shared limiter of o->rate_name allows one more request,
 * then record it. *waited is the time spent waiting. */
int wp_http_rate_wait(const struct wp_http_opts *o, double *waited, struct wp_err *err);

#endif
