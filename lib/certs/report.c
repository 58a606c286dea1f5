/* report.c: deadlines and CO2 rates as data, and the compliance position. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "wp.h"
#include "certs/certs.h"
#include "certs/ledger.h"

/* CSV reading with libcsv: rows of strings, the first row the header. */
struct table {
	char ***rows;
	int nrows, ncols_max;
	char **cur;
	int ncur;
	int oom;
};

static void on_field(void *s, size_t n, void *data)
{
	struct table *t = data;
	char **c = realloc(t->cur, (size_t)(t->ncur + 1) * sizeof *c);

	if (!c || !(c[t->ncur] = strndup(s ? s : "", n))) {
		t->oom = 1;
		if (c)
			t->cur = c;
		return;
	}
	t->cur = c;
	t->ncur++;
}

static void on_row(int ch, void *data)
{
	struct table *t = data;
	char ***r;

	(void)ch;
	if (t->ncur == 1 && !t->cur[0][0]) { /* blank line */
		free(t->cur[0]);
		free(t->cur);
	} else if (!(r = realloc(t->rows, (size_t)(t->nrows + 1) * sizeof *r))) {
		t->oom = 1;
		return;
	} else {
		/* NULL-terminate the row so its width is known */
		char **c = realloc(t->cur, (size_t)(t->ncur + 1) * sizeof *c);

		if (!c) {
			t->oom = 1;
			return;
		}
		c[t->ncur] = NULL;
		t->rows = r;
		t->rows[t->nrows++] = c;
	}
	t->cur = NULL;
	t->ncur = 0;
}

static void table_free(struct table *t)
{
	int i;
	char **c;

	for (i = 0; i < t->nrows; i++) {
		for (c = t->rows[i]; *c; c++)
			free(*c);
		free(t->rows[i]);
	}
	free(t->rows);
	memset(t, 0, sizeof *t);
}

static int table_read(const char *path, struct table *t, struct wp_err *err)
{
	struct csv_parser p;
	char buf[8192];
	size_t n;
	FILE *f = fopen(path, "r");
	int rc = 0;

	memset(t, 0, sizeof *t);
	if (!f)
		return wp_err_errno(err, WP_ENOINPUT, "cannot open", path);
	csv_init(&p, CSV_APPEND_NULL | CSV_EMPTY_IS_NULL);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		if (csv_parse(&p, buf, n, on_field, on_row, t) != n) {
			rc = wp_err_set(err, WP_EDATA, "%s: %s", path,
					csv_strerror(csv_error(&p)));
			break;
		}
	if (!rc && ferror(f))
		rc = wp_err_errno(err, WP_ENOINPUT, "cannot read", path);
	if (!rc)
		csv_fini(&p, on_field, on_row, t);
	csv_free(&p);
	fclose(f);
	if (t->oom && !rc)
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
	if (rc)
		table_free(t);
	return rc;
}

/* Column index of name in the header, or -1. */
static int col_of(struct table *t, const char *name)
{
	int i;

	for (i = 0; t->nrows && t->rows[0][i]; i++)
		if (strcmp(t->rows[0][i], name) == 0)
			return i;
	return -1;
}

static const char *cell(struct table *t, int r, int c)
{
	int i;

	for (i = 0; i <= c; i++)
		if (!t->rows[r][i])
			return "";
	return t->rows[r][c];
}

static int need_cols(struct table *t, const char *path, const char *const *names, int *idx,
		     struct wp_err *err)
{
	int i;

	for (i = 0; names[i]; i++)
		if ((idx[i] = col_of(t, names[i])) < 0)
			return wp_err_set(err, WP_EDATA, "%s:1: no '%s' column", path, names[i]);
	return 0;
}

static int load_deadlines(struct cert_refdata *d, const char *path, struct wp_err *err)
{
	static const char *const names[] = { "state", "registry", "year_basis", "event",
					      "deadline", "src_year", "grade", NULL };
	struct table t;
	int idx[7], rc, r, k;

	if ((rc = table_read(path, &t, err)))
		return rc;
	if ((rc = need_cols(&t, path, names, idx, err)))
		goto out;
	if (!(d->dl = calloc((size_t)t.nrows + 1, sizeof *d->dl))) {
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
		goto out;
	}
	for (r = 1; r < t.nrows; r++) {
		struct cert_deadline *x = &d->dl[d->ndl++];
		char **f[7] = { &x->state, &x->registry, &x->year_basis, &x->event, &x->deadline,
				&x->src_year, &x->grade };

		for (k = 0; k < 7; k++)
			*f[k] = strdup(cell(&t, r, idx[k]));
		if (strlen(x->state) != 2) {
			rc = wp_err_set(err, WP_EDATA, "%s:%d: state '%s' is not a 2-letter code", path,
					r + 1, x->state);
			goto out;
		}
	}
out:
	table_free(&t);
	return rc;
}

