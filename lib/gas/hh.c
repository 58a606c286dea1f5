/* hh.c: the NG futures strip, Henry Hub spot and weekly storage from EIA. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gas/gas.h"

#define FUT_ROUTE "natural-gas/pri/fut"
#define STOR_ROUTE "natural-gas/stor/wkly"
#define EIA_CONTRACTS 4 /* EIA publishes NYMEX contracts 1 to 4 */

static jv date_str(struct wp_date d)
{
	char buf[WP_TIME_MAX];

	wp_fmt_date(d, buf);
	return jv_string(buf);
}

static int parse_period(const char *s, struct wp_date *d)
{
	return sscanf(s, "%4d-%2d-%2d", &d->y, &d->m, &d->d) == 3 && wp_date_valid(*d) ? 0 : -1;
}

/* ---- hh-futures ----------------------------------------------------------- */

struct latest {
	struct wp_date asof;
	char period[EIA_CONTRACTS][16];
	double price[EIA_CONTRACTS];
};

/* Keep, per series RNGCk, the last price on or before asof (rows ascend). */
static int keep_latest(void *ctx, const struct eia_row *r, struct wp_err *err)
{
	struct latest *l = ctx;
	struct wp_date d;
	int k;

	if (strncmp(r->series, "RNGC", 4) != 0 || (k = atoi(r->series + 4)) < 1 || k > EIA_CONTRACTS)
		return 0;
	if (parse_period(r->period, &d))
		return wp_err_set(err, WP_EPROTO, "EIA: bad period '%s'", r->period);
	if (isnan(r->value) || wp_date_cmp(d, l->asof) > 0)
		return 0;
	snprintf(l->period[k - 1], sizeof l->period[0], "%s", r->period);
	l->price[k - 1] = r->value;
	return 0;
}

int hh_futures(const struct ng_calendar *cal, const struct gas_source *src, struct wp_date asof,
	       const struct ng_contract *list, int n, struct wp_writer *w, struct wp_err *err)
{
	static const char *const series[] = { "RNGC1", "RNGC2", "RNGC3", "RNGC4", NULL };
	struct latest l = { .asof = asof };
	struct ng_contract front, c, owner[EIA_CONTRACTS];
	char from[WP_TIME_MAX], to[WP_TIME_MAX];
	int rc;

	if (n < 1)
		return wp_err_set(err, WP_EUSAGE, "--count must be at least 1");
	for (int k = 0; k < EIA_CONTRACTS; k++)
		l.price[k] = NAN;
	if (src->h) {
		/* Two weeks back covers weekends and holiday runs. */
		struct eia_query q = { FUT_ROUTE, "daily", series, from, to, 0 };

		wp_fmt_date(wp_date_add(asof, -14), from);
		wp_fmt_date(asof, to);
		if ((rc = eia_fetch(src->h, src->base, src->key, &q, keep_latest, &l, err)))
			return rc;
	}
	/* EIA's contract k on the price's own date may be an older contract
	 * than ours (a Friday price read on Monday after the roll): find each
	 * price's own contract once, and attach the price only to it. */
	for (int k = 0; k < EIA_CONTRACTS; k++) {
		struct wp_date pd;

		if (!isnan(l.price[k]) && parse_period(l.period[k], &pd) == 0) {
			ng_front(cal, pd, &owner[k]);
			ng_next(cal, &owner[k], k, &owner[k]);
		} else {
			l.price[k] = NAN;
		}
	}
	ng_front(cal, asof, &front);
	for (int i = 0; i < n; i++) {
		jv rec = jv_object();
		double price = NAN;
		const char *pdate = NULL;

		if (list)
			c = list[i];
		else
			ng_next(cal, &front, i, &c);
		for (int k = 0; k < EIA_CONTRACTS; k++)
			if (!isnan(l.price[k]) && owner[k].y == c.y && owner[k].m == c.m) {
				price = l.price[k];
				pdate = l.period[k];
			}
		rec = jv_object_set(rec, jv_string("symbol"), jv_string(c.symbol));
		rec = jv_object_set(rec, jv_string("delivery_month"),
				    jv_string_fmt("%04d-%02d", c.y, c.m));
		rec = jv_object_set(rec, jv_string("first_delivery_day"), date_str(c.first_delivery));
		rec = jv_object_set(rec, jv_string("last_trade_date"), date_str(c.last_trade));
		rec = jv_object_set(rec, jv_string("days_to_expiry"),
				    jv_number((double)(wp_date_days(c.last_trade) - wp_date_days(asof))));
		rec = jv_object_set(rec, jv_string("price"), wp_num_or_null(price));
		rec = jv_object_set(rec, jv_string("price_date"), pdate ? jv_string(pdate) : jv_null());
		rec = jv_object_set(rec, jv_string("ltd_unverified"), jv_bool(c.unverified));
		rec = jv_object_set(rec, jv_string("currency"), jv_string("USD"));
		rec = jv_object_set(rec, jv_string("unit"), jv_string("MMBtu"));
		if ((rc = wp_writer_put(w, rec, err)))
			return rc;
	}
	return 0;
}

/* ---- hh-storage ----------------------------------------------------------- */

const char *const hh_storage_series[] = {
	"NW2_EPG0_SWO_R48_BCF", "NW2_EPG0_SWO_R31_BCF", "NW2_EPG0_SWO_R32_BCF",
	"NW2_EPG0_SWO_R33_BCF", "NW2_EPG0_SWO_R34_BCF", "NW2_EPG0_SWO_R35_BCF", NULL,
};

struct week {
	struct wp_date end;     /* week-ending Friday */
	char series[40], area[64];
	double bcf;
	double change, year_ago, five; /* derived; NaN when unknown */
};

struct weeks {
	struct week *v;
	size_t n, cap;
};

