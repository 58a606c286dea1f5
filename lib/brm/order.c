/* order.c: BRM orders from records, their validation rules and risk
 * limits as one table, and the request bodies (brm.md sections 4 and 5). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "brm/brm.h"

#define MAX_POINTS 200
#define COMMENT_MAX 255
#define REF_ROOM 36          /* " wp:" + 32 hex digits, appended to the comment */
#define CLOSE_MARGIN_S 30    /* gate closure is enforced by the exchange's clock */

/* ---- jv helpers shared by the brm files --------------------------------- */

jv brm_field(jv o, const char *key)
{
	if (jv_get_kind(o) != JV_KIND_OBJECT)
		return jv_invalid();
	return jv_object_get(jv_copy(o), jv_string(key));
}

jv brm_array(jv o, const char *key)
{
	jv a = brm_field(o, key);

	if (jv_get_kind(a) != JV_KIND_ARRAY) {
		jv_free(a);
		return jv_array();
	}
	return a;
}

jv brm_find(jv list, const char *key, const char *value)
{
	jv found = jv_null();

	if (jv_get_kind(list) != JV_KIND_ARRAY || !value)
		return found;
	jv_array_foreach(list, i, x) {
		const char *v = brm_str(x, key);
		if (jv_get_kind(found) == JV_KIND_NULL && v && !strcmp(v, value)) {
			jv_free(found);
			found = jv_copy(x);
		}
		jv_free(x);
	}
	return found;
}

const char *brm_str(jv o, const char *key)
{
	const char *s = NULL;
	jv v = brm_field(o, key);

	if (jv_get_kind(v) == JV_KIND_STRING)
		s = jv_string_value(v); /* still owned by o */
	jv_free(v);
	return s;
}

double brm_num(jv o, const char *key)
{
	double d = NAN;
	jv v = brm_field(o, key);
	if (jv_get_kind(v) == JV_KIND_NUMBER)
		d = jv_number_value(v);
	jv_free(v);
	return d;
}

int brm_time(jv o, const char *key, time_t *t)
{
	const char *s = brm_str(o, key);

	return s && wp_parse_time(s, t, NULL) == 0 ? 0 : -1;
}

/* ---- building an order from rows ------------------------------------------ */

static void *grow(void *p, int *cap, int need, size_t size)
{
	if (need <= *cap)
		return p;
	int n = *cap ? *cap * 2 : 8;
	while (n < need)
		n *= 2;
	void *q = realloc(p, (size_t)n * size);
	if (q)
		*cap = n;
	return q;
}

void brm_order_release(struct brm_order *o)
{
	for (int i = 0; i < o->ncurves; i++) {
		free(o->curves[i].contract);
		free(o->curves[i].pts);
	}
	for (int i = 0; i < o->nblocks; i++) {
		struct brm_block *b = &o->blocks[i];
		for (int j = 0; j < b->n; j++)
			free(b->per[j].contract);
		free(b->per);
		free(b->name);
		free(b->linked_to);
		free(b->group);
	}
	free(o->curves);
	free(o->blocks);
	free(o->auction);
	free(o->portfolio);
	free(o->area);
	free(o->comment);
	o->curves = NULL;
	o->blocks = NULL;
	o->auction = o->portfolio = o->area = o->comment = NULL;
	o->ncurves = o->nblocks = o->capc = o->capb = o->nrows = 0;
}

/* A field as text: strings as they are, numbers as written by jq; NULL
 * for missing, null or "". The result points into rec. */
static const char *field_text(jv rec, const char *key, char buf[64])
{
	jv v = brm_field(rec, key);
	const char *s = NULL;

	if (jv_get_kind(v) == JV_KIND_STRING && jv_string_length_bytes(jv_copy(v)) > 0)
		s = jv_string_value(v);
	else if (jv_get_kind(v) == JV_KIND_NUMBER) {
		snprintf(buf, 64, "%.17g", jv_number_value(v));
		s = buf;
	} else if (jv_get_kind(v) == JV_KIND_TRUE || jv_get_kind(v) == JV_KIND_FALSE) {
		snprintf(buf, 64, "%s", jv_get_kind(v) == JV_KIND_TRUE ? "true" : "false");
		s = buf;
	}
	jv_free(v);
	return s;
}

/* A required number; 1 when absent, -1 when not a number. */
static int field_num(jv rec, const char *key, double *out)
{
	jv v = brm_field(rec, key);
	int rc = 1;

	if (jv_get_kind(v) == JV_KIND_NUMBER) {
		*out = jv_number_value(v);
		rc = isfinite(*out) ? 0 : -1;
	} else if (jv_get_kind(v) == JV_KIND_STRING && jv_string_length_bytes(jv_copy(v)) > 0) {
		const char *s = jv_string_value(v);
		char *end;
		errno = 0;
		*out = strtod(s, &end);
		rc = (*end || errno || !isfinite(*out) || end == s) ? -1 : 0;
	}
	jv_free(v);
	return rc;
}

static int need_num(const struct brm_order *o, jv rec, const char *key, long line, double *out,
		    struct wp_err *err)
{
	char buf[64];
	int rc = field_num(rec, key, out);

	if (rc > 0)
		return wp_err_set(err, WP_EDATA, "%s:%ld: no %s", o->src, line, key);
	if (rc < 0)
		return wp_err_set(err, WP_EDATA, "%s:%ld: %s '%s' is not a number", o->src, line,
				  key, field_text(rec, key, buf));
	return 0;
}

