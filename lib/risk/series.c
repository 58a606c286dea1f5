/* series.c: records (long or wide) -> an aligned matrix of observations. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wp.h"
#include "risk/risk.h"

enum { LAYOUT_UNKNOWN, LAYOUT_LONG, LAYOUT_WIDE };

struct risk_builder {
	struct risk_input in;
	int layout;
	const char *date_f, *key_f, *value_f; /* resolved on the first record */
	char **dates;                         /* interned labels, by id */
	size_t ndates, capdates;
	size_t *htab, hcap;                   /* open addressing: date id + 1, 0 empty */
	char **names;
	double **cols;                        /* per instrument, by date id; NaN = none */
	size_t k, capk;
	size_t nrec;
};

void risk_series_release(struct risk_series *s)
{
	for (size_t j = 0; s->names && j < s->k; j++)
		free(s->names[j]);
	for (size_t t = 0; s->dates && t < s->n; t++)
		free(s->dates[t]);
	free(s->names);
	free(s->dates);
	free(s->x);
	*s = (struct risk_series)RISK_SERIES_INIT;
}

int risk_series_find(const struct risk_series *s, const char *name)
{
	for (size_t j = 0; j < s->k; j++)
		if (strcmp(s->names[j], name) == 0)
			return (int)j;
	return -1;
}

int risk_builder_new(struct risk_builder **b, const struct risk_input *in, struct wp_err *err)
{
	if (!(*b = calloc(1, sizeof(**b))))
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	(*b)->in = *in;
	return 0;
}

