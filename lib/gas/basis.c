/* basis.c: hub prices joined to Henry Hub by gas day: basis, spreads,
 * rolling volatility and correlation. The input is read whole (the join and
 * the windows need it); 20 years of 8 hubs is about 60,000 points. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gsl/gsl_statistics_double.h>

#include "gas/gas.h"

#define HENRY "Henry Hub"

/* Hub names as traders and data vendors spell them, matched ignoring case,
 * spaces and punctuation. The first eight are gas.md's common points. */
static const struct {
	const char *name;
	const char *aliases; /* normalised, space-separated */
} hubs[] = {
	{ HENRY, "henryhub henry hh" },
	{ "Waha", "waha" },
	{ "SoCal Citygate", "socalcitygate socal socalcg" },
	{ "PG&E Citygate", "pgecitygate pgandecitygate pge pgecg" },
	{ "Chicago Citygate", "chicagocitygate chicago chicagocg" },
	{ "Houston Ship Channel", "houstonshipchannel hsc houston" },
	{ "Transco Zone 6 NY", "transcozone6ny transcoz6ny z6ny transcozone6newyork" },
	{ "Algonquin Citygates", "algonquincitygates algonquincitygate algonquin agt" },
	{ "Dominion South", "dominionsouth domsouth easterngassouth" },
};

const char *gas_hub_name(const char *s)
{
	char norm[64];
	size_t n = 0;

	for (; *s && n + 1 < sizeof norm; s++)
		if (isalnum((unsigned char)*s))
			norm[n++] = (char)tolower((unsigned char)*s);
	norm[n] = '\0';
	for (size_t i = 0; n && i < sizeof hubs / sizeof hubs[0]; i++) {
		const char *a = hubs[i].aliases;

		while (*a) {
			size_t k = strcspn(a, " ");

			if (k == n && strncmp(a, norm, n) == 0)
				return hubs[i].name;
			a += k + (a[k] == ' ');
		}
	}
	return NULL;
}

struct point {
	int64_t day;
	double price;
	long line;
	int bad;
	double vol, corr;
};

struct hub {
	char *name;
	struct point *p;
	size_t n, cap;
};

struct basis_ctx {
	struct basis_opts o;
	struct hub *hub;
	size_t nhub;
	const char *input;      /* name for messages */
};

int basis_new(struct basis_ctx **b, const struct basis_opts *o, struct wp_err *err)
{
	if (!(*b = calloc(1, sizeof **b)))
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	(*b)->o = *o;
	(*b)->input = "stdin";
	return 0;
}

void basis_free(struct basis_ctx *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->nhub; i++) {
		free(b->hub[i].name);
		free(b->hub[i].p);
	}
	free(b->hub);
	free(b);
}

static struct hub *hub_get(struct basis_ctx *b, const char *given)
{
	const char *name = gas_hub_name(given);
	struct hub *v;

	if (!name)
		name = given;
	for (size_t i = 0; i < b->nhub; i++)
		if (strcmp(b->hub[i].name, name) == 0)
			return &b->hub[i];
	if (!(v = realloc(b->hub, (b->nhub + 1) * sizeof *v)))
		return NULL;
	b->hub = v;
	v = &b->hub[b->nhub];
	*v = (struct hub){ strdup(name), NULL, 0, 0 };
	if (!v->name)
		return NULL;
	b->nhub++;
	return v;
}

static int add_point(struct hub *h, int64_t day, double price, long line)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 256;
		struct point *p = realloc(h->p, cap * sizeof *p);

		if (!p)
			return -1;
		h->p = p;
		h->cap = cap;
	}
	h->p[h->n++] = (struct point){ day, price, line, 0, NAN, NAN };
	return 0;
}

static int parse_day(const char *s, int64_t *day)
{
	struct wp_date d;

	if (wp_date_cell(s, &d))
		return -1;
	*day = wp_date_days(d);
	return 0;
}

static const char *const date_keys[] = { "date", "gas_date", "trade_date", "period", NULL };
static const char *const hub_keys[] = { "hub", "location", NULL };
static const char *const price_keys[] = { "price", "value", NULL };

/* The record's own spelling of the first of keys it has, ignoring case
 * ("Date" from a spreadsheet), copied to buf; NULL when it has none.
 * have is the record's key list, borrowed. */