static int load_rates(struct cert_refdata *d, const char *path, struct wp_err *err)
{
	static const char *const names[] = { "region", "method", "year", "rate_lb_per_mwh",
					      "source", NULL };
	struct table t;
	int idx[5], rc, r;

	if ((rc = table_read(path, &t, err)))
		return rc;
	if ((rc = need_cols(&t, path, names, idx, err)))
		goto out;
	if (!(d->rates = calloc((size_t)t.nrows + 1, sizeof *d->rates))) {
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
		goto out;
	}
	for (r = 1; r < t.nrows; r++) {
		struct cert_rate *x = &d->rates[d->nrates];
		const char *y = cell(&t, r, idx[2]), *v = cell(&t, r, idx[3]);
		char *e1, *e2;

		x->year = (int)strtol(y, &e1, 10);
		x->rate_lb_per_mwh = strtod(v, &e2);
		if (!*y || *e1 || !*v || *e2 || !(x->rate_lb_per_mwh >= 0)) {
			rc = wp_err_set(err, WP_EDATA, "%s:%d: year '%s' or rate '%s' is not a number",
					path, r + 1, y, v);
			goto out;
		}
		x->region = strdup(cell(&t, r, idx[0]));
		x->method = strdup(cell(&t, r, idx[1]));
		x->source = strdup(cell(&t, r, idx[4]));
		d->nrates++;
	}
out:
	table_free(&t);
	return rc;
}

int cert_refdata_load(struct cert_refdata *d, const char *deadlines_csv, const char *rates_csv,
		      struct wp_err *err)
{
	int rc = 0;

	if (deadlines_csv)
		rc = load_deadlines(d, deadlines_csv, err);
	if (!rc && rates_csv)
		rc = load_rates(d, rates_csv, err);
	return rc;
}

static int plant_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cert_plant *)a)->plant, ((const struct cert_plant *)b)->plant);
}

int cert_plants_load(struct cert_refdata *d, const char *path, struct wp_err *err)
{
	struct table t;
	int rc = 0, h, r, cp = -1, cr = -1, i;

	if ((rc = table_read(path, &t, err)))
		return rc;
	for (h = 0; h < 2 && h < t.nrows && (cp < 0 || cr < 0); h++)
		for (cp = cr = -1, i = 0; t.rows[h][i]; i++) {
			if (strcmp(t.rows[h][i], "ORISPL") == 0)
				cp = i;
			else if (strcmp(t.rows[h][i], "SUBRGN") == 0)
				cr = i;
		}
	if (cp < 0 || cr < 0) {
		rc = wp_err_set(err, WP_EDATA, "%s: no ORISPL and SUBRGN columns in the first two rows",
				path);
		goto out;
	}
	if (!(d->plants = calloc((size_t)t.nrows + 1, sizeof *d->plants))) {
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
		goto out;
	}
	for (r = h; r < t.nrows; r++) {
		const char *p = cell(&t, r, cp), *g = cell(&t, r, cr);

		if (!*p || !*g)
			continue; /* eGRID has plants outside every subregion */
		d->plants[d->nplants].plant = strdup(p);
		d->plants[d->nplants].region = strdup(g);
		d->nplants++;
	}
	qsort(d->plants, (size_t)d->nplants, sizeof *d->plants, plant_cmp);
out:
	table_free(&t);
	return rc;
}

const char *cert_plant_region(const struct cert_refdata *d, const char *plant)
{
	struct cert_plant key = { (char *)plant, NULL }, *hit;

	if (!plant || !d->nplants)
		return NULL;
	hit = bsearch(&key, d->plants, (size_t)d->nplants, sizeof key, plant_cmp);
	return hit ? hit->region : NULL;
}