void risk_builder_free(struct risk_builder *b)
{
	if (!b)
		return;
	for (size_t i = 0; b->dates && i < b->ndates; i++)
		free(b->dates[i]);
	for (size_t j = 0; j < b->k; j++) {
		free(b->names[j]);
		free(b->cols[j]);
	}
	free(b->dates);
	free(b->htab);
	free(b->names);
	free(b->cols);
	free(b);
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* Make room for date id `id` in every column (new cells are NaN). */
static int grow_dates(struct risk_builder *b, size_t id)
{
	if (id < b->capdates)
		return 0;
	size_t cap = b->capdates ? b->capdates : 256;
	while (cap <= id)
		cap *= 2;
	for (size_t j = 0; j < b->k; j++) {
		double *c = realloc(b->cols[j], cap * sizeof(*c));
		if (!c)
			return -1;
		for (size_t i = b->capdates; i < cap; i++)
			c[i] = NAN;
		b->cols[j] = c;
	}
	if (b->date_f) {
		char **d = realloc(b->dates, cap * sizeof(*d));
		if (!d)
			return -1;
		b->dates = d;
	}
	b->capdates = cap;
	return 0;
}

/* Date label -> id; takes ownership of s. */
static int intern_date(struct risk_builder *b, char *s, size_t *id)
{
	if (b->ndates * 2 >= b->hcap) {
		size_t cap = b->hcap ? b->hcap * 2 : 1024, *t = calloc(cap, sizeof(*t));
		if (!t)
			return -1;
		for (size_t i = 0; i < b->ndates; i++) {
			size_t h = hash_str(b->dates[i]) & (cap - 1);
			while (t[h])
				h = (h + 1) & (cap - 1);
			t[h] = i + 1;
		}
		free(b->htab);
		b->htab = t;
		b->hcap = cap;
	}
	size_t h = hash_str(s) & (b->hcap - 1);
	for (; b->htab[h]; h = (h + 1) & (b->hcap - 1))
		if (strcmp(b->dates[b->htab[h] - 1], s) == 0) {
			*id = b->htab[h] - 1;
			free(s);
			return 0;
		}
	if (grow_dates(b, b->ndates) != 0)
		return -1;
	*id = b->ndates;
	b->dates[b->ndates++] = s;
	b->htab[h] = *id + 1;
	return 0;
}

/* Instrument name -> column; hint is where it usually is (wide layout). */
static int instrument(struct risk_builder *b, const char *name, size_t hint, size_t *j)
{
	if (hint < b->k && strcmp(b->names[hint], name) == 0) {
		*j = hint;
		return 0;
	}
	for (size_t i = 0; i < b->k; i++)
		if (strcmp(b->names[i], name) == 0) {
			*j = i;
			return 0;
		}
	if (b->k == b->capk) {
		size_t cap = b->capk ? b->capk * 2 : 8;
		char **n = realloc(b->names, cap * sizeof(*n));
		double **c = n ? realloc(b->cols, cap * sizeof(*c)) : NULL;
		if (n)
			b->names = n;
		if (!c)
			return -1;
		b->cols = c;
		b->capk = cap;
	}
	double *col = malloc((b->capdates ? b->capdates : 1) * sizeof(*col));
	char *copy = strdup(name);
	if (!col || !copy) {
		free(col);
		free(copy);
		return -1;
	}
	for (size_t i = 0; i < b->capdates; i++)
		col[i] = NAN;
	b->names[b->k] = copy;
	b->cols[b->k] = col;
	*j = b->k++;
	return 0;
}

static int has_field(jv rec, const char *f)
{
	jv v = jv_object_get(jv_copy(rec), jv_string(f));
	int yes = jv_is_valid(v);
	jv_free(v);
	return yes;
}

/* Pick the layout and field names from the first record. */
static int decide(struct risk_builder *b, jv rec, const char *where, struct wp_err *err)
{
	const struct risk_input *in = &b->in;
	const char *explicit[2] = { in->key_field, in->value_field };

	for (int i = 0; i < 2; i++)
		if (explicit[i] && !has_field(rec, explicit[i]))
			return wp_err_set(err, WP_EDATA, "%s: no field '%s'", where, explicit[i]);
	if (in->date_field && !has_field(rec, in->date_field))
		return wp_err_set(err, WP_EDATA, "%s: no date field '%s'", where, in->date_field);
	b->date_f = in->date_field     ? in->date_field
		    : has_field(rec, "date") ? "date"
		    : has_field(rec, "interval_start_utc") ? "interval_start_utc"
						: NULL;
	b->key_f = in->key_field ? in->key_field
		   : has_field(rec, "instrument") ? "instrument"
						 : "location";
	b->value_f = in->value_field ? in->value_field
		     : has_field(rec, "value") ? "value"
					      : "lmp";
	b->layout = has_field(rec, b->key_f) && has_field(rec, b->value_f) ? LAYOUT_LONG
									     : LAYOUT_WIDE;
	if (b->layout == LAYOUT_LONG && !b->date_f)
		return wp_err_set(err, WP_EDATA,
				  "%s: long records (%s, %s) need a date field to align on; "
				  "use --date FIELD",
				  where, b->key_f, b->value_f);
	return 0;
}

/* One value into (instrument, date id). */
static int put(struct risk_builder *b, jv rec, const char *field, const char *inst,
	       size_t hint, size_t id, const char *where, struct wp_err *err)
{
	double v;
	size_t j;
	int rc = wp_rec_num(jv_copy(rec), field, &v);

	if (rc == WP_ENULL)
		v = NAN; /* missing: the date will be dropped, not filled */
	else if (rc != 0) {
		char *s = wp_rec_str(jv_copy(rec), field);
		rc = wp_err_set(err, WP_EDATA, "%s: %s '%s' is not a number", where, field,
				s ? s : "?");
		free(s);
		return rc;
	} else if (!isfinite(v))
		return wp_err_set(err, WP_EDATA, "%s: %s is not a finite number", where, field);
	if (instrument(b, inst, hint, &j) != 0)
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	if (!isnan(b->cols[j][id]))
		return wp_err_set(err, WP_EDATA, "%s: a second value for %s on %s", where, inst,
				  b->date_f ? b->dates[id] : "this row");
	if (isnan(v))
		return 0;
	b->cols[j][id] = v;
	return 0;
}

int risk_builder_add(struct risk_builder *b, jv rec, const char *where, struct wp_err *err)
{
	size_t id;
	int rc = 0;

	if (jv_get_kind(rec) != JV_KIND_OBJECT) {
		jv_free(rec);
		return wp_err_set(err, WP_EDATA, "%s: not a record", where);
	}
	if (b->layout == LAYOUT_UNKNOWN && (rc = decide(b, rec, where, err)))
		goto out;
	if (b->date_f) {
		char *d = wp_rec_str(jv_copy(rec), b->date_f);
		if (!d || !*d) {
			free(d);
			rc = wp_err_set(err, WP_EDATA, "%s: no %s", where, b->date_f);
			goto out;
		}
		/* Labels sort as text: a spreadsheet's 12/31/2023 must come
		 * before 1/2/2024, so a US date is relabelled YYYY-MM-DD. */
		struct wp_date day;
		char iso[WP_TIME_MAX];
		if (strchr(d, '/') && wp_date_cell(d, &day) == 0) {
			wp_fmt_date(day, iso);
			free(d);
			d = strdup(iso);
		}
		if (!d || intern_date(b, d, &id) != 0) {
			rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
			goto out;
		}
	} else {
		id = b->nrec;
		if (grow_dates(b, id) != 0) {
			rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
			goto out;
		}
		b->ndates = id + 1;
	}
	b->nrec++;
	if (b->layout == LAYOUT_LONG) {
		char *inst = wp_rec_str(jv_copy(rec), b->key_f);
		if (!inst || !*inst)
			rc = wp_err_set(err, WP_EDATA, "%s: no %s", where, b->key_f);
		else
			rc = put(b, rec, b->value_f, inst, 0, id, where, err);
		free(inst);
		goto out;
	}
	size_t hint = 0;
	jv_object_foreach(rec, key, val)
	{
		const char *name = jv_string_value(key);
		if (rc == 0 && !(b->date_f && strcmp(name, b->date_f) == 0))
			rc = put(b, rec, name, name, hint++, id, where, err);
		jv_free(key);
		jv_free(val);
	}
out:
	jv_free(rec);
	return rc;
}

static int by_date(const void *a, const void *b, void *ctx)
{
	char **dates = ctx;
	return strcmp(dates[*(const size_t *)a], dates[*(const size_t *)b]);
}

int risk_builder_finish(struct risk_builder *b, struct risk_series *s, struct wp_err *err)
{
	size_t *order, n = 0, k = b->k;

	*s = (struct risk_series)RISK_SERIES_INIT;
	if (k == 0)
		return wp_err_set(err, WP_EDATA, "no values: the input has no instrument columns");
	if (!(order = malloc((b->ndates + 1) * sizeof(*order))))
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	int sorted = 1;
	for (size_t i = 0; i < b->ndates; i++) {
		order[i] = i;
		if (b->date_f && i > 0 && strcmp(b->dates[i - 1], b->dates[i]) > 0)
			sorted = 0;
	}
	if (!sorted)
		qsort_r(order, b->ndates, sizeof(*order), by_date, b->dates);
	s->x = malloc((b->ndates * k + 1) * sizeof(double));
	s->dates = b->date_f ? malloc((b->ndates + 1) * sizeof(char *)) : NULL;
	if (!s->x || (b->date_f && !s->dates)) {
		free(order);
		risk_series_release(s);
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	for (size_t i = 0; i < b->ndates; i++) {
		size_t id = order[i], j;
		for (j = 0; j < k && !isnan(b->cols[j][id]); j++)
			s->x[n * k + j] = b->cols[j][id];
		if (j < k)
			continue;
		if (s->dates) {
			s->dates[n] = b->dates[id];
			b->dates[id] = NULL;
		}
		n++;
	}
	free(order);
	s->n = n;
	s->k = k;
	s->dropped = b->ndates - n;
	s->names = b->names;
	b->names = NULL;
	for (size_t j = 0; j < k; j++)
		free(b->cols[j]);
	b->k = 0;
	for (size_t i = 0; b->dates && i < b->ndates; i++)
		free(b->dates[i]);
	b->ndates = 0;
	if (n == 0)
		return wp_err_set(err, WP_EDATA, "no date has a value for every instrument (%zu dropped)",
				  s->dropped);
	return 0;
}

int risk_series_transform(struct risk_series *s, enum risk_transform t, struct wp_err *err)
{
	size_t n = s->n, k = s->k;

	if (t == RISK_LEVELS)
		return 0;
	if (n < 2)
		return wp_err_set(err, WP_EDATA, "%zu prices: changes need at least 2", n);
	if (t != RISK_DIFF)
		for (size_t i = 0; i < n * k; i++)
			if (!(s->x[i] > 0))
				return wp_err_set(err, WP_EDATA,
						  "%s price %g on %s is not positive: %s returns need "
						  "a strictly positive series (price differences do not)",
						  s->names[i % k], s->x[i],
						  s->dates ? s->dates[i / k] : "some row",
						  t == RISK_LOG ? "log" : "simple");
	for (size_t r = 0; r + 1 < n; r++)
		for (size_t j = 0; j < k; j++) {
			double a = s->x[r * k + j], b = s->x[(r + 1) * k + j];
			s->x[r * k + j] = t == RISK_DIFF ? b - a : t == RISK_LOG ? log(b / a) : b / a - 1;
		}
	if (s->dates) {
		free(s->dates[0]);
		memmove(s->dates, s->dates + 1, (n - 1) * sizeof(*s->dates));
	}
	s->n = n - 1;
	return 0;
}

void risk_series_scale(struct risk_series *s, const double *scale)
{
	for (size_t t = 0; t < s->n; t++)
		for (size_t j = 0; j < s->k; j++)
			s->x[t * s->k + j] *= scale[j];
}

int risk_series_select(struct risk_series *s, const int *keep, struct wp_err *err)
{
	size_t k = s->k, nk = 0;

	for (size_t j = 0; j < k; j++) {
		if (keep[j])
			s->names[nk++] = s->names[j];
		else
			free(s->names[j]);
	}
	if (nk == 0)
		return wp_err_set(err, WP_EUSAGE, "no instrument selected");
	for (size_t t = 0; t < s->n; t++) {
		size_t c = 0;
		for (size_t j = 0; j < k; j++)
			if (keep[j])
				s->x[t * nk + c++] = s->x[t * k + j];
	}
	s->k = nk;
	return 0;
}