static const char *first_key(jv have, const char *const *keys, char *buf, size_t n)
{
	const char *found = NULL;

	for (; *keys && !found; keys++)
		for (int i = 0; !found && i < jv_array_length(jv_copy(have)); i++) {
			jv k = jv_array_get(jv_copy(have), i);

			if (strcasecmp(jv_string_value(k), *keys) == 0) {
				snprintf(buf, n, "%s", jv_string_value(k));
				found = buf;
			}
			jv_free(k);
		}
	return found;
}

static int add_price(struct basis_ctx *b, const char *hubname, int64_t day, jv rec,
		     const char *key, long line, struct wp_err *err)
{
	struct hub *h;
	double price;
	int rc = wp_rec_num(rec, key, &price);

	if (rc == WP_ENULL)
		return 0; /* an empty cell: no price that day */
	if (rc)
		return wp_err_set(err, WP_EDATA, "%s:%ld: price of %s is not a number", b->input, line,
				  hubname);
	if (!(h = hub_get(b, hubname)) || add_point(h, day, price, line))
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	return 0;
}

int basis_add(struct basis_ctx *b, jv rec, const char *name, long line, struct wp_err *err)
{
	jv keys = jv_keys_unsorted(jv_copy(rec));
	char db[64], hb[64], pb[64];
	const char *dkey = first_key(keys, date_keys, db, sizeof db);
	const char *hkey = first_key(keys, hub_keys, hb, sizeof hb);
	const char *pkey = first_key(keys, price_keys, pb, sizeof pb);
	char *date = dkey ? wp_rec_str(jv_copy(rec), dkey) : NULL;
	int64_t day;
	int rc = 0;

	b->input = name;
	if (!date || parse_day(date, &day)) {
		rc = wp_err_set(err, WP_EDATA, "%s:%ld: %s", name, line,
				date ? "date is not YYYY-MM-DD or M/D/YYYY" : "no date field");
	} else if (hkey && pkey) {
		/* Long form: date, hub, price. */
		char *hub = wp_rec_str(jv_copy(rec), hkey);

		rc = hub ? add_price(b, hub, day, jv_copy(rec), pkey, line, err)
			 : wp_err_set(err, WP_EDATA, "%s:%ld: empty hub name", name, line);
		free(hub);
	} else {
		/* Wide form: every other column is a hub. */
		for (int i = 0; !rc && i < jv_array_length(jv_copy(keys)); i++) {
			jv k = jv_array_get(jv_copy(keys), i);

			if (strcmp(jv_string_value(k), dkey) != 0)
				rc = add_price(b, jv_string_value(k), day, jv_copy(rec),
					       jv_string_value(k), line, err);
			jv_free(k);
		}
	}
	jv_free(keys);
	free(date);
	jv_free(rec);
	return rc;
}

int basis_has_henry(const struct basis_ctx *b)
{
	for (size_t i = 0; i < b->nhub; i++)
		if (strcmp(b->hub[i].name, HENRY) == 0 && b->hub[i].n)
			return 1;
	return 0;
}

int basis_span(const struct basis_ctx *b, struct wp_date *from, struct wp_date *to)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN;

	for (size_t i = 0; i < b->nhub; i++)
		for (size_t j = 0; j < b->hub[i].n; j++) {
			lo = b->hub[i].p[j].day < lo ? b->hub[i].p[j].day : lo;
			hi = b->hub[i].p[j].day > hi ? b->hub[i].p[j].day : hi;
		}
	if (lo > hi)
		return -1;
	*from = wp_date_from_days(lo);
	*to = wp_date_from_days(hi);
	return 0;
}