void cert_refdata_release(struct cert_refdata *d)
{
	int i;

	for (i = 0; i < d->nplants; i++)
		free(d->plants[i].plant), free(d->plants[i].region);
	free(d->plants);

	for (i = 0; i < d->ndl; i++) {
		struct cert_deadline *x = &d->dl[i];

		free(x->state), free(x->registry), free(x->year_basis), free(x->event);
		free(x->deadline), free(x->src_year), free(x->grade);
	}
	for (i = 0; i < d->nrates; i++)
		free(d->rates[i].region), free(d->rates[i].method), free(d->rates[i].source);
	free(d->dl);
	free(d->rates);
	memset(d, 0, sizeof *d);
}

int cert_deadline_date(const struct cert_deadline *d, int year, char out[11])
{
	int m, day, n = 0;
	char tmp[48];

	/* Obligations for year Y are settled in Y + 1, whatever the basis
	 * (a June-May year Y ends in May of Y + 1). */
	if (sscanf(d->deadline, "%2d-%2d%n", &m, &day, &n) != 2 || d->deadline[n] != '\0' ||
	    strlen(d->deadline) != 5 || m < 1 || m > 12 || day < 1 || day > 31)
		return 0;
	if (year < 1 || year > 9998)
		return 0;
	snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", year + 1, m, day);
	memcpy(out, tmp, 11);
	return 1;
}

const struct cert_rate *cert_rate_find(const struct cert_refdata *d, const char *region,
				       const char *method, int year)
{
	const struct cert_rate *best = NULL;
	int i;

	for (i = 0; i < d->nrates; i++) {
		const struct cert_rate *r = &d->rates[i];

		if (strcasecmp(r->region, region) || strcmp(r->method, method))
			continue;
		if (year > 0 && r->year > year)
			continue;
		if (!best || r->year > best->year)
			best = r;
	}
	return best;
}

double cert_lb_to_t(double lb)
{
	return lb * 0.45359237 / 1000.0;
}

static long days_between(const char *from, const char *to)
{
	struct wp_date a, b;

	if (sscanf(from, "%d-%d-%d", &a.y, &a.m, &a.d) != 3 ||
	    sscanf(to, "%d-%d-%d", &b.y, &b.m, &b.d) != 3)
		return 0;
	return (long)(wp_date_days(b) - wp_date_days(a));
}

int cert_report_deadlines(const struct cert_refdata *d, const char *state, int year,
			  const char *today, cert_emit_fn emit, void *ctx, struct wp_err *err)
{
	int i, rc;

	for (i = 0; i < d->ndl; i++) {
		const struct cert_deadline *x = &d->dl[i];
		char date[11];
		int has;
		jv r;

		if (state && strcasecmp(state, x->state))
			continue;
		has = cert_deadline_date(x, year, date);
		r = jv_object();
		r = jv_object_set(r, jv_string("state"), jv_string(x->state));
		r = jv_object_set(r, jv_string("registry"), jv_string(x->registry));
		r = jv_object_set(r, jv_string("compliance_year"), jv_number(year));
		r = jv_object_set(r, jv_string("year_basis"), jv_string(x->year_basis));
		r = jv_object_set(r, jv_string("event"), jv_string(x->event));
		r = jv_object_set(r, jv_string("deadline"), has ? jv_string(date) : jv_null());
		r = jv_object_set(r, jv_string("deadline_text"), jv_string(x->deadline));
		r = jv_object_set(r, jv_string("days_left"),
				  has && today ? jv_number((double)days_between(today, date))
					       : jv_null());
		r = jv_object_set(r, jv_string("src_year"),
				  *x->src_year ? jv_number(atoi(x->src_year)) : jv_null());
		r = jv_object_set(r, jv_string("grade"), jv_string(x->grade));
		if ((rc = emit(ctx, r, err)))
			return rc;
	}
	return 0;
}

/* Position rows are keyed "STATE|YEAR" in a jv object while summing. */
static jv pos_get(jv acc, const char *state, int year)
{
	jv k = jv_string_fmt("%s|%d", state ? state : "", year);
	jv r = jv_object_get(jv_copy(acc), jv_copy(k));

	jv_free(k);
	if (jv_is_valid(r))
		return r;
	jv_free(r);
	r = jv_object();
	r = jv_object_set(r, jv_string("state"), state ? jv_string(state) : jv_null());
	r = jv_object_set(r, jv_string("compliance_year"), year > 0 ? jv_number(year) : jv_null());
	r = jv_object_set(r, jv_string("obligation_mwh"), jv_null());
	r = jv_object_set(r, jv_string("retired_certificates"), jv_number(0));
	r = jv_object_set(r, jv_string("retired_mwh"), jv_number(0));
	r = jv_object_set(r, jv_string("co2_lb"), jv_number(0));
	r = jv_object_set(r, jv_string("co2_unrated_mwh"), jv_number(0));
	r = jv_object_set(r, jv_string("co2_sources"), jv_object());
	return r;
}