static const char *contract_of(jv rec, char buf[64])
{
	const char *c = field_text(rec, "contract", buf);
	return c ? c : field_text(rec, "contract_id", buf);
}

static int add_curve_row(struct brm_order *o, jv rec, long line, struct wp_err *err)
{
	char buf[64];
	const char *contract = contract_of(rec, buf);
	struct brm_point p = { 0, 0, line };
	struct brm_curve *c = NULL;
	int rc;

	if (!contract)
		return wp_err_set(err, WP_EDATA, "%s:%ld: no contract", o->src, line);
	if ((rc = need_num(o, rec, "price", line, &p.price, err)) ||
	    (rc = need_num(o, rec, "volume", line, &p.volume, err)))
		return rc;
	/* Curves keep the order in which their contracts first appear. */
	for (int i = o->ncurves - 1; i >= 0 && !c; i--)
		if (strcmp(o->curves[i].contract, contract) == 0)
			c = &o->curves[i];
	if (!c) {
		struct brm_curve *v = grow(o->curves, &o->capc, o->ncurves + 1, sizeof *v);
		if (!v)
			return wp_err_set(err, WP_EINTERNAL, "out of memory");
		o->curves = v;
		c = &o->curves[o->ncurves];
		memset(c, 0, sizeof *c);
		if (!(c->contract = strdup(contract)))
			return wp_err_set(err, WP_EINTERNAL, "out of memory");
		o->ncurves++;
	}
	struct brm_point *pts = grow(c->pts, &c->cap, c->n + 1, sizeof *pts);
	if (!pts)
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	c->pts = pts;
	c->pts[c->n++] = p;
	return 0;
}

static int parse_bool(const char *s, int *out)
{
	if (!s || !strcmp(s, "false") || !strcmp(s, "0") || !strcmp(s, "no"))
		*out = 0;
	else if (!strcmp(s, "true") || !strcmp(s, "1") || !strcmp(s, "yes"))
		*out = 1;
	else
		return -1;
	return 0;
}

/* A block attribute given again on a later row must agree with the first. */
static int same_text(const struct brm_order *o, const struct brm_block *b, const char *what,
		     char **have, const char *now, long line, struct wp_err *err)
{
	if (!now)
		return 0;
	if (!*have) {
		if (b->n == 0)
			return (*have = strdup(now)) ? 0 : wp_err_set(err, WP_EINTERNAL, "out of memory");
		return wp_err_set(err, WP_EDATA, "%s:%ld: block %s: %s '%s' not on its first row",
				  o->src, line, b->name, what, now);
	}
	if (strcmp(*have, now))
		return wp_err_set(err, WP_EDATA, "%s:%ld: block %s: %s '%s' differs from '%s'",
				  o->src, line, b->name, what, now, *have);
	return 0;
}

static int same_num(const struct brm_order *o, const struct brm_block *b, jv rec,
		    const char *key, double *have, long line, struct wp_err *err)
{
	double v;
	int rc = field_num(rec, key, &v);

	if (rc > 0 && b->n > 0)
		return 0; /* left empty on a later row */
	if (rc)
		return need_num(o, rec, key, line, &v, err);
	if (b->n > 0 && v != *have)
		return wp_err_set(err, WP_EDATA, "%s:%ld: block %s: %s %g differs from %g", o->src,
				  line, b->name, key, v, *have);
	*have = v;
	return 0;
}