static int by_day_then_line(const void *a, const void *b)
{
	const struct point *x = a, *y = b;

	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

/* Henry Hub's good point on day, or NULL (points sorted by day). */
static const struct point *on_day(const struct hub *h, int64_t day)
{
	size_t lo = 0, hi = h->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (h->p[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < h->n && h->p[lo].day == day; lo++)
		if (!h->p[lo].bad)
			return &h->p[lo];
	return NULL;
}

static struct hub *find_hub(struct basis_ctx *b, const char *given)
{
	const char *name = gas_hub_name(given);

	for (size_t i = 0; i < b->nhub; i++)
		if (strcmp(b->hub[i].name, name ? name : given) == 0)
			return &b->hub[i];
	return NULL;
}

/* Rolling volatility of a hub's day-on-day price changes and their
 * correlation with Henry Hub's, over the last `window` changes of days
 * both have. */
static void rolling(struct hub *h, const struct hub *ref, int window)
{
	double *dx = malloc(h->n * sizeof *dx), *dy = malloc(h->n * sizeof *dy);
	const struct point *last = NULL, *lastref = NULL;
	size_t m = 0;

	for (size_t j = 0; dx && dy && j < h->n; j++) {
		const struct point *r = h->p[j].bad ? NULL : on_day(ref, h->p[j].day);

		if (!r)
			continue;
		if (last) {
			dx[m] = h->p[j].price - last->price;
			dy[m] = r->price - lastref->price;
			m++;
		}
		last = &h->p[j];
		lastref = r;
		if (m >= (size_t)window) {
			const double *x = dx + m - window, *y = dy + m - window;
			double sd = gsl_stats_sd(x, 1, window), sdy = gsl_stats_sd(y, 1, window);

			h->p[j].vol = sd;
			/* Correlation is undefined when either side did not move. */
			h->p[j].corr = sd > 0 && sdy > 0 ? gsl_stats_correlation(x, 1, y, 1, window) : NAN;
		}
	}
	free(dx);
	free(dy);
}

struct out_row {
	int64_t day;
	const struct hub *h;
	const struct point *p;
	const struct hub *ref;
	const struct point *rp;
};

static int by_day_then_hub(const void *a, const void *b)
{
	const struct out_row *x = a, *y = b;
	int c;

	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	c = strcmp(x->h->name, y->h->name);
	return c ? c : strcmp(x->ref->name, y->ref->name);
}

static int write_row(struct wp_writer *w, const struct out_row *r, int window, struct wp_err *err)
{
	char date[WP_TIME_MAX];
	jv rec = jv_object();

	wp_fmt_date(wp_date_from_days(r->day), date);
	rec = jv_object_set(rec, jv_string("date"), jv_string(date));
	rec = jv_object_set(rec, jv_string("hub"), jv_string(r->h->name));
	rec = jv_object_set(rec, jv_string("price"), jv_number(r->p->price));
	rec = jv_object_set(rec, jv_string("against"), jv_string(r->ref->name));
	rec = jv_object_set(rec, jv_string("against_price"), jv_number(r->rp->price));
	/* To a millionth: no price is quoted finer, and it drops binary
	 * noise such as 2.5 - 3.1 = -0.6000000000000001. */
	rec = jv_object_set(rec, jv_string("basis"),
			    jv_number(round((r->p->price - r->rp->price) * 1e6) / 1e6));
	/* Rolling figures belong to the basis against Henry Hub only. */
	rec = jv_object_set(rec, jv_string("vol"),
			    wp_num_or_null(window && strcmp(r->ref->name, HENRY) == 0 ? r->p->vol : NAN));
	rec = jv_object_set(rec, jv_string("corr"),
			    wp_num_or_null(window && strcmp(r->ref->name, HENRY) == 0 ? r->p->corr : NAN));
	rec = jv_object_set(rec, jv_string("currency"), jv_string("USD"));
	rec = jv_object_set(rec, jv_string("unit"), jv_string("MMBtu"));
	return wp_writer_put(w, rec, err);
}

/* Collect the output rows of hub h against ref (only days both have). */
static int collect(struct out_row **rows, size_t *n, size_t *cap, const struct hub *h,
		   const struct hub *ref)
{
	for (size_t j = 0; j < h->n; j++) {
		const struct point *rp = h->p[j].bad ? NULL : on_day(ref, h->p[j].day);

		if (!rp)
			continue;
		if (*n == *cap) {
			size_t c = *cap ? 2 * *cap : 1024;
			struct out_row *v = realloc(*rows, c * sizeof *v);

			if (!v)
				return -1;
			*rows = v;
			*cap = c;
		}
		(*rows)[(*n)++] = (struct out_row){ h->p[j].day, h, &h->p[j], ref, rp };
	}
	return 0;
}

int basis_run(struct basis_ctx *b, struct wp_writer *w, void (*report)(void *, const char *),
	      void *arg, long *skipped, struct wp_err *err)
{
	struct hub *henry = find_hub(b, HENRY);
	struct out_row *rows = NULL;
	size_t n = 0, cap = 0;
	long bad = 0;
	char msg[512], date[WP_TIME_MAX];
	int rc = 0;

	*skipped = 0;
	if (!henry || !henry->n)
		return wp_err_set(err, WP_EDATA,
				  "no Henry Hub prices: add a 'Henry Hub' column or hub rows, "
				  "or use --henry FILE or --eia");
	for (size_t i = 0; i < b->nhub; i++) {
		struct hub *h = &b->hub[i];

		qsort(h->p, h->n, sizeof *h->p, by_day_then_line);
		for (size_t j = 1; j < h->n; j++)
			if (h->p[j].day == h->p[j - 1].day) {
				h->p[j].bad = 1;
				wp_fmt_date(wp_date_from_days(h->p[j].day), date);
				snprintf(msg, sizeof msg, "%s:%ld: duplicate date %s for %s (first on line %ld)",
					 b->input, h->p[j].line, date, h->name, h->p[j - 1].line);
				report(arg, msg);
				bad++;
			}
	}
	for (size_t i = 0; i < b->nhub; i++) {
		struct hub *h = &b->hub[i];

		for (size_t j = 0; h != henry && j < h->n; j++)
			if (!h->p[j].bad && !on_day(henry, h->p[j].day)) {
				h->p[j].bad = 1;
				wp_fmt_date(wp_date_from_days(h->p[j].day), date);
				snprintf(msg, sizeof msg, "%s:%ld: no Henry Hub price on %s for %s",
					 b->input, h->p[j].line, date, h->name);
				report(arg, msg);
				bad++;
			}
	}
	if (bad && !b->o.keep_going)
		return wp_err_set(err, WP_EDATA,
				  "%ld row%s with problems, nothing written (--keep-going skips them)",
				  bad, bad == 1 ? "" : "s");
	*skipped = bad;

	for (size_t i = 0; i < b->nhub && !rc; i++)
		if (&b->hub[i] != henry) {
			if (b->o.window > 0)
				rolling(&b->hub[i], henry, b->o.window);
			rc = collect(&rows, &n, &cap, &b->hub[i], henry);
		}
	for (const char *const *s = b->o.spreads; !rc && s && *s; s++) {
		const char *colon = strchr(*s, ':');
		char left[128];
		struct hub *x, *y;

		if (!colon || colon == *s || (size_t)(colon - *s) >= sizeof left) {
			rc = wp_err_set(err, WP_EUSAGE, "--spread '%s': want HUB:HUB", *s);
			break;
		}
		snprintf(left, sizeof left, "%.*s", (int)(colon - *s), *s);
		if (!(x = find_hub(b, left)) || !(y = find_hub(b, colon + 1))) {
			rc = wp_err_set(err, WP_EUSAGE, "--spread '%s': no hub '%s' in the input", *s,
					x ? colon + 1 : left);
			break;
		}
		rc = collect(&rows, &n, &cap, x, y);
	}
	if (rc == -1)
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
	if (!rc) {
		if (n) /* qsort(NULL, 0, ...) is undefined */
			qsort(rows, n, sizeof *rows, by_day_then_hub);
		for (size_t i = 0; i < n && !rc; i++)
			rc = write_row(w, &rows[i], b->o.window, err);
	}
	free(rows);
	return rc;
}

static int add_henry_row(void *ctx, const struct eia_row *r, struct wp_err *err)
{
	struct basis_ctx *b = ctx;
	struct hub *h;
	int64_t day;

	if (isnan(r->value))
		return 0; /* EIA has no price that day */
	if (parse_day(r->period, &day))
		return wp_err_set(err, WP_EPROTO, "EIA: bad period '%s'", r->period);
	if (!(h = hub_get(b, HENRY)) || add_point(h, day, r->value, 0))
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	return 0;
}

int basis_fetch_henry(struct basis_ctx *b, const struct gas_source *src, struct wp_err *err)
{
	static const char *const series[] = { "RNGWHHD", NULL };
	struct wp_date from, to;
	char a[WP_TIME_MAX], c[WP_TIME_MAX];
	struct eia_query q = { "natural-gas/pri/fut", "daily", series, a, c, 0 };

	if (basis_span(b, &from, &to))
		return 0; /* no input rows: nothing to join */
	wp_fmt_date(from, a);
	wp_fmt_date(to, c);
	return eia_fetch(src->h, src->base, src->key, &q, add_henry_row, b, err);
}