static jv pos_put(jv acc, const char *state, int year, jv r)
{
	return jv_object_set(acc, jv_string_fmt("%s|%d", state ? state : "", year), r);
}

static double num(jv r, const char *k)
{
	jv v = jv_object_get(jv_copy(r), jv_string(k));
	double d = jv_get_kind(v) == JV_KIND_NUMBER ? jv_number_value(v) : NAN;

	jv_free(v);
	return d;
}

static jv add(jv r, const char *k, double d)
{
	return jv_object_set(r, jv_string(k), jv_number(num(r, k) + d));
}

/* The next deadline of a state on or after today, else its last one. */
static jv with_deadline(jv r, const struct cert_refdata *d, const char *state, int year,
			const char *today)
{
	const struct cert_deadline *pick = NULL;
	char best[11] = "", date[11];
	int i;

	for (i = 0; state && i < d->ndl; i++) {
		const struct cert_deadline *x = &d->dl[i];
		int upcoming, best_upcoming;

		if (strcasecmp(x->state, state) || !cert_deadline_date(x, year, date))
			continue;
		upcoming = !today || strcmp(date, today) >= 0;
		best_upcoming = pick && (!today || strcmp(best, today) >= 0);
		if (!pick || (upcoming && !best_upcoming) ||
		    (upcoming && best_upcoming && strcmp(date, best) < 0) ||
		    (!upcoming && !best_upcoming && strcmp(date, best) > 0)) {
			pick = x;
			memcpy(best, date, sizeof best);
		}
	}
	r = jv_object_set(r, jv_string("next_deadline"), pick ? jv_string(best) : jv_null());
	r = jv_object_set(r, jv_string("next_deadline_event"),
			  pick ? jv_string(pick->event) : jv_null());
	r = jv_object_set(r, jv_string("days_left"),
			  pick && today ? jv_number((double)days_between(today, best)) : jv_null());
	r = jv_object_set(r, jv_string("deadline_src_year"),
			  pick && *pick->src_year ? jv_number(atoi(pick->src_year)) : jv_null());
	return r;
}

/* Turn the sums into the output fields. */
static jv finish(jv r, const struct cert_report_opts *o)
{
	double ob = num(r, "obligation_mwh"), mwh = num(r, "retired_mwh");
	double lb = num(r, "co2_lb"), unrated = num(r, "co2_unrated_mwh");
	jv keys = jv_keys(jv_object_get(jv_copy(r), jv_string("co2_sources")));
	int rated = unrated == 0 && mwh > 0;

	r = jv_object_set(r, jv_string("shortfall_mwh"),
			  isnan(ob) ? jv_null() : jv_number(ob > mwh ? ob - mwh : 0));
	r = jv_object_delete(r, jv_string("co2_lb"));
	r = jv_object_delete(r, jv_string("co2_unrated_mwh"));
	r = jv_object_delete(r, jv_string("co2_sources"));
	r = jv_object_set(r, jv_string("co2_method"), jv_string(o->method));
	/* The MWh-weighted rate over the regions the certificates came from. */
	r = jv_object_set(r, jv_string("co2_rate_lb_per_mwh"),
			  rated ? jv_number(lb / mwh) : jv_null());
	if (rated) {
		jv text = jv_string("");

		jv_array_foreach(keys, i, k)
		{
			text = jv_string_concat(text, i ? jv_string("; ") : jv_string(""));
			text = jv_string_concat(text, k);
		}
		r = jv_object_set(r, jv_string("co2_rate_source"), text);
	} else {
		r = jv_object_set(r, jv_string("co2_rate_source"), jv_null());
	}
	jv_free(keys);
	r = jv_object_set(r, jv_string("co2_avoided_lb"),
			  rated ? jv_number(lb) : mwh == 0 ? jv_number(0) : jv_null());
	r = jv_object_set(r, jv_string("co2_avoided_t"),
			  rated ? jv_number(cert_lb_to_t(lb)) : mwh == 0 ? jv_number(0) : jv_null());
	return r;
}