static int add_block_row(struct brm_order *o, jv rec, long line, struct wp_err *err)
{
	char nbuf[64], cbuf[64], sbuf[64], lbuf[64], gbuf[64];
	const char *name = field_text(rec, "block", nbuf);
	const char *contract = contract_of(rec, cbuf);
	struct brm_block *b = NULL;
	struct brm_period p = { 0, 0, line };
	int rc, spread;

	if (!contract)
		return wp_err_set(err, WP_EDATA, "%s:%ld: no contract", o->src, line);
	if ((rc = need_num(o, rec, "volume", line, &p.volume, err)))
		return rc;
	const char *sp = field_text(rec, "spread", sbuf);
	if (parse_bool(sp, &spread))
		return wp_err_set(err, WP_EDATA, "%s:%ld: spread '%s' is not true or false", o->src,
				  line, sp);
	for (int i = 0; i < o->nblocks && !b; i++)
		if (strcmp(o->blocks[i].name, name) == 0)
			b = &o->blocks[i];
	if (!b) {
		struct brm_block *v = grow(o->blocks, &o->capb, o->nblocks + 1, sizeof *v);
		if (!v)
			return wp_err_set(err, WP_EINTERNAL, "out of memory");
		o->blocks = v;
		b = &o->blocks[o->nblocks];
		memset(b, 0, sizeof *b);
		b->line = line;
		if (!(b->name = strdup(name)))
			return wp_err_set(err, WP_EINTERNAL, "out of memory");
		o->nblocks++;
	}
	if ((rc = same_num(o, b, rec, "price", &b->price, line, err)) ||
	    (rc = same_num(o, b, rec, "min_acceptance_ratio", &b->mar, line, err)) ||
	    (rc = same_text(o, b, "linked_to", &b->linked_to, field_text(rec, "linked_to", lbuf),
			    line, err)) ||
	    (rc = same_text(o, b, "exclusive_group", &b->group,
			    field_text(rec, "exclusive_group", gbuf), line, err)))
		return rc;
	if (b->n == 0)
		b->spread = spread;
	else if (spread && !b->spread)
		return wp_err_set(err, WP_EDATA, "%s:%ld: block %s: spread not on its first row",
				  o->src, line, b->name);
	struct brm_period *per = grow(b->per, &b->cap, b->n + 1, sizeof *per);
	if (!per || !(p.contract = strdup(contract))) {
		if (per)
			b->per = per;
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	b->per = per;
	b->per[b->n++] = p;
	return 0;
}

int brm_order_add(struct brm_order *o, jv rec, long line, struct wp_err *err)
{
	char buf[64];
	int rc;

	if (jv_get_kind(rec) != JV_KIND_OBJECT) {
		jv_free(rec);
		return wp_err_set(err, WP_EDATA, "%s:%ld: not a record", o->src, line);
	}
	enum brm_kind kind = field_text(rec, "block", buf) ? BRM_BLOCK : BRM_CURVE;
	if (o->nrows > 0 && kind != o->kind) {
		jv_free(rec);
		return wp_err_set(err, WP_EDATA,
				  "%s:%ld: a %s row in a %s order (an order is all curves or all "
				  "blocks)",
				  o->src, line, kind == BRM_BLOCK ? "block" : "curve",
				  o->kind == BRM_BLOCK ? "block" : "curve");
	}
	o->kind = kind;
	rc = kind == BRM_BLOCK ? add_block_row(o, rec, line, err) : add_curve_row(o, rec, line, err);
	if (rc == 0)
		o->nrows++;
	jv_free(rec);
	return rc;
}

/* ---- validation ----------------------------------------------------------- */

struct contract {
	const char *id;   /* points into the auction jv */
	time_t start, end;
};

struct brm_vctx {
	struct brm_order *o;
	const struct brm_market *m;
	const struct brm_limits *lim;
	const struct brm_rule *rule;
	jv problems;
	/* what the market says, resolved once */
	jv portfolio, area;              /* objects or null */
	double min_price, max_price;     /* NaN when unknown */
	double vol_min, vol_max;         /* NaN when unset */
	long resolution;                 /* seconds, 0 when unknown */
	struct contract *ct;
	int nct;
	/* where we are */
	const struct brm_curve *curve;
	int ipt;
	const struct brm_block *block;
	int iper;
};

static void fmt_num(double d, char *buf, size_t n)
{
	snprintf(buf, n, "%.15g", d);
}

/* Record one violation of the current rule at the current place. */
static void flag(struct brm_vctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void flag(struct brm_vctx *c, const char *fmt, ...)
{
	char where[512], what[512], msg[1200];
	const struct brm_order *o = c->o;
	long line = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	int n = snprintf(where, sizeof where, "%s %s/%s", o->auction ? o->auction : "?",
			 o->portfolio ? o->portfolio : "?", o->area ? o->area : "?");
	switch (c->rule->scope) {
	case BRM_AT_POINT:
		line = c->curve->pts[c->ipt].line;
		snprintf(where + n, sizeof where - n, " %s point %d", c->curve->contract, c->ipt + 1);
		break;
	case BRM_AT_CURVE:
		line = c->curve->pts[0].line;
		snprintf(where + n, sizeof where - n, " %s", c->curve->contract);
		break;
	case BRM_AT_PERIOD:
		line = c->block->per[c->iper].line;
		snprintf(where + n, sizeof where - n, " block %s period %d (%s)", c->block->name,
			 c->iper + 1, c->block->per[c->iper].contract);
		break;
	case BRM_AT_BLOCK:
		line = c->block->line;
		snprintf(where + n, sizeof where - n, " block %s", c->block->name);
		break;
	case BRM_AT_ORDER:
		break;
	}
	if (line)
		snprintf(msg, sizeof msg, "%s:%ld: %s: %s (%s)", o->src, line, where, what,
			 c->rule->id);
	else
		snprintf(msg, sizeof msg, "%s: %s: %s (%s)", o->src, where, what, c->rule->id);
	c->problems = jv_array_append(c->problems, jv_string(msg));
}

static int cmp_contract(const void *a, const void *b)
{
	return strcmp(((const struct contract *)a)->id, ((const struct contract *)b)->id);
}

static const struct contract *find_contract(const struct brm_vctx *c, const char *id)
{
	struct contract key = { id, 0, 0 };

	return c->nct ? bsearch(&key, c->ct, c->nct, sizeof key, cmp_contract) : NULL;
}

/* Is x a whole number of steps (0.1 MW, 0.01 EUR)? Input is decimal text,
 * so allow for binary rounding but nothing more. */
static int on_step(double x, double step)
{
	double k = x / step;
	return fabs(k - nearbyint(k)) < 1e-6;
}

static double hours(const struct contract *k)
{
	return k ? (double)(k->end - k->start) / 3600.0 : 1.0;
}

/* V1 */
static void check_sign(struct brm_vctx *c)
{
	int pos = 0, neg = 0, zero = 0;

	for (int i = 0; i < c->block->n; i++) {
		double v = c->block->per[i].volume;
		pos += v > 0, neg += v < 0, zero += v == 0;
	}
	if (pos && neg)
		flag(c, "mixes buy (> 0) and sell (< 0) volumes");
	if (zero)
		flag(c, "%d period%s with volume 0", zero, zero > 1 ? "s" : "");
}

/* V2 */
static void check_points(struct brm_vctx *c)
{
	if (c->curve->n < 2)
		flag(c, "%d point%s, a curve needs at least 2", c->curve->n,
		     c->curve->n == 1 ? "" : "s");
}

static void check_rising(struct brm_vctx *c)
{
	char a[32], b[32];

	if (c->ipt == 0)
		return;
	double p = c->curve->pts[c->ipt].price, q = c->curve->pts[c->ipt - 1].price;
	if (!(p > q)) {
		fmt_num(p, a, sizeof a);
		fmt_num(q, b, sizeof b);
		flag(c, "price %s not above %s", a, b);
	}
}

/* V3 */
static void check_falling(struct brm_vctx *c)
{
	char a[32], b[32];

	if (c->ipt == 0)
		return;
	double v = c->curve->pts[c->ipt].volume, w = c->curve->pts[c->ipt - 1].volume;
	if (v > w) {
		fmt_num(v, a, sizeof a);
		fmt_num(w, b, sizeof b);
		flag(c, "volume %s above %s", a, b);
	}
}

/* V4 */
static void check_count(struct brm_vctx *c)
{
	if (c->curve->n > MAX_POINTS)
		flag(c, "%d points (limit %d)", c->curve->n, MAX_POINTS);
}

/* V5 */
static void check_ends(struct brm_vctx *c)
{
	char a[32], b[32];
	const struct brm_curve *k = c->curve;

	if (k->n < 2 || isnan(c->min_price))
		return;
	if (k->pts[0].price != c->min_price) {
		fmt_num(k->pts[0].price, a, sizeof a);
		fmt_num(c->min_price, b, sizeof b);
		flag(c, "first price %s, must be the auction's min %s", a, b);
	}
	if (k->pts[k->n - 1].price != c->max_price) {
		fmt_num(k->pts[k->n - 1].price, a, sizeof a);
		fmt_num(c->max_price, b, sizeof b);
		flag(c, "last price %s, must be the auction's max %s", a, b);
	}
}

/* V6 */
static void check_unique(struct brm_vctx *c)
{
	const struct brm_order *o = c->o;
	jv list = brm_field(c->m->orders, o->kind == BRM_CURVE ? "curveOrders" : "blockLists");
	int found_replace = 0;

	if (jv_get_kind(list) != JV_KIND_ARRAY) {
		jv_free(list);
		if (c->m->replace)
			flag(c, "order %s not found among the portfolio's orders", c->m->replace);
		return;
	}
	jv_array_foreach(list, i, x) {
		const char *id = brm_str(x, "orderId");
		const char *pf = brm_str(x, "portfolio"), *area = brm_str(x, "areaCode");
		int live = !brm_order_in_state(x, "Cancelled");
		int mine = pf && o->portfolio && !strcmp(pf, o->portfolio) && area && o->area &&
			   !strcmp(area, o->area);
		if (c->m->replace && id && !strcmp(id, c->m->replace)) {
			found_replace = 1;
			if (!mine)
				flag(c, "order %s belongs to %s/%s", id, pf ? pf : "?",
				     area ? area : "?");
			else if (!live)
				flag(c, "order %s is cancelled", id);
		} else if (!c->m->replace && o->kind == BRM_CURVE && live && mine) {
			flag(c, "curve order %s exists already; modify it with --replace %s",
			     id ? id : "?", id ? id : "?");
		}
		jv_free(x);
	}
	jv_free(list);
	if (c->m->replace && !found_replace)
		flag(c, "order %s is not a %s order of this portfolio and auction", c->m->replace,
		     o->kind == BRM_CURVE ? "curve" : "block");
}

static void check_period_once(struct brm_vctx *c)
{
	const struct brm_block *b = c->block;

	for (int i = 0; i < c->iper; i++)
		if (!strcmp(b->per[i].contract, b->per[c->iper].contract)) {
			flag(c, "contract also in period %d", i + 1);
			return;
		}
}

/* V7 */
static void step_price(struct brm_vctx *c, double p)
{
	char a[32];

	if (!on_step(p, 0.01)) {
		fmt_num(p, a, sizeof a);
		flag(c, "price %s not a multiple of 0.01", a);
	}
}

static void step_volume(struct brm_vctx *c, double v)
{
	char a[32];

	if (!on_step(v, 0.1)) {
		fmt_num(v, a, sizeof a);
		flag(c, "volume %s not a multiple of 0.1", a);
	}
}

static void check_step(struct brm_vctx *c)
{
	if (c->rule->scope == BRM_AT_POINT) {
		step_price(c, c->curve->pts[c->ipt].price);
		step_volume(c, c->curve->pts[c->ipt].volume);
	} else if (c->rule->scope == BRM_AT_BLOCK) {
		step_price(c, c->block->price);
	} else {
		step_volume(c, c->block->per[c->iper].volume);
	}
}

/* V8 */
static void check_price_limits(struct brm_vctx *c)
{
	char a[32], b[32];
	double p = c->rule->scope == BRM_AT_POINT ? c->curve->pts[c->ipt].price : c->block->price;

	if (isnan(c->min_price))
		return;
	if (p < c->min_price) {
		fmt_num(p, a, sizeof a);
		fmt_num(c->min_price, b, sizeof b);
		flag(c, "price %s below min %s", a, b);
	} else if (p > c->max_price) {
		fmt_num(p, a, sizeof a);
		fmt_num(c->max_price, b, sizeof b);
		flag(c, "price %s above max %s", a, b);
	}
}

/* V9 */
static void check_volume_limits(struct brm_vctx *c)
{
	char a[32], b[32];
	double v = c->rule->scope == BRM_AT_POINT ? c->curve->pts[c->ipt].volume
						   : c->block->per[c->iper].volume;

	if (!isnan(c->vol_min) && v < c->vol_min) {
		fmt_num(v, a, sizeof a);
		fmt_num(c->vol_min, b, sizeof b);
		flag(c, "volume %s below limit %s", a, b);
	} else if (!isnan(c->vol_max) && v > c->vol_max) {
		fmt_num(v, a, sizeof a);
		fmt_num(c->vol_max, b, sizeof b);
		flag(c, "volume %s above limit %s", a, b);
	}
}

/* V10 */
static void check_contract(struct brm_vctx *c)
{
	const char *id =
		c->rule->scope == BRM_AT_CURVE ? c->curve->contract : c->block->per[c->iper].contract;
	const struct contract *k = find_contract(c, id);

	if (!k) {
		flag(c, "%s not in auction %s", id, c->o->auction);
		return;
	}
	if (c->resolution && k->end - k->start != c->resolution)
		flag(c, "%s lasts %ld min, the portfolio trades %ld-min contracts", id,
		     (long)(k->end - k->start) / 60, c->resolution / 60);
}

/* V11 */
static void check_portfolio(struct brm_vctx *c)
{
	const char *perm;

	if (jv_get_kind(c->portfolio) != JV_KIND_OBJECT) {
		flag(c, "portfolio %s not in auction %s", c->o->portfolio, c->o->auction);
		return;
	}
	perm = brm_str(c->portfolio, "permission");
	if (!perm || strcmp(perm, "WRITE"))
		flag(c, "portfolio %s is %s-only", c->o->portfolio, perm ? perm : "read");
	if (jv_get_kind(c->area) != JV_KIND_OBJECT)
		flag(c, "portfolio %s has no area %s", c->o->portfolio,
		     c->o->area ? c->o->area : "(none given: use --area)");
}

/* V12 */
static void check_open(struct brm_vctx *c)
{
	char t[WP_TIME_MAX];
	const char *st = brm_str(c->m->auction, "state");
	time_t close;

	if (brm_time(c->m->auction, "closeForBidding", &close)) {
		flag(c, "auction has no closeForBidding time");
		return;
	}
	wp_fmt_utc(close, t);
	if (!st || strcmp(st, "Open"))
		flag(c, "auction is %s, not Open (gate closure %s)", st ? st : "without a state", t);
	else if (c->m->now >= close - CLOSE_MARGIN_S)
		flag(c, "bidding closes at %s, less than %d s from now", t, CLOSE_MARGIN_S);
}

/* V13 */
static const struct brm_block *block_named(const struct brm_order *o, const char *name)
{
	for (int i = 0; i < o->nblocks; i++)
		if (!strcmp(o->blocks[i].name, name))
			return &o->blocks[i];
	return NULL;
}

static void check_block(struct brm_vctx *c)
{
	const struct brm_block *b = c->block, *t;

	if (block_named(c->o, b->name) != b)
		flag(c, "name used by another block");
	if (!(b->mar >= 0 && b->mar <= 1))
		flag(c, "min_acceptance_ratio %g outside 0..1", b->mar);
	if (!b->linked_to)
		return;
	if (!(t = block_named(c->o, b->linked_to))) {
		flag(c, "linked_to \"%s\" unknown", b->linked_to);
		return;
	}
	/* Follow the chain of parents: it must end, except for a spread pair
	 * (a buy and a sell spread block linked to each other). */
	for (int steps = 0; t && steps <= c->o->nblocks; steps++) {
		if (t == b) {
			const struct brm_block *p = block_named(c->o, b->linked_to);
			int pair = steps == 1 && b->spread && p->spread && b->n && p->n &&
				   (b->per[0].volume > 0) != (p->per[0].volume > 0);
			if (!pair)
				flag(c, "linked_to makes a cycle");
			return;
		}
		t = t->linked_to ? block_named(c->o, t->linked_to) : NULL;
	}
}

/* V14 */
static void check_comment(struct brm_vctx *c)
{
	size_t n = c->o->comment ? strlen(c->o->comment) : 0;

	if (n > COMMENT_MAX - REF_ROOM)
		flag(c, "comment %zu chars (limit %d, wattpipe adds a %d-char reference)", n,
		     COMMENT_MAX - REF_ROOM, REF_ROOM);
}

/* R1: the most a contract can trade: the largest curve volume plus every
 * block volume in it. */
static void check_max_mw(struct brm_vctx *c)
{
	char a[32], b[32];
	const struct brm_order *o = c->o;

	if (isnan(c->lim->max_mw))
		return;
	for (int i = 0; i < o->ncurves; i++) {
		double mw = 0;
		for (int j = 0; j < o->curves[i].n; j++)
			mw = fmax(mw, fabs(o->curves[i].pts[j].volume));
		if (mw > c->lim->max_mw) {
			fmt_num(mw, a, sizeof a);
			fmt_num(c->lim->max_mw, b, sizeof b);
			flag(c, "%s: %s MW above the limit of %s MW per period", o->curves[i].contract,
			     a, b);
		}
	}
	for (int i = 0; i < o->nblocks; i++)
		for (int j = 0; j < o->blocks[i].n; j++) {
			const char *k = o->blocks[i].per[j].contract;
			double mw = 0;
			int first = 1;
			for (int x = 0; x < o->nblocks && first; x++)
				for (int y = 0; y < o->blocks[x].n; y++) {
					if (strcmp(o->blocks[x].per[y].contract, k))
						continue;
					if (x < i || (x == i && y < j))
						first = 0; /* reported at its first period */
					mw += fabs(o->blocks[x].per[y].volume);
				}
			if (first && mw > c->lim->max_mw) {
				fmt_num(mw, a, sizeof a);
				fmt_num(c->lim->max_mw, b, sizeof b);
				flag(c, "%s: blocks total %s MW, above the limit of %s MW per period",
				     k, a, b);
			}
		}
}

/* Largest |price x volume| along a curve, points joined by straight lines
 * (the auction interpolates): a segment's product is a parabola, so look
 * at its ends and its vertex. */
static double curve_exposure(const struct brm_curve *k)
{
	double worst = 0;

	for (int i = 0; i < k->n; i++) {
		worst = fmax(worst, fabs(k->pts[i].price * k->pts[i].volume));
		if (i == 0)
			continue;
		double p0 = k->pts[i - 1].price, v0 = k->pts[i - 1].volume;
		double dp = k->pts[i].price - p0, dv = k->pts[i].volume - v0;
		if (dp * dv != 0) {
			double t = -(p0 * dv + v0 * dp) / (2 * dp * dv);
			if (t > 0 && t < 1)
				worst = fmax(worst, fabs((p0 + t * dp) * (v0 + t * dv)));
		}
	}
	return worst;
}

/* R2 */
static void check_notional(struct brm_vctx *c)
{
	char a[32], b[32];
	const struct brm_order *o = c->o;
	double sum = 0;

	if (isnan(c->lim->max_notional))
		return;
	for (int i = 0; i < o->ncurves; i++)
		sum += curve_exposure(&o->curves[i]) * hours(find_contract(c, o->curves[i].contract));
	for (int i = 0; i < o->nblocks; i++)
		for (int j = 0; j < o->blocks[i].n; j++)
			sum += fabs(o->blocks[i].price * o->blocks[i].per[j].volume) *
			       hours(find_contract(c, o->blocks[i].per[j].contract));
	if (sum > c->lim->max_notional) {
		snprintf(a, sizeof a, "%.2f", sum);
		fmt_num(c->lim->max_notional, b, sizeof b);
		flag(c, "worst-case notional %s EUR above the limit of %s EUR per auction", a, b);
	}
}

/* R3 */
static void check_band(struct brm_vctx *c)
{
	char a[32], b[32], d[32];
	double p;

	if (c->rule->scope == BRM_AT_POINT) {
		p = c->curve->pts[c->ipt].price;
		if (p == c->min_price || p == c->max_price)
			return; /* the ends every curve must have (V5) */
	} else {
		p = c->block->price;
	}
	if ((!isnan(c->lim->band_min) && p < c->lim->band_min) ||
	    (!isnan(c->lim->band_max) && p > c->lim->band_max)) {
		fmt_num(p, a, sizeof a);
		fmt_num(c->lim->band_min, b, sizeof b);
		fmt_num(c->lim->band_max, d, sizeof d);
		flag(c, "price %s outside the band %s..%s", a, b, d);
	}
}

const struct brm_rule brm_rules[] = {
	{ "V11", BRM_AT_ORDER, check_portfolio,
	  "the portfolio is in the auction, has WRITE permission and lists the area" },
	{ "V12", BRM_AT_ORDER, check_open,
	  "the auction is Open and bidding closes more than 30 s from now" },
	{ "V6", BRM_AT_ORDER, check_unique,
	  "one curve order per portfolio and area (modify it with --replace); --replace names "
	  "a live order of the same kind, portfolio and area" },
	{ "V14", BRM_AT_ORDER, check_comment, "comment at most 219 characters" },
	{ "R1", BRM_AT_ORDER, check_max_mw,
	  "per contract, largest curve volume plus block volumes at most max_mw" },
	{ "R2", BRM_AT_ORDER, check_notional,
	  "worst-case |price x volume| x hours summed over the order at most max_notional" },
	{ "V10", BRM_AT_CURVE, check_contract,
	  "the contract is in the auction and area and lasts the portfolio's trading resolution" },
	{ "V2", BRM_AT_CURVE, check_points, "a curve has at least 2 points" },
	{ "V4", BRM_AT_CURVE, check_count, "a curve has at most 200 points" },
	{ "V5", BRM_AT_CURVE, check_ends,
	  "a curve starts at the auction's min price and ends at its max price" },
	{ "V2", BRM_AT_POINT, check_rising, "curve prices strictly rise" },
	{ "V3", BRM_AT_POINT, check_falling, "curve volumes do not rise as prices rise" },
	{ "V7", BRM_AT_POINT, check_step, "volumes in steps of 0.1 MW, prices in steps of 0.01" },
	{ "V8", BRM_AT_POINT, check_price_limits,
	  "prices within the auction's min and max for the portfolio's currency" },
	{ "V9", BRM_AT_POINT, check_volume_limits,
	  "volumes within the area's curve volume limits" },
	{ "R3", BRM_AT_POINT, check_band,
	  "prices within band_min..band_max (a curve's mandatory ends excepted)" },
	{ "V1", BRM_AT_BLOCK, check_sign, "a block either buys (> 0) or sells (< 0), never 0" },
	{ "V13", BRM_AT_BLOCK, check_block,
	  "block names unique, min_acceptance_ratio in 0..1, linked_to names another block of "
	  "the order, no cycles but a spread pair" },
	{ "V7", BRM_AT_BLOCK, check_step, "block prices in steps of 0.01" },
	{ "V8", BRM_AT_BLOCK, check_price_limits, "block prices within the auction's min and max" },
	{ "R3", BRM_AT_BLOCK, check_band, "block prices within band_min..band_max" },
	{ "V10", BRM_AT_PERIOD, check_contract,
	  "a period's contract is in the auction and lasts the portfolio's resolution" },
	{ "V6", BRM_AT_PERIOD, check_period_once, "a contract once per block" },
	{ "V7", BRM_AT_PERIOD, check_step, "block volumes in steps of 0.1 MW" },
	{ "V9", BRM_AT_PERIOD, check_volume_limits, "block volumes within the area's limits" },
	{ NULL, 0, NULL, NULL },
};

static void run_scope(struct brm_vctx *c, enum brm_scope scope)
{
	for (const struct brm_rule *r = brm_rules; r->id; r++)
		if (r->scope == scope) {
			c->rule = r;
			r->check(c);
		}
}

/* The portfolio object (by name, else by id) in the auction, or null. */
static jv find_portfolio(jv auction, const char *want)
{
	jv pfs = brm_field(auction, "portfolios"), found = brm_find(pfs, "name", want);

	if (jv_get_kind(found) == JV_KIND_NULL)
		found = brm_find(pfs, "id", want);
	jv_free(pfs);
	return found;
}

static int replace_str(char **dst, const char *src, struct wp_err *err)
{
	char *v = strdup(src);

	if (!v)
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	free(*dst);
	*dst = v;
	return 0;
}

int brm_order_resolve(struct brm_order *o, jv auction, struct wp_err *err)
{
	jv pf = find_portfolio(auction, o->portfolio);
	const char *name = brm_str(pf, "name");
	int rc = 0;

	if (name && strcmp(name, o->portfolio))
		rc = replace_str(&o->portfolio, name, err);
	jv areas = brm_field(pf, "areas");
	if (rc == 0 && !o->area && jv_get_kind(areas) == JV_KIND_ARRAY &&
	    jv_array_length(jv_copy(areas)) == 1) {
		jv first = jv_array_get(jv_copy(areas), 0);
		const char *code = brm_str(first, "code");
		if (code)
			rc = replace_str(&o->area, code, err);
		jv_free(first);
	}
	jv_free(areas);
	jv_free(pf);
	return rc;
}

/* The portfolio, its area, price and volume limits, and the contracts of
 * the area. */
static int resolve_market(struct brm_vctx *c, struct wp_err *err)
{
	struct brm_order *o = c->o;
	jv a = c->m->auction;
	int rc;

	if ((rc = brm_order_resolve(o, a, err)))
		return rc;
	c->portfolio = find_portfolio(a, o->portfolio);
	jv areas = brm_field(c->portfolio, "areas");
	c->area = brm_find(areas, "code", o->area);
	jv_free(areas);
	/* Price limits of the portfolio's currency (the first, if it has none). */
	if (jv_get_kind(c->portfolio) == JV_KIND_OBJECT) {
		const char *code = brm_str(c->portfolio, "currency");
		jv curs = brm_array(a, "currencies");
		jv cur = code ? brm_find(curs, "currencyCode", code) : jv_array_get(jv_copy(curs), 0);
		c->min_price = brm_num(cur, "minPrice");
		c->max_price = brm_num(cur, "maxPrice");
		jv_free(cur);
		jv_free(curs);
	}
	if (jv_get_kind(c->area) == JV_KIND_OBJECT) {
		c->vol_min = brm_num(c->area, "curveMinVolumeLimit");
		c->vol_max = brm_num(c->area, "curveMaxVolumeLimit");
		double res = brm_num(c->area, "auctionTradingResolution");
		c->resolution = isnan(res) ? 0 : (long)res;
	}

	/* Contracts: A2 groups them by area, A1 lists them flat. */
	jv groups = brm_field(a, "contracts");
	int cap = 0;
	if (jv_get_kind(groups) == JV_KIND_ARRAY) {
		jv_array_foreach(groups, i, g) {
			jv list = brm_field(g, "contracts");
			const char *code = brm_str(g, "areaCode");
			if (jv_get_kind(list) != JV_KIND_ARRAY) {
				jv_free(list);
				list = JV_ARRAY(jv_copy(g)); /* a contract itself */
			} else if (o->area && code && strcmp(code, o->area)) {
				jv_free(list);
				list = jv_invalid(); /* another area's */
			}
			if (jv_is_valid(list)) {
				jv_array_foreach(list, j, k) {
					struct contract ct;
					ct.id = brm_str(k, "id");
					if (ct.id && !brm_time(k, "deliveryStart", &ct.start) &&
					    !brm_time(k, "deliveryEnd", &ct.end)) {
						struct contract *v = grow(c->ct, &cap, c->nct + 1, sizeof *v);
						if (!v) {
							jv_free(k);
							jv_free(list);
							jv_free(g);
							jv_free(groups);
							return wp_err_set(err, WP_EINTERNAL, "out of memory");
						}
						c->ct = v;
						c->ct[c->nct++] = ct;
					}
					jv_free(k);
				}
			}
			jv_free(list);
			jv_free(g);
		}
	}
	jv_free(groups);
	if (c->nct)
		qsort(c->ct, c->nct, sizeof *c->ct, cmp_contract);
	return 0;
}

int brm_order_validate(struct brm_order *o, const struct brm_market *m,
		       const struct brm_limits *lim, jv *problems, struct wp_err *err)
{
	struct brm_vctx c;
	int rc;

	*problems = jv_array();
	if (o->nrows == 0)
		return wp_err_set(err, WP_EDATA, "%s: no order rows", o->src);
	memset(&c, 0, sizeof c);
	c.o = o;
	c.m = m;
	c.lim = lim;
	c.problems = jv_array();
	c.min_price = c.max_price = c.vol_min = c.vol_max = NAN;
	if ((rc = resolve_market(&c, err)))
		goto out;
	run_scope(&c, BRM_AT_ORDER);
	for (int i = 0; i < o->ncurves; i++) {
		c.curve = &o->curves[i];
		run_scope(&c, BRM_AT_CURVE);
		for (c.ipt = 0; c.ipt < c.curve->n; c.ipt++)
			run_scope(&c, BRM_AT_POINT);
	}
	for (int i = 0; i < o->nblocks; i++) {
		c.block = &o->blocks[i];
		run_scope(&c, BRM_AT_BLOCK);
		for (c.iper = 0; c.iper < c.block->n; c.iper++)
			run_scope(&c, BRM_AT_PERIOD);
	}
	int n = jv_array_length(jv_copy(c.problems));
	if (n)
		rc = wp_err_set(err, WP_EDATA, "%d problem%s in the order; nothing sent", n,
				n > 1 ? "s" : "");
out:
	jv_free(*problems);
	*problems = c.problems;
	jv_free(c.portfolio);
	jv_free(c.area);
	free(c.ct);
	return rc;
}

/* ---- request bodies ------------------------------------------------------- */

static jv kv(jv o, const char *key, jv v)
{
	return jv_object_set(o, jv_string(key), v);
}

/* Values passed validation, so they sit on their 0.1/0.01 grid; snapping
 * removes binary noise such as 12.299999999999999 from the JSON. Dividing
 * the whole number of steps by steps_per_unit gives the double nearest the
 * decimal (3 / 10 is 0.3); multiplying by the step would not (3 * 0.1 is
 * 0.30000000000000004). */
static jv grid(double x, double steps_per_unit)
{
	return jv_number(nearbyint(x * steps_per_unit) / steps_per_unit);
}

static jv comment_with(const struct brm_order *o, const char *ref)
{
	char buf[COMMENT_MAX + 1];

	if (!ref)
		return o->comment ? jv_string(o->comment) : jv_null();
	snprintf(buf, sizeof buf, "%s%s%s", o->comment ? o->comment : "", o->comment ? " " : "",
		 ref);
	return jv_string(buf);
}

jv brm_order_json(const struct brm_order *o, const char *ref, int patch)
{
	jv body = jv_object(), items = jv_array();

	if (!patch) {
		body = kv(body, "auctionId", jv_string(o->auction));
		body = kv(body, "portfolio", jv_string(o->portfolio));
		body = kv(body, "areaCode", jv_string(o->area));
	}
	body = kv(body, "comment", comment_with(o, ref));
	for (int i = 0; i < o->ncurves; i++) {
		jv pts = jv_array();
		for (int j = 0; j < o->curves[i].n; j++)
			pts = jv_array_append(
				pts, kv(kv(jv_object(), "price", grid(o->curves[i].pts[j].price, 100)),
					"volume", grid(o->curves[i].pts[j].volume, 10)));
		items = jv_array_append(
			items, kv(kv(jv_object(), "contractId", jv_string(o->curves[i].contract)),
				  "curvePoints", pts));
	}
	for (int i = 0; i < o->nblocks; i++) {
		const struct brm_block *b = &o->blocks[i];
		jv per = jv_array();
		for (int j = 0; j < b->n; j++)
			per = jv_array_append(
				per, kv(kv(jv_object(), "contractId", jv_string(b->per[j].contract)),
					"volume", grid(b->per[j].volume, 10)));
		jv blk = kv(jv_object(), "name", jv_string(b->name));
		blk = kv(blk, "price", grid(b->price, 100));
		blk = kv(blk, "minimumAcceptanceRatio", jv_number(b->mar));
		blk = kv(blk, "linkedTo", b->linked_to ? jv_string(b->linked_to) : jv_null());
		blk = kv(blk, "exclusiveGroup", b->group ? jv_string(b->group) : jv_null());
		blk = kv(blk, "isSpreadBlock", jv_bool(b->spread));
		items = jv_array_append(items, kv(blk, "periods", per));
	}
	return kv(body, o->kind == BRM_CURVE ? "curves" : "blocks", items);
}

int brm_ref_new(char buf[40], struct wp_err *err)
{
	unsigned char r[16];

	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
		return wp_err_set(err, WP_EINTERNAL, "getrandom: %s", strerror(errno));
	strcpy(buf, "wp:");
	for (int i = 0; i < 16; i++)
		snprintf(buf + 3 + 2 * i, 3, "%02x", r[i]);
	return 0;
}
