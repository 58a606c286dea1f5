/* eia.h: the EIA API v2 client (data routes, paging, value quirks).
 *
 * EIA reads the key only from the query string (api_key=), so every URL
 * built here carries it: the caller puts the key in h->o.secrets so traces
 * and messages show "***", and requests are not cached on disk.
 */
#ifndef GAS_EIA_H
#define GAS_EIA_H

#include "wp.h"

#define EIA_BASE_URL "https://api.eia.gov/v2"
#define EIA_PAGE_ROWS 5000 /* the most EIA returns in one JSON page */

struct eia_query {
	const char *route;          /* "natural-gas/pri/fut" */
	const char *frequency;      /* "daily", "weekly" */
	const char *const *series;  /* facets[series][], NULL-terminated */
	const char *start, *end;    /* periods in the route's format, or NULL */
	int page_rows;              /* 0 = EIA_PAGE_ROWS */
};

struct eia_row {
	const char *period;         /* "2024-01-02", "2024-01", "2024" */
	const char *series;
	const char *area;           /* area-name, or "" */
	double value;               /* NaN when EIA gave null */
};

/* Called for every row in period order; a non-zero return stops the fetch. */
typedef int (*eia_row_fn)(void *ctx, const struct eia_row *row, struct wp_err *err);

/* Fetch every page of q from base (NULL = EIA_BASE_URL) with key.
 * 403 key errors -> WP_EPERM, 400 -> WP_EPROTO with EIA's message, network
 * and 429/5xx past the retries -> WP_ETEMP; a malformed page is asked for
 * once more before WP_EPROTO. */
int eia_fetch(struct wp_http *h, const char *base, const char *key, const struct eia_query *q,
	      eia_row_fn fn, void *ctx, struct wp_err *err);

#endif