int cert_report_position(struct cert_ledger *l, const struct cert_refdata *d,
			 const struct cert_report_opts *o, jv obligations, cert_emit_fn emit,
			 void *ctx, struct wp_err *err)
{
	sqlite3_stmt *st = NULL;
	jv acc = jv_object(), keys;
	int rc = 0, n = 0;

	if (jv_get_kind(obligations) == JV_KIND_ARRAY) {
		jv_array_foreach(obligations, i, ob)
		{
			jv s = jv_object_get(jv_copy(ob), jv_string("state"));
			double y = num(ob, "year"), mwh = num(ob, "obligation_mwh");
			jv r;

			n = i + 1;
			if (jv_get_kind(s) != JV_KIND_STRING || isnan(y) || isnan(mwh) || mwh < 0) {
				rc = wp_err_set(err, WP_EDATA,
						"obligation %d: needs state, year and obligation_mwh "
						"(a number >= 0)",
						n);
				jv_free(s), jv_free(ob);
				break;
			}
			/* (int)y below: a fraction would land in the wrong year. */
			if (y != floor(y) || y < 1 || y > 9999) {
				rc = wp_err_set(err, WP_EDATA,
						"obligation %d: year %g is not a whole year", n, y);
				jv_free(s), jv_free(ob);
				break;
			}
			r = pos_get(acc, jv_string_value(s), (int)y);
			r = jv_object_set(r, jv_string("obligation_mwh"),
					  jv_number(mwh + (isnan(num(r, "obligation_mwh"))
							       ? 0 : num(r, "obligation_mwh"))));
			acc = pos_put(acc, jv_string_value(s), (int)y, r);
			jv_free(s), jv_free(ob);
		}
	}
	jv_free(obligations);
	if (rc)
		goto out;
	if ((rc = cert_prepare(l, &st,
			       "SELECT json_extract(p.retirement, '$.state'),"
			       " json_extract(p.retirement, '$.year'),"
			       " b.egrid_region, sum(p.certificates), sum(p.mwh), b.eia_plant_id"
			       " FROM piece p JOIN batch b ON b.id = p.batch_id"
			       " WHERE p.live = 1 AND p.status = 'retired'"
			       " GROUP BY 1, 2, 3, 6",
			       err)))
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(st, 0);
		const char *region = (const char *)sqlite3_column_text(st, 2);
		int year = sqlite3_column_int(st, 1);

		if (!region)
			region = cert_plant_region(d, (const char *)sqlite3_column_text(st, 5));
		if (!region)
			region = o->region;
		double mwh = sqlite3_column_double(st, 4);
		const struct cert_rate *rate =
			region ? cert_rate_find(d, region, o->method, o->rate_year) : NULL;
		jv r = pos_get(acc, state, year);

		r = add(r, "retired_certificates", (double)sqlite3_column_int64(st, 3));
		r = add(r, "retired_mwh", mwh);
		if (rate) {
			jv src = jv_object_get(jv_copy(r), jv_string("co2_sources"));

			r = add(r, "co2_lb", mwh * rate->rate_lb_per_mwh);
			src = jv_object_set(src, jv_string_fmt("%s %d %s", rate->region, rate->year,
							       rate->source),
					    jv_true());
			r = jv_object_set(r, jv_string("co2_sources"), src);
		} else {
			r = add(r, "co2_unrated_mwh", mwh);
		}
		acc = pos_put(acc, state, year, r);
	}
	if (rc != SQLITE_DONE) {
		rc = cert_db_err(l, rc, "report", err);
		goto out;
	}
	rc = 0;
	/* jv_keys sorts: "STATE|YEAR" order, voluntary (no state) first. */
	keys = jv_keys(jv_copy(acc));
	jv_array_foreach(keys, i, k)
	{
		jv r = jv_object_get(jv_copy(acc), k);
		jv s = jv_object_get(jv_copy(r), jv_string("state"));
		double y = num(r, "compliance_year");

		r = with_deadline(r, d, jv_get_kind(s) == JV_KIND_STRING ? jv_string_value(s) : NULL,
				  isnan(y) ? 0 : (int)y, o->today);
		jv_free(s);
		if (!rc)
			rc = emit(ctx, finish(r, o), err);
		else
			jv_free(r);
	}
	jv_free(keys);
out:
	sqlite3_finalize(st);
	jv_free(acc);
	return rc;
}
