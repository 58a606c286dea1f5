/* fetch.c: Data Miner 2 requests, paging, and rows to price records. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pjm/pjm.h"

const char *const pjm_price_columns[PJM_COLUMNS_N + 1] = {
	"interval_start_utc", "interval_end_utc", "interval_start_local", "iso",
	"market", "run", "location", "location_id", "location_type", "price_kind",
	"lmp", "energy", "congestion", "loss", "ghg", "currency", "unit", NULL,
};

/* ---- one request ---------------------------------------------------- */

/* PJM's own words from an error body: APIM's "message" or the first of
 * "errors[]" (its "message", or the element itself when it is text); NULL
 * when the body says nothing usable. The body may be anything: libjq
 * aborts on a lookup in a non-object, so every kind is checked. */
static char *pjm_message(const struct wp_http_resp *resp)
{
	jv body, msg;
	char *out = NULL;

	if (!resp->body || !resp->len)
		return NULL;
	body = jv_parse_sized(resp->body, (int)resp->len);
	if (jv_get_kind(body) != JV_KIND_OBJECT) {
		jv_free(body);
		return NULL;
	}
	msg = jv_object_get(jv_copy(body), jv_string("message"));
	if (jv_get_kind(msg) != JV_KIND_STRING) {
		jv errs = jv_object_get(jv_copy(body), jv_string("errors"));

		jv_free(msg);
		msg = jv_get_kind(errs) == JV_KIND_ARRAY ? jv_array_get(errs, 0)
							 : (jv_free(errs), jv_invalid());
		if (jv_get_kind(msg) == JV_KIND_OBJECT)
			msg = jv_object_get(msg, jv_string("message"));
	}
	if (jv_get_kind(msg) == JV_KIND_STRING)
		out = strdup(jv_string_value(msg));
	jv_free(msg);
	jv_free(body);
	return out;
}

static int status_err(struct pjm_client *c, const struct wp_http_resp *resp,
		      const char *what, struct wp_err *err)
{
	char *m = pjm_message(resp);
	char *safe = m ? wp_http_redact(c->http, m) : NULL;
	const char *said = safe ? safe : "no message";
	int rc;

	switch (resp->status) {
	case 401:
	case 403:
		rc = wp_err_set(err, WP_EPERM,
				"%s: PJM refused the API key (HTTP %ld: %s); check PJM_API_KEY, "
				"[pjm] api_key or --secret-file", what, resp->status, said);
		break;
	case 404:
		rc = wp_err_set(err, WP_EUNAVAIL, "%s: no such PJM feed (HTTP 404: %s)",
				what, said);
		break;
	case 400:
		rc = wp_err_set(err, WP_EPROTO, "%s: PJM rejected the request (HTTP 400): %s",
				what, said);
		break;
	default:
		rc = wp_http_status_err(c->http, resp, what, err);
		if (rc == 0)
			rc = wp_err_set(err, WP_EPROTO, "%s: unexpected HTTP %ld", what,
					resp->status);
	}
	free(safe);
	free(m);
	return rc;
}

