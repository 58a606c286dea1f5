/* gas.h: Henry Hub futures strip, spot, storage and basis as records. */
#ifndef GAS_GAS_H
#define GAS_GAS_H

#include "wp.h"
#include "gas/eia.h"
#include "gas/ngcal.h"

/* Where EIA data comes from; h == NULL means no network (calendar only). */
struct gas_source {
	struct wp_http *h;
	const char *base;           /* NULL = EIA_BASE_URL */
	const char *key;
};

/* hh-futures: the contracts in list (or, when list is NULL, n contracts
 * from the front month on asof), with EIA's contract 1-4 prices (the latest
 * on or before asof) when src->h is set. Other contracts have a null
 * price: EIA publishes only the nearest four. */
int hh_futures(const struct ng_calendar *cal, const struct gas_source *src, struct wp_date asof,
	       const struct ng_contract *list, int n, struct wp_writer *w, struct wp_err *err);

/* hh-storage: weekly working gas for each series over [from, to] with the
 * week-on-week change and the deviations from a year ago and from the
 * average of the five previous years. */
int hh_storage(const struct gas_source *src, const char *const *series, struct wp_date from,
	       struct wp_date to, struct wp_writer *w, struct wp_err *err);
extern const char *const hh_storage_series[]; /* Lower 48 and the five regions */

/* hh-basis */
struct basis_opts {
	int window;                 /* rolling correlation/volatility window, 0 = none */
	const char *const *spreads; /* "A:B" pairs, NULL-terminated */
	int keep_going;
};
struct basis_ctx;
/* Build a context; add every input record; then run to write the table.
 * Row problems (duplicate date, no Henry Hub price that day, bad price)
 * are reported through report(ctx_arg, message) one by one; run returns
 * WP_EDATA when there were any unless keep_going, in which case the bad
 * rows are skipped and counted in *skipped. */
int basis_new(struct basis_ctx **b, const struct basis_opts *o, struct wp_err *err);
/* Consumes rec. line is used in row messages ("stdin:LINE: ..."). */
int basis_add(struct basis_ctx *b, jv rec, const char *name, long line, struct wp_err *err);
int basis_run(struct basis_ctx *b, struct wp_writer *w, void (*report)(void *, const char *),
	      void *arg, long *skipped, struct wp_err *err);
int basis_has_henry(const struct basis_ctx *b);
/* The input's first and last day; -1 when there is no row. */
int basis_span(const struct basis_ctx *b, struct wp_date *from, struct wp_date *to);
/* Henry Hub spot from EIA over the input's span, for input without it. */
int basis_fetch_henry(struct basis_ctx *b, const struct gas_source *src, struct wp_err *err);
void basis_free(struct basis_ctx *b);
/* Canonical name of a gas hub ("waha" -> "Waha"), or NULL when unknown. */
const char *gas_hub_name(const char *s);

/* Command setup shared by hh-*: EIA key (EIA_API_KEY, [gas] api_key or
 * --secret-file), base URL, HTTP context; calendar overrides from [gas]
 * holidays and expiries; a day option (default def) in New York time. */
int gas_source_open(struct wp_cli *cli, struct gas_source *src, struct wp_err *err);
void gas_source_close(struct gas_source *src);
int gas_calendar_open(struct wp_cli *cli, struct ng_calendar *cal, struct wp_err *err);
int gas_day(struct wp_cli *cli, const char *opt, const char *def, struct wp_date *d,
	    struct wp_err *err);

#endif