static int keep_week(void *ctx, const struct eia_row *r, struct wp_err *err)
{
	struct weeks *ws = ctx;
	struct week *wk;

	if (ws->n == ws->cap) {
		size_t cap = ws->cap ? 2 * ws->cap : 1024;
		struct week *v = realloc(ws->v, cap * sizeof *v);

		if (!v)
			return wp_err_set(err, WP_EINTERNAL, "out of memory");
		ws->v = v;
		ws->cap = cap;
	}
	wk = &ws->v[ws->n];
	if (parse_period(r->period, &wk->end))
		return wp_err_set(err, WP_EPROTO, "EIA: bad week '%s'", r->period);
	snprintf(wk->series, sizeof wk->series, "%s", r->series);
	snprintf(wk->area, sizeof wk->area, "%s", r->area);
	wk->bcf = r->value;
	ws->n++;
	return 0;
}

static int by_series_then_date(const void *a, const void *b)
{
	const struct week *x = a, *y = b;
	int c = strcmp(x->series, y->series);

	return c ? c : wp_date_cmp(x->end, y->end);
}

static int by_date_then_series(const void *a, const void *b)
{
	const struct week *x = a, *y = b;
	int c = wp_date_cmp(x->end, y->end);

	return c ? c : strcmp(x->series, y->series);
}

/* The same series' week ending within 3 days of `target`, within
 * v[lo..hi), or NULL. Weeks are sorted by date. */
static const struct week *week_near(const struct week *v, size_t lo, size_t hi,
				    struct wp_date target)
{
	int64_t t = wp_date_days(target);

	for (size_t i = lo; i < hi; i++) {
		int64_t d = wp_date_days(v[i].end) - t;

		if (d >= -3 && d <= 3)
			return isnan(v[i].bcf) ? NULL : &v[i];
		if (d > 3)
			break;
	}
	return NULL;
}

static struct wp_date years_before(struct wp_date d, int n)
{
	struct wp_date r = { d.y - n, d.m, d.d == 29 && d.m == 2 ? 28 : d.d };

	return r;
}

int hh_storage(const struct gas_source *src, const char *const *series, struct wp_date from,
	       struct wp_date to, struct wp_writer *w, struct wp_err *err)
{
	struct weeks ws = { 0 };
	char a[WP_TIME_MAX], b[WP_TIME_MAX];
	struct eia_query q = { STOR_ROUTE, "weekly", series ? series : hh_storage_series, a, b, 0 };
	int rc;

	/* Six years before `from` feed the five-year average and last year. */
	wp_fmt_date(years_before(from, 6), a);
	wp_fmt_date(to, b);
	if ((rc = eia_fetch(src->h, src->base, src->key, &q, keep_week, &ws, err)) || !ws.n)
		goto out;
	/* Derive within each series, then write week by week. */
	qsort(ws.v, ws.n, sizeof *ws.v, by_series_then_date);
	for (size_t i = 0, lo = 0; i < ws.n; i++) {
		struct week *wk = &ws.v[i];
		const struct week *prev = i > lo ? &ws.v[i - 1] : NULL, *ago;
		double sum = 0;
		int years = 0;

		if (i > 0 && strcmp(ws.v[i - 1].series, wk->series) != 0)
			lo = i, prev = NULL; /* first week of this series */
		wk->change = prev && wp_date_days(wk->end) - wp_date_days(prev->end) == 7
				     ? wk->bcf - prev->bcf
				     : NAN;
		ago = week_near(ws.v, lo, i, years_before(wk->end, 1));
		wk->year_ago = ago ? ago->bcf : NAN;
		for (int y = 1; y <= 5; y++) {
			const struct week *p = week_near(ws.v, lo, i, years_before(wk->end, y));

			if (p) {
				sum += p->bcf;
				years++;
			}
		}
		/* An average over fewer than five years would not be the
		 * five-year average EIA and the market quote. */
		wk->five = years == 5 ? round(sum / 5 * 10) / 10 : NAN;
	}
	qsort(ws.v, ws.n, sizeof *ws.v, by_date_then_series);
	for (size_t i = 0; i < ws.n && !rc; i++) {
		const struct week *wk = &ws.v[i];
		jv rec;

		if (wp_date_cmp(wk->end, from) < 0)
			continue;
		rec = jv_object();
		rec = jv_object_set(rec, jv_string("week_ending"), date_str(wk->end));
		rec = jv_object_set(rec, jv_string("series"), jv_string(wk->series));
		rec = jv_object_set(rec, jv_string("area"), jv_string(wk->area));
		rec = jv_object_set(rec, jv_string("working_gas_bcf"), wp_num_or_null(wk->bcf));
		rec = jv_object_set(rec, jv_string("change_bcf"), wp_num_or_null(wk->change));
		rec = jv_object_set(rec, jv_string("year_ago_bcf"), wp_num_or_null(wk->year_ago));
		rec = jv_object_set(rec, jv_string("vs_year_ago_bcf"), wp_num_or_null(wk->bcf - wk->year_ago));
		rec = jv_object_set(rec, jv_string("five_year_avg_bcf"), wp_num_or_null(wk->five));
		/* EIA publishes whole Bcf: derived figures to 0.1 Bcf, 0.01 %. */
		rec = jv_object_set(rec, jv_string("vs_five_year_bcf"),
				    wp_num_or_null(round((wk->bcf - wk->five) * 10) / 10));
		rec = jv_object_set(rec, jv_string("vs_five_year_pct"),
				    wp_num_or_null(round(10000 * (wk->bcf - wk->five) / wk->five) / 100));
		rec = jv_object_set(rec, jv_string("unit"), jv_string("Bcf"));
		rc = wp_writer_put(w, rec, err);
	}
out:
	free(ws.v);
	return rc;
}