/* GET base/path and parse the JSON answer into *out (an object). */
static int pjm_get(struct pjm_client *c, const char *what, const char *path,
		   long ttl, jv *out, struct wp_err *err)
{
	char *hdr = NULL, *url = NULL;
	const char *headers[] = { NULL, "Accept: application/json", NULL };
	struct wp_http_resp resp = WP_HTTP_RESP_INIT;
	int rc;

	*out = jv_invalid();
	if (asprintf(&hdr, "Ocp-Apim-Subscription-Key: %s", c->key) < 0)
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	if (asprintf(&url, "%s/%s", c->base, path) < 0) {
		wp_secret_free(hdr);
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	headers[0] = hdr;
	struct wp_http_req req = { "GET", url, headers, NULL, 0, 1, ttl };
	rc = wp_http_do(c->http, &req, &resp, err);
	wp_secret_free(hdr); /* it held the key */
	free(url);
	if (rc == 0 && resp.status != 200)
		rc = status_err(c, &resp, what, err);
	if (rc == 0) {
		*out = jv_parse_sized(resp.body ? resp.body : "", (int)resp.len);
		if (jv_get_kind(*out) != JV_KIND_OBJECT) {
			jv_free(*out);
			*out = jv_invalid();
			rc = wp_err_set(err, WP_EPROTO, "%s: the answer is not a JSON object",
					what);
		}
	}
	wp_http_resp_release(&resp);
	return rc;
}

/* ---- a growing query string ------------------------------------------ */

struct qs {
	char *s;
	size_t len, cap;
};

static int qs_add(struct qs *q, const char *name, const char *value)
{
	char *v = wp_url_escape(value);
	size_t need;

	if (!v)
		return WP_EINTERNAL;
	need = q->len + strlen(name) + strlen(v) + 3;
	if (need > q->cap) {
		size_t ncap = need * 2;
		char *s = realloc(q->s, ncap);

		if (!s) {
			free(v);
			return WP_EINTERNAL;
		}
		q->s = s;
		q->cap = ncap;
	}
	q->len += sprintf(q->s + q->len, "%s%s=%s", q->len ? "&" : "", name, v);
	free(v);
	return 0;
}

/* ---- paging ----------------------------------------------------------- */

/* Called with each page's items (consumed) before the next is requested. */
typedef int (*page_fn)(void *ctx, jv items, struct wp_err *err);

/* Request feed?params page by page (startRow/rowCount) until totalRows
 * rows arrived; a page shorter than asked before the end is an error. */
static int pjm_pages(struct pjm_client *c, const char *feed, const char *params,
		     long rows, long ttl, page_fn fn, void *ctx, struct wp_err *err)
{
	struct wp_progress prog;
	long start = 1, got = 0, total = 0;
	int rc = 0, page = 0;
	char *path = malloc(strlen(feed) + strlen(params) + 64);

	if (!path)
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	wp_progress_start(&prog, c->progress, c->prog, "rows");
	for (;;) {
		jv body, items, tot;
		long n;
		char what[128];

		sprintf(path, "%s?startRow=%ld&rowCount=%ld%s%s", feed, start, rows,
			*params ? "&" : "", params);
		snprintf(what, sizeof what, "%s (startRow %ld)", feed, start);
		if ((rc = pjm_get(c, what, path, ttl, &body, err)))
			break;
		items = jv_object_get(jv_copy(body), jv_string("items"));
		tot = jv_object_get(body, jv_string("totalRows"));
		if (jv_get_kind(items) != JV_KIND_ARRAY || jv_get_kind(tot) != JV_KIND_NUMBER) {
			jv_free(items);
			jv_free(tot);
			rc = wp_err_set(err, WP_EPROTO, "%s: answer without items or totalRows",
					what);
			break;
		}
		total = (long)jv_number_value(tot);
		jv_free(tot);
		n = jv_array_length(jv_copy(items));
		page++;
		if (got + n < total && n < rows) {
			jv_free(items);
			rc = wp_err_set(err, WP_EPROTO,
					"%s: short page (%ld of %ld rows) with %ld of %ld rows received",
					what, n, rows, got + n, total);
			break;
		}
		got += n;
		if ((rc = fn(ctx, items, err)))
			break;
		wp_progress_update(&prog, got, total, page, (int)((total + rows - 1) / rows));
		if (got >= total)
			break; /* an empty page before the end failed as short above */
		start += n;
	}
	wp_progress_end(&prog);
	free(path);
	return rc;
}

/* ---- rows to records -------------------------------------------------- */

/* A number as text (pnode_id is a number in PJM's JSON, a string in the
 * record); anything else as it is. */
static jv as_text(jv v)
{
	char buf[32];

	if (jv_get_kind(v) != JV_KIND_NUMBER)
		return v;
	wp_fmt_double(jv_number_value(v), buf);
	jv_free(v);
	return jv_string(buf);
}

static jv text(jv row, const char *key)
{
	return as_text(jv_object_get(row, jv_string(key)));
}

/* The parts of a row that make a record (absent parts: invalid jv; prices
 * are made null by row_read). */
struct row {
	time_t start;
	jv name, id, type, lmp, energy, cong, loss, ver;
};

static void row_free(struct row *r)
{
	jv_free(r->name);
	jv_free(r->id);
	jv_free(r->type);
	jv_free(r->lmp);
	jv_free(r->energy);
	jv_free(r->cong);
	jv_free(r->loss);
	jv_free(r->ver);
}

/* A price column's value: a number, or null when unpublished. */
static int price_ok(jv *v, const char *col, struct wp_err *err)
{
	switch (jv_get_kind(*v)) {
	case JV_KIND_NUMBER:
		return 0;
	case JV_KIND_NULL:
	case JV_KIND_INVALID:
		jv_free(*v);
		*v = jv_null();
		return 0;
	default:
		return wp_err_set(err, WP_EPROTO, "%s is not a number", col);
	}
}

/* Which part of struct row a column fills, or NULL. One pass over the
 * row's keys: cheaper than a lookup (and a key string) per field. */
static jv *row_slot(const struct pjm_feed *f, struct row *r, jv *t, const char *col,
		    const char **price_col)
{
	static const char *const prices[] = {
		"total_lmp_", "system_energy_price_", "congestion_price_", "marginal_loss_price_",
	};

	if (strcmp(col, "datetime_beginning_utc") == 0)
		return t;
	if (strcmp(col, "pnode_id") == 0)
		return &r->id;
	if (strcmp(col, "pnode_name") == 0)
		return &r->name;
	if (strcmp(col, "type") == 0)
		return &r->type;
	if (strcmp(col, "version_nbr") == 0)
		return &r->ver;
	for (int i = 0; i < 4; i++) {
		size_t n = strlen(prices[i]);

		if (strncmp(col, prices[i], n) == 0 && strcmp(col + n, f->suffix) == 0) {
			*price_col = col;
			return i == 0 ? &r->lmp : i == 1 ? &r->energy : i == 2 ? &r->cong : &r->loss;
		}
	}
	return NULL;
}

/* Read and check a row (consumed); on error nothing is left to free. */
static int row_read(const struct pjm_feed *f, jv row, struct row *r, struct wp_err *err)
{
	jv t = jv_invalid();
	int rc = 0;

	*r = (struct row){ 0, jv_invalid(), jv_invalid(), jv_invalid(), jv_invalid(),
			   jv_invalid(), jv_invalid(), jv_invalid(), jv_invalid() };
	jv_object_foreach(row, k, v) {
		const char *pcol = NULL;
		jv *slot = row_slot(f, r, &t, jv_string_value(k), &pcol);

		if (slot && rc == 0 && pcol)
			rc = price_ok(&v, pcol, err);
		if (slot) {
			jv_free(*slot);
			*slot = v;
		} else {
			jv_free(v);
		}
		jv_free(k);
	}
	jv_free(row);
	r->id = as_text(r->id);
	if (rc == 0 && (jv_get_kind(t) != JV_KIND_STRING || jv_get_kind(r->name) != JV_KIND_STRING ||
			jv_get_kind(r->id) != JV_KIND_STRING)) {
		rc = wp_err_set(err, WP_EPROTO,
				"row without datetime_beginning_utc, pnode_id or pnode_name");
	} else if (rc == 0 && wp_parse_time(jv_string_value(t), &r->start, err)) {
		rc = err->code = WP_EPROTO; /* their data, not ours */
	} else if (rc == 0 && jv_get_kind(r->lmp) != JV_KIND_NUMBER) {
		rc = wp_err_set(err, WP_EPROTO, "row without total_lmp_%s", f->suffix);
	}
	if (rc) {
		if (jv_get_kind(t) == JV_KIND_STRING)
			wp_err_prefix(err, "row %s", jv_string_value(t));
		row_free(r);
	} else {
		/* Absent components are null. */
		price_ok(&r->energy, "", err);
		price_ok(&r->cong, "", err);
		price_ok(&r->loss, "", err);
	}
	jv_free(t);
	return rc;
}

/* The record's keys, made once per fetch: jv_copy of a key is a reference
 * count, a fresh jv_string an allocation per field and row. The last one
 * is the pjm_version_nbr extension. */
struct keys {
	jv k[PJM_COLUMNS_N + 1];
};

static void keys_init(struct keys *ks)
{
	for (int i = 0; i < PJM_COLUMNS_N; i++)
		ks->k[i] = jv_string(pjm_price_columns[i]);
	ks->k[PJM_COLUMNS_N] = jv_string("pjm_version_nbr");
}

static void keys_release(struct keys *ks)
{
	for (int i = 0; i <= PJM_COLUMNS_N; i++)
		jv_free(ks->k[i]);
}

/* The price record of a row read by row_read; consumes r's values. */
static jv row_record(const struct pjm_feed *f, const struct wp_tz *tz, const struct keys *ks,
		     struct row *r)
{
	char b1[WP_TIME_MAX], b2[WP_TIME_MAX], b3[WP_TIME_MAX];
	const char *type = jv_get_kind(r->type) == JV_KIND_STRING ? jv_string_value(r->type) : NULL;
	jv v[PJM_COLUMNS_N + 1], rec = jv_object();

	/* Unverified feeds publish no energy component: it is what the others
	 * leave of the total (rounded to 1e-6 to drop binary noise). */
	if (jv_get_kind(r->energy) == JV_KIND_NULL && jv_get_kind(r->cong) == JV_KIND_NUMBER &&
	    jv_get_kind(r->loss) == JV_KIND_NUMBER) {
		double e = jv_number_value(r->lmp) - jv_number_value(r->cong) -
			   jv_number_value(r->loss);
		r->energy = jv_number(round(e * 1e6) / 1e6);
	}
	wp_fmt_utc(r->start, b1);
	wp_fmt_utc(r->start + f->minutes * 60, b2);
	wp_fmt_local(r->start, tz, b3);
	/* In pjm_price_columns order. */
	v[0] = jv_string(b1);
	v[1] = jv_string(b2);
	v[2] = jv_string(b3);
	v[3] = jv_string("PJM");
	v[4] = jv_string(f->rec_market);
	v[5] = jv_string(f->prelim ? "prelim" : "final");
	v[6] = r->name;
	v[7] = r->id;
	v[8] = jv_string(pjm_location_type(type));
	v[9] = jv_string("lmp");
	v[10] = r->lmp;
	v[11] = r->energy;
	v[12] = r->cong;
	v[13] = r->loss;
	v[14] = jv_null();
	v[15] = jv_string("USD");
	v[16] = jv_string("MWh");
	v[17] = jv_get_kind(r->ver) == JV_KIND_NUMBER ? r->ver : (jv_free(r->ver), jv_null());
	for (int i = 0; i < PJM_COLUMNS_N + f->versioned; i++)
		rec = jv_object_set(rec, jv_copy(ks->k[i]), v[i]);
	if (!f->versioned)
		jv_free(v[PJM_COLUMNS_N]);
	jv_free(r->type);
	return rec;
}

int pjm_row_to_record(const struct pjm_feed *f, const struct wp_tz *tz, jv row,
		      jv *rec, time_t *start, struct wp_err *err)
{
	struct keys ks;
	struct row r;
	int rc;

	*rec = jv_invalid();
	if ((rc = row_read(f, row, &r, err)))
		return rc;
	*start = r.start;
	keys_init(&ks);
	*rec = row_record(f, tz, &ks, &r);
	keys_release(&ks);
	return 0;
}

/* ---- price queries ---------------------------------------------------- */

/* Rows of one interval start, held until the next start arrives so that
 * versions of a row can be merged and locations put in order. */
struct slot {
	jv rec, loc, id;
	double ver;
};

struct lmp_run {
	struct pjm_client *c;
	const struct pjm_query *q;
	struct wp_writer *w;
	time_t lo, hi;          /* the segment's UTC window, [lo, hi) */
	time_t t;               /* start of the rows held */
	struct slot *v;
	int n, cap;
	struct keys keys;
};

/* By pnode id, newest version first: duplicates end up side by side. */
static int slot_by_id(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;
	int c = strcmp(jv_string_value(x->id), jv_string_value(y->id));

	return c ? c : (x->ver < y->ver) - (x->ver > y->ver);
}

/* Output order: location, then id. */
static int slot_by_location(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;
	int c = strcmp(jv_string_value(x->loc), jv_string_value(y->loc));

	return c ? c : strcmp(jv_string_value(x->id), jv_string_value(y->id));
}

static void slot_free(struct slot *s)
{
	jv_free(s->rec);
	jv_free(s->loc);
	jv_free(s->id);
}

/* Write the held rows: one per pnode id (its newest version), by location. */
static int run_flush(struct lmp_run *x, struct wp_err *err)
{
	int rc = 0, m = 0;

	if (x->n == 0)
		return 0;
	qsort(x->v, x->n, sizeof *x->v, slot_by_id);
	for (int i = 0; i < x->n; i++) {
		if (m > 0 && strcmp(jv_string_value(x->v[i].id), jv_string_value(x->v[m - 1].id)) == 0)
			slot_free(&x->v[i]); /* an older version */
		else
			x->v[m++] = x->v[i];
	}
	qsort(x->v, m, sizeof *x->v, slot_by_location);
	for (int i = 0; i < m; i++) {
		if (rc == 0)
			rc = wp_writer_put(x->w, jv_copy(x->v[i].rec), err);
		slot_free(&x->v[i]);
	}
	x->n = 0;
	return rc;
}

static int run_hold(struct lmp_run *x, jv rec, time_t t, struct wp_err *err)
{
	int rc = 0;
	jv ver;

	if (x->n && t != x->t)
		rc = run_flush(x, err);
	if (rc == 0 && x->n == x->cap) {
		int ncap = x->cap ? x->cap * 2 : 64;
		struct slot *v = realloc(x->v, ncap * sizeof *v);

		if (!v)
			rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
		else
			x->v = v, x->cap = ncap;
	}
	if (rc) {
		jv_free(rec);
		return rc;
	}
	x->t = t;
	ver = jv_object_get(jv_copy(rec), jv_string("pjm_version_nbr"));
	x->v[x->n] = (struct slot){
		jv_copy(rec),
		jv_object_get(jv_copy(rec), jv_string("location")),
		jv_object_get(jv_copy(rec), jv_string("location_id")),
		jv_get_kind(ver) == JV_KIND_NUMBER ? jv_number_value(ver) : 0,
	};
	x->n++;
	jv_free(ver);
	jv_free(rec);
	return 0;
}

/* Filters applied here: node ids (archived ranges cannot send them) and
 * type (5-minute verified prices refuse it). */
static int wanted(const struct pjm_query *q, jv row)
{
	int keep = 1;

	if (q->nnodes) {
		jv id = text(jv_copy(row), "pnode_id");

		keep = 0;
		for (int i = 0; jv_get_kind(id) == JV_KIND_STRING && i < q->nnodes; i++)
			if (strcmp(q->nodes[i], jv_string_value(id)) == 0)
				keep = 1;
		jv_free(id);
	}
	if (keep && q->type) {
		jv type = jv_object_get(jv_copy(row), jv_string("type"));

		keep = jv_get_kind(type) == JV_KIND_STRING &&
		       strcmp(jv_string_value(type), q->type) == 0;
		jv_free(type);
	}
	jv_free(row);
	return keep;
}

/* One page: every row is checked before any is passed on, so a bad row
 * leaves nothing of its page behind; then rows are mapped one by one. */
static int lmp_page(void *ctx, jv items, struct wp_err *err)
{
	struct lmp_run *x = ctx;
	const struct pjm_feed *f = x->q->feed;
	int n = jv_array_length(jv_copy(items)), rc = 0;
	struct row r;

	for (int i = 0; rc == 0 && i < n; i++) {
		jv row = jv_array_get(jv_copy(items), i);

		if (jv_get_kind(row) != JV_KIND_OBJECT) {
			jv_free(row);
			rc = wp_err_set(err, WP_EPROTO, "%s: item %d is not an object", f->feed, i);
		} else if ((rc = row_read(f, row, &r, err)) == 0) {
			row_free(&r);
		}
	}
	for (int i = 0; rc == 0 && i < n; i++) {
		jv row = jv_array_get(jv_copy(items), i);

		items = jv_array_set(items, i, jv_null()); /* one copy of each row at a time */
		if (!wanted(x->q, jv_copy(row))) {
			jv_free(row);
			continue;
		}
		if ((rc = row_read(f, row, &r, err)))
			break;
		/* Both window ends are inclusive on PJM's side. */
		if (r.start < x->lo || r.start >= x->hi)
			row_free(&r);
		else
			rc = run_hold(x, row_record(f, x->c->tz, &x->keys, &r), r.start, err);
	}
	jv_free(items);
	return rc;
}

static int read_cutoff(struct pjm_client *c, const char *feed, int *days,
		       struct wp_err *err)
{
	char path[128], what[128];
	jv meta, on, cut;
	int rc;

	*days = 0;
	snprintf(path, sizeof path, "%s/metadata", feed);
	snprintf(what, sizeof what, "%s metadata", feed);
	if ((rc = pjm_get(c, what, path, 86400, &meta, err)))
		return rc;
	on = jv_object_get(jv_copy(meta), jv_string("enableArchiving"));
	cut = jv_object_get(meta, jv_string("archiveCutoffDays"));
	if (jv_get_kind(on) == JV_KIND_TRUE && jv_get_kind(cut) == JV_KIND_NUMBER)
		*days = (int)jv_number_value(cut);
	jv_free(on);
	jv_free(cut);
	return 0;
}

static int lmp_params(const struct pjm_query *q, const struct pjm_segment *s,
		      time_t lo, time_t hi, struct qs *p)
{
	const struct pjm_feed *f = q->feed;
	char win[64], fields[256];
	int rc;

	pjm_window(lo, hi, win);
	if (f->versioned)
		snprintf(fields, sizeof fields,
			 "datetime_beginning_utc,pnode_id,pnode_name,type,system_energy_price_%s,"
			 "total_lmp_%s,congestion_price_%s,marginal_loss_price_%s,version_nbr",
			 f->suffix, f->suffix, f->suffix, f->suffix);
	else
		snprintf(fields, sizeof fields,
			 "datetime_beginning_utc,pnode_id,pnode_name,type,total_lmp_%s,"
			 "congestion_price_%s,marginal_loss_price_%s",
			 f->suffix, f->suffix, f->suffix);
	rc = qs_add(p, "datetime_beginning_utc", win);
	if (rc == 0 && q->nnodes && !s->archived) {
		size_t len = 1;
		char *ids;

		for (int i = 0; i < q->nnodes; i++)
			len += strlen(q->nodes[i]) + 1;
		if (!(ids = calloc(1, len)))
			return WP_EINTERNAL;
		for (int i = 0; i < q->nnodes; i++) {
			if (i)
				strcat(ids, ";");
			strcat(ids, q->nodes[i]);
		}
		rc = qs_add(p, "pnode_id", ids);
		free(ids);
	}
	if (rc == 0 && q->type && f->type_filter)
		rc = qs_add(p, "type", q->type);
	if (rc == 0 && f->versioned)
		rc = qs_add(p, "row_is_current", "TRUE");
	if (rc == 0)
		rc = qs_add(p, "fields", fields);
	if (rc == 0 && !s->archived)
		rc = qs_add(p, "sort", "datetime_beginning_utc");
	if (rc == 0 && !s->archived)
		rc = qs_add(p, "order", "Asc");
	return rc;
}

/* Pages of settled days (over 30 days old) are kept; recent ones are not
 * cached at all: an empty answer for a day PJM has not posted yet must not
 * stick, and the cache cannot tell an empty page from a full one. */
static long page_ttl(const struct pjm_query *q, const struct pjm_segment *s,
		     struct wp_date today)
{
	if (q->feed->prelim)
		return 0;
	return wp_date_cmp(s->to, wp_date_add(today, -30)) < 0 ? -1 : 0;
}

static int archive_refusal(const struct pjm_segment *s, struct wp_err *err)
{
	char a[WP_TIME_MAX], b[WP_TIME_MAX];

	wp_fmt_date(s->from, a);
	wp_fmt_date(s->to, b);
	return wp_err_set(err, WP_EUSAGE,
			  "%s to %s is in PJM's archive, which cannot be queried by node: PJM "
			  "only returns every node for those days (hundreds of thousands of rows "
			  "a day). Add --archive-all-nodes to download them all and keep the "
			  "nodes asked for here, or ask for more recent days", a, b);
}

int pjm_lmp_fetch(struct pjm_client *c, const struct pjm_query *q,
		  struct wp_writer *w, struct wp_err *err)
{
	const struct pjm_feed *f = q->feed;
	struct lmp_run x = { .c = c, .q = q, .w = w };
	struct pjm_segment *seg = NULL;
	struct wp_date today = wp_date_at(c->tz, q->now);
	int nseg = 0, cutoff = 0, rc = 0;

	keys_init(&x.keys);
	if (f->archived)
		rc = read_cutoff(c, f->feed, &cutoff, err);
	if (rc == 0)
		rc = pjm_plan(q->from, q->to, today, cutoff, &seg, &nseg, err);
	for (int i = 0; rc == 0 && i < nseg; i++)
		if (seg[i].archived && q->nnodes && !q->archive_all)
			rc = archive_refusal(&seg[i], err);
	for (int i = 0; rc == 0 && i < nseg; i++) {
		struct qs p = { 0 };
		char a[WP_TIME_MAX], b[WP_TIME_MAX], msg[256];

		x.lo = wp_day_start(c->tz, seg[i].from);
		x.hi = wp_day_start(c->tz, wp_date_add(seg[i].to, 1));
		if (seg[i].archived && q->nnodes && c->note) {
			wp_fmt_date(seg[i].from, a);
			wp_fmt_date(seg[i].to, b);
			snprintf(msg, sizeof msg,
				 "%s to %s is archived: fetching every node and keeping %d here",
				 a, b, q->nnodes);
			c->note(c->note_ctx, msg);
		}
		if (lmp_params(q, &seg[i], x.lo, x.hi, &p))
			rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
		else
			rc = pjm_pages(c, f->feed, p.s ? p.s : "", q->page_rows,
				       page_ttl(q, &seg[i], today), lmp_page, &x, err);
		free(p.s);
		if (rc == 0)
			rc = run_flush(&x, err);
	}
	for (int i = 0; i < x.n; i++)
		slot_free(&x.v[i]);
	free(x.v);
	keys_release(&x.keys);
	free(seg);
	return rc;
}

void pjm_query_release(struct pjm_query *q)
{
	for (int i = 0; i < q->nnodes; i++)
		free(q->nodes[i]);
	free(q->nodes);
	q->nodes = NULL;
	q->nnodes = 0;
}

/* ---- pricing nodes ---------------------------------------------------- */

const char *const pjm_node_columns[] = {
	"pnode_id", "pnode_name", "pnode_type", "pnode_subtype", "zone",
	"voltage_level", "effective_date", "termination_date", NULL,
};

/* Every row of the pnode feed for a query, gathered (reference data: a
 * few tens of thousands of rows at most). */
static int collect(void *ctx, jv items, struct wp_err *err)
{
	jv *all = ctx;

	*all = jv_array_concat(*all, items);
	return 0;
}

static int node_rows(struct pjm_client *c, const struct pjm_nodes_query *q,
		     const char *fields, jv *all, struct wp_err *err)
{
	struct qs p = { 0 };
	int rc = 0;

	*all = jv_array();
	if (!q->all)
		rc = qs_add(&p, "termination_date", "12/31/9999exact");
	if (rc == 0 && q->type)
		rc = qs_add(&p, "pnode_type", q->type);
	if (rc == 0 && q->name)
		rc = qs_add(&p, "pnode_name", q->name);
	if (rc == 0 && q->zone)
		rc = qs_add(&p, "zone", q->zone);
	if (rc == 0 && fields)
		rc = qs_add(&p, "fields", fields);
	if (rc)
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
	else
		rc = pjm_pages(c, "pnode", p.s ? p.s : "", q->page_rows, 86400, collect, all,
			       err);
	free(p.s);
	return rc;
}

struct node {
	double id;
	jv row;
};

static int node_cmp(const void *a, const void *b)
{
	const struct node *x = a, *y = b;
	jv ex, ey;
	int c;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	ex = jv_object_get(jv_copy(x->row), jv_string("effective_date"));
	ey = jv_object_get(jv_copy(y->row), jv_string("effective_date"));
	c = jv_get_kind(ex) == JV_KIND_STRING && jv_get_kind(ey) == JV_KIND_STRING
		    ? -strcmp(jv_string_value(ex), jv_string_value(ey)) : 0;
	jv_free(ex);
	jv_free(ey);
	return c; /* newest first */
}

static void nodes_free(struct node *v, int n)
{
	for (int i = 0; i < n; i++)
		jv_free(v[i].row);
	free(v);
}

/* The pnode rows for q, one per node (its newest effective date), by id. */
static int node_list(struct pjm_client *c, const struct pjm_nodes_query *q,
		     const char *fields, struct node **out, int *n, struct wp_err *err)
{
	struct node *v;
	jv all;
	int len, m = 0, rc;

	*out = NULL;
	*n = 0;
	if ((rc = node_rows(c, q, fields, &all, err))) {
		jv_free(all);
		return rc;
	}
	len = jv_array_length(jv_copy(all));
	if (!(v = calloc(len ? len : 1, sizeof *v))) {
		jv_free(all);
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	for (int i = 0; i < len; i++) {
		jv row = jv_array_get(jv_copy(all), i);
		jv id = jv_get_kind(row) == JV_KIND_OBJECT
				? jv_object_get(jv_copy(row), jv_string("pnode_id")) : jv_invalid();

		if (jv_get_kind(id) == JV_KIND_NUMBER)
			v[m++] = (struct node){ jv_number_value(id), row };
		else
			jv_free(row);
		jv_free(id);
	}
	jv_free(all);
	qsort(v, m, sizeof *v, node_cmp);
	len = m;
	m = 0;
	for (int i = 0; i < len; i++) {
		if (m > 0 && v[m - 1].id == v[i].id)
			jv_free(v[i].row); /* an older row of the same node */
		else
			v[m++] = v[i];
	}
	*out = v;
	*n = m;
	return 0;
}

/* "2010-01-01T00:00:00" -> "2010-01-01"; anything else as given. */
static jv day(jv row, const char *key)
{
	jv v = jv_object_get(row, jv_string(key));

	if (jv_get_kind(v) == JV_KIND_STRING && strlen(jv_string_value(v)) >= 10) {
		jv d = jv_string_sized(jv_string_value(v), 10);

		jv_free(v);
		return d;
	}
	return v;
}

int pjm_nodes_fetch(struct pjm_client *c, const struct pjm_nodes_query *q,
		    struct wp_writer *w, struct wp_err *err)
{
	struct node *v;
	int n, rc;

	rc = node_list(c, q, NULL, &v, &n, err);
	for (int i = 0; rc == 0 && i < n; i++) {
		jv row = v[i].row, r = jv_object();

		for (int k = 0; pjm_node_columns[k]; k++) {
			const char *col = pjm_node_columns[k];
			jv val = strstr(col, "_date") ? day(jv_copy(row), col)
						       : text(jv_copy(row), col);

			r = jv_object_set(r, jv_string(col),
					  jv_is_valid(val) ? val : (jv_free(val), jv_null()));
		}
		rc = wp_writer_put(w, r, err);
	}
	nodes_free(v, n);
	return rc;
}

static int digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static int add_id(char ***ids, int *n, const char *id, struct wp_err *err)
{
	char **v = realloc(*ids, (*n + 1) * sizeof *v);

	if (!v || !(v[*n] = strdup(id))) {
		if (v)
			*ids = v;
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	*ids = v;
	(*n)++;
	return 0;
}

int pjm_nodes_resolve(struct pjm_client *c, const char *const *in, int n,
		      char ***ids, int *nids, struct wp_err *err)
{
	struct pjm_nodes_query q = PJM_NODES_QUERY_INIT;
	struct node *v = NULL;
	int nv = 0, rc = 0, names = 0;

	*ids = NULL;
	*nids = 0;
	for (int i = 0; i < n; i++)
		names += !digits(in[i]);
	if (names) {
		q.page_rows = c->page_rows;
		rc = node_list(c, &q, "pnode_id,pnode_name,effective_date", &v, &nv, err);
	}
	for (int i = 0; rc == 0 && i < n; i++) {
		int found = 0;

		if (digits(in[i])) {
			rc = add_id(ids, nids, in[i], err);
			continue;
		}
		for (int k = 0; rc == 0 && k < nv; k++) {
			jv name = jv_object_get(jv_copy(v[k].row), jv_string("pnode_name"));
			char buf[32];

			if (jv_get_kind(name) == JV_KIND_STRING &&
			    strcasecmp(jv_string_value(name), in[i]) == 0) {
				wp_fmt_double(v[k].id, buf);
				rc = add_id(ids, nids, buf, err);
				found = 1;
			}
			jv_free(name);
		}
		if (rc == 0 && !found)
			rc = wp_err_set(err, WP_EUSAGE,
					"no active PJM node named '%s' (pjm-nodes --name '*%s*' "
					"lists similar names)", in[i], in[i]);
	}
	nodes_free(v, nv);
	return rc;
}
