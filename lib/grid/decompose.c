/* decompose.c: lmp-decompose's three jobs on records: model mode (case +
 * shadow prices -> nodal LMP components), market mode (published
 * components -> shares, hub basis, congestion rank per interval) and the
 * shadow-price estimate (published congestion + case -> mu by least
 * squares). Formulas: lmp.md sections 5 and 6. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "grid/grid.h"

const char *const grid_cols_model[] = { "bus", "lmp", "energy", "congestion", "loss",
					"top_branch", "top_contribution", NULL };
const char *const grid_cols_constraint[] = { "bus", "branch", "from_bus", "to_bus", "mu",
					     "ptdf", "contribution", NULL };
const char *const grid_cols_market[] = {
	"interval_start_utc", "interval_end_utc", "iso", "market", "run", "location",
	"location_id", "lmp", "energy", "congestion", "loss", "energy_share",
	"congestion_share", "loss_share", "congestion_rank", NULL
};
const char *const grid_cols_market_hub[] = {
	"interval_start_utc", "interval_end_utc", "iso", "market", "run", "location",
	"location_id", "lmp", "energy", "congestion", "loss", "energy_share",
	"congestion_share", "loss_share", "congestion_rank", "hub", "hub_lmp", "basis",
	"basis_energy", "basis_congestion", "basis_loss", NULL
};
const char *const grid_cols_estimate[] = {
	"interval_start_utc", "interval_end_utc", "iso", "market", "run", "branch", "from_bus",
	"to_bus", "mu", "offset", "residual_rms", "nodes", NULL
};

static int data_err(struct wp_err *err, const char *src, long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int data_err(struct wp_err *err, const char *src, long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wp_err_vset(err, WP_EDATA, fmt, ap);
	va_end(ap);
	return wp_err_prefix(err, "%s:%ld", src, line);
}

/* A number field, with an alternative name; *x = NaN when both are absent. */
static int field(jv rec, const char *a, const char *b, double *x)
{
	int rc = wp_rec_num(jv_copy(rec), a, x);

	if (rc == WP_ENULL && b)
		rc = wp_rec_num(jv_copy(rec), b, x);
	jv_free(rec);
	return rc == WP_ENULL ? 0 : rc;
}

/* ---- model mode --------------------------------------------------------- */

static int one_binding(const struct grid_net *n, jv rec, const char *src, long line,
		       struct grid_binding *b, int *skip, struct wp_err *err)
{
	double row, from, to, mu, sf, st;
	int rc;

	*skip = 0;
	if (field(jv_copy(rec), "branch", NULL, &row) || field(jv_copy(rec), "from", "from_bus", &from) ||
	    field(jv_copy(rec), "to", "to_bus", &to) || field(jv_copy(rec), "mu", NULL, &mu) ||
	    field(jv_copy(rec), "mu_sf", NULL, &sf) || field(jv_copy(rec), "mu_st", NULL, &st)) {
		jv_free(rec);
		return data_err(err, src, line, "branch, from, to and mu fields must be numbers");
	}
	jv_free(rec);
	if (isnan(mu)) {
		if (isnan(sf) && isnan(st))
			return data_err(err, src, line, "no shadow price: give mu, or mu_sf and mu_st");
		mu = (isnan(sf) ? 0 : sf) - (isnan(st) ? 0 : st);
	}
	if (!isfinite(mu))
		return data_err(err, src, line, "shadow price is not finite");
	b->mu = mu;
	if (!isnan(row)) {
		if (row != floor(row) || row < 1 || row > n->nrows)
			return data_err(err, src, line, "no branch %g (the case has %d)", row, n->nrows);
		if (mu == 0 && n->of_row[(long)row - 1] < 0)
			return *skip = 1, 0; /* out of service and not binding */
		rc = grid_net_branch_by_row(n, (long)row, &b->br, err);
	} else if (!isnan(from) && !isnan(to)) {
		if (fabs(from) > 1e15 || fabs(to) > 1e15 || from != floor(from) || to != floor(to))
			return data_err(err, src, line, "from and to must be bus numbers");
		/* not binding: parallel or out-of-service branches need no choice */
		if (mu == 0 && grid_net_bus(n, (long)from) >= 0 && grid_net_bus(n, (long)to) >= 0)
			return *skip = 1, 0;
		rc = grid_net_branch_by_ends(n, (long)from, (long)to, &b->br, err);
	} else {
		return data_err(err, src, line, "no branch: give branch (case row), or from and to");
	}
	if (rc)
		return wp_err_prefix(err, "%s:%ld", src, line);
	*skip = mu == 0;
	return 0;
}

int grid_read_bindings(const struct grid_net *n, struct wp_reader *r, const char *src,
		       grid_bad_fn bad, void *ctx, struct grid_binding **out, int *k,
		       struct wp_err *err)
{
	long *seen_line = NULL;
	int rc;

	*out = NULL;
	*k = 0;
	for (;;) {
		struct grid_binding b;
		jv rec;
		int skip = 0;

		rc = wp_reader_next(r, &rec, err);
		if (!rc && !jv_is_valid(rec)) {
			jv_free(rec);
			break;
		}
		if (!rc)
			rc = one_binding(n, rec, src, wp_reader_line(r), &b, &skip, err);
		for (int i = 0; !rc && !skip && i < *k; i++)
			if ((*out)[i].br == b.br)
				rc = data_err(err, src, wp_reader_line(r),
					      "branch %d has a shadow price already (line %ld)",
					      n->row[b.br], seen_line[i]);
		if (rc) {
			if ((rc = bad(ctx, rc, err)))
				break;
			continue;
		}
		if (skip)
			continue;
		{
			struct grid_binding *nb = realloc(*out, ((size_t)*k + 1) * sizeof *nb);
			long *nl = realloc(seen_line, ((size_t)*k + 1) * sizeof *nl);

			if (nb)
				*out = nb;
			if (nl)
				seen_line = nl;
			if (!nb || !nl) {
				rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
				break;
			}
		}
		seen_line[*k] = wp_reader_line(r);
		(*out)[(*k)++] = b;
	}
	free(seen_line);
	return rc;
}

int grid_read_loss_factors(const struct grid_net *n, struct wp_reader *r, const char *src,
			   double *lf, struct wp_err *err)
{
	int rc;

	/* NaN until given, so a second factor for a bus is caught. */
	for (int i = 0; i < n->nb; i++)
		lf[i] = NAN;
	for (;;) {
		double bus, x;
		jv rec;
		int i;

		if ((rc = wp_reader_next(r, &rec, err)))
			return rc;
		if (!jv_is_valid(rec)) {
			jv_free(rec);
			break;
		}
		rc = field(jv_copy(rec), "bus", NULL, &bus);
		if (field(rec, "lf", NULL, &x) || rc || isnan(bus) || !isfinite(x))
			return data_err(err, src, wp_reader_line(r),
					"a loss-factor record needs bus and lf numbers");
		if (fabs(bus) > 1e15 || bus != floor(bus) || (i = grid_net_bus(n, (long)bus)) < 0)
			return data_err(err, src, wp_reader_line(r), "no in-service bus %g in the case",
					bus);
		if (!isnan(lf[i]))
			return data_err(err, src, wp_reader_line(r),
					"bus %g has a loss factor already", bus);
		lf[i] = x;
	}
	for (int i = 0; i < n->nb; i++)
		if (isnan(lf[i]))
			lf[i] = 0;
	return 0;
}

int grid_decompose_model(struct grid_ptdf *p, double lambda, const double *lf,
			 const struct grid_binding *c, int k, int by_constraint,
			 struct wp_writer *w, struct wp_err *err)
{
	const struct grid_net *n = p->net;
	double *cong = malloc((size_t)n->nb * sizeof *cong);
	double *contrib = malloc((size_t)(k > 0 ? k : 1) * n->nb * sizeof *contrib);
	int rc;

	if (!cong || !contrib) {
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
		goto out;
	}
	if ((rc = grid_lmp_congestion(p, c, k, cong, contrib, err)))
		goto out;
	for (int i = 0; i < n->nb && !rc; i++) {
		double id = (double)n->bus_id[i];
		int top = -1;

		for (int l = 0; l < k; l++) {
			double v = contrib[(size_t)l * n->nb + i];

			if (by_constraint) {
				jv rec = jv_object();

				rec = jv_object_set(rec, jv_string("bus"), jv_number(id));
				rec = jv_object_set(rec, jv_string("branch"), jv_number(n->row[c[l].br]));
				rec = jv_object_set(rec, jv_string("from_bus"),
						    jv_number((double)n->bus_id[n->f[c[l].br]]));
				rec = jv_object_set(rec, jv_string("to_bus"),
						    jv_number((double)n->bus_id[n->t[c[l].br]]));
				rec = jv_object_set(rec, jv_string("mu"), jv_number(c[l].mu));
				rec = jv_object_set(rec, jv_string("ptdf"),
						    jv_number(c[l].mu ? -v / c[l].mu + 0.0 : 0));
				rec = jv_object_set(rec, jv_string("contribution"), jv_number(v + 0.0));
				if ((rc = wp_writer_put(w, rec, err)))
					break;
			}
			/* rounding noise (1e-15) is no driver */
			if (fabs(v) > 1e-9 && (top < 0 || fabs(v) > fabs(contrib[(size_t)top * n->nb + i])))
				top = l;
		}
		if (by_constraint || rc)
			continue;
		double loss = lf ? -lambda * lf[i] + 0.0 : 0;
		jv rec = jv_object();
		rec = jv_object_set(rec, jv_string("bus"), jv_number(id));
		rec = jv_object_set(rec, jv_string("lmp"), jv_number(lambda + loss + cong[i] + 0.0));
		rec = jv_object_set(rec, jv_string("energy"), jv_number(lambda));
		rec = jv_object_set(rec, jv_string("congestion"), jv_number(cong[i] + 0.0));
		rec = jv_object_set(rec, jv_string("loss"), jv_number(loss));
		rec = jv_object_set(rec, jv_string("top_branch"),
				    top < 0 ? jv_null() : jv_number(n->row[c[top].br]));
		rec = jv_object_set(rec, jv_string("top_contribution"),
				    top < 0 ? jv_null()
					    : jv_number(contrib[(size_t)top * n->nb + i] + 0.0));
		rc = wp_writer_put(w, rec, err);
	}
out:
	free(cong);
	free(contrib);
	return rc;
}

/* ---- node map ------------------------------------------------------------ */

static int cmp_loc(const void *a, const void *b)
{
	return strcmp(((const struct grid_map_entry *)a)->loc, ((const struct grid_map_entry *)b)->loc);
}

int grid_map_read(struct grid_map *m, const struct grid_net *n, struct wp_reader *r,
		  const char *src, struct wp_err *err)
{
	int rc;

	*m = (struct grid_map)GRID_MAP_INIT;
	for (;;) {
		jv rec;
		double bus;
		char *loc;
		int idx;

		if ((rc = wp_reader_next(r, &rec, err)))
			return rc;
		if (!jv_is_valid(rec)) {
			jv_free(rec);
			break;
		}
		loc = wp_rec_str(jv_copy(rec), "location");
		if (field(rec, "bus", NULL, &bus) || !loc || isnan(bus)) {
			free(loc);
			return data_err(err, src, wp_reader_line(r), "a map record needs location and bus");
		}
		if (fabs(bus) > 1e15 || bus != floor(bus) ||
		    (idx = grid_net_bus(n, (long)bus)) < 0) {
			free(loc);
			return data_err(err, src, wp_reader_line(r), "no in-service bus %g in the case",
					bus);
		}
		struct grid_map_entry *ne = realloc(m->e, ((size_t)m->n + 1) * sizeof *ne);
		if (!ne) {
			free(loc);
			return wp_err_set(err, WP_EINTERNAL, "out of memory");
		}
		m->e = ne;
		m->e[m->n++] = (struct grid_map_entry){ loc, idx };
	}
	qsort(m->e, (size_t)m->n, sizeof *m->e, cmp_loc);
	return 0;
}

int grid_map_find(const struct grid_map *m, const char *loc)
{
	struct grid_map_entry key = { (char *)loc, 0 }, *e;

	if (!loc || !m->n)
		return -1;
	e = bsearch(&key, m->e, (size_t)m->n, sizeof *m->e, cmp_loc);
	return e ? e->bus : -1;
}

void grid_map_release(struct grid_map *m)
{
	for (int i = 0; i < m->n; i++)
		free(m->e[i].loc);
	free(m->e);
	*m = (struct grid_map)GRID_MAP_INIT;
}

/* ---- market mode ---------------------------------------------------------- */

struct node {
	jv rec;
	char *loc, *loc_id;
	double lmp, energy, cong, loss;
	long line;
};

struct group {
	char *key;
	struct node *v;
	int n, cap;
};

static const char *const key_fields[] = { "iso", "market", "run", "interval_start_utc", NULL };

/* The interval's identity, "" when fields are missing. */
static char *group_key(jv rec)
{
	size_t len = 0;
	char *key = calloc(1, 1);

	for (int i = 0; key && key_fields[i]; i++) {
		char *v = wp_rec_str(jv_copy(rec), key_fields[i]);
		char *nk = realloc(key, len + (v ? strlen(v) : 0) + 2);

		if (nk) {
			len += (size_t)sprintf(nk + len, "%s|", v ? v : "");
			key = nk;
		} else {
			free(key);
			key = NULL;
		}
		free(v);
	}
	jv_free(rec);
	return key;
}

static int read_node(jv rec, const char *src, long line, struct node *nd, struct wp_err *err)
{
	double ghg;

	nd->rec = rec;
	nd->line = line;
	nd->loc = wp_rec_str(jv_copy(rec), "location");
	nd->loc_id = wp_rec_str(jv_copy(rec), "location_id");
	if (field(jv_copy(rec), "lmp", NULL, &nd->lmp) || field(jv_copy(rec), "energy", NULL, &nd->energy) ||
	    field(jv_copy(rec), "congestion", NULL, &nd->cong) ||
	    field(jv_copy(rec), "loss", NULL, &nd->loss) || field(jv_copy(rec), "ghg", NULL, &ghg))
		return data_err(err, src, line, "lmp and its components must be numbers");
	if (!nd->loc)
		return data_err(err, src, line, "no location");
	if (isnan(nd->lmp))
		return data_err(err, src, line, "no lmp for %s", nd->loc);
	/* price schema: a missing energy component is derived from the others */
	if (isnan(nd->energy) && !isnan(nd->cong) && !isnan(nd->loss))
		nd->energy = nd->lmp - nd->cong - nd->loss - (isnan(ghg) ? 0 : ghg);
	return 0;
}

static void node_free(struct node *nd)
{
	jv_free(nd->rec);
	free(nd->loc);
	free(nd->loc_id);
}

static double share(double part, double lmp)
{
	return isnan(part) || lmp == 0 ? NAN : part / lmp;
}

/* out[key] = rec[key], null when rec has no such field. */
static jv copy_field(jv out, jv rec, const char *key)
{
	jv v = jv_object_get(rec, jv_string(key));

	return jv_object_set(out, jv_string(key), jv_is_valid(v) ? v : (jv_free(v), jv_null()));
}

/* Descending congestion; nodes without one last. */
static int cmp_cong(const void *a, const void *b, void *arg)
{
	const struct node *v = arg;
	double x = v[*(const int *)a].cong, y = v[*(const int *)b].cong;

	if (isnan(x) || isnan(y))
		return isnan(x) - isnan(y);
	return (x < y) - (x > y);
}

static int flush_market(struct group *g, const struct grid_market *o, struct wp_writer *w,
			struct wp_err *err)
{
	int *order = malloc((size_t)(g->n > 0 ? g->n : 1) * sizeof *order);
	int *rank = malloc((size_t)(g->n > 0 ? g->n : 1) * sizeof *rank);
	const struct node *hub = NULL;
	int rc = 0;

	if (!order || !rank) {
		free(order);
		free(rank);
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	for (int i = 0; i < g->n; i++) {
		order[i] = i;
		if (o->hub && !hub && (!strcmp(g->v[i].loc, o->hub) ||
				       (g->v[i].loc_id && !strcmp(g->v[i].loc_id, o->hub))))
			hub = &g->v[i];
	}
	qsort_r(order, (size_t)g->n, sizeof *order, cmp_cong, g->v);
	for (int i = 0; i < g->n; i++) {
		const struct node *nd = &g->v[order[i]];

		if (isnan(nd->cong))
			rank[order[i]] = 0;
		else if (i > 0 && nd->cong == g->v[order[i - 1]].cong)
			rank[order[i]] = rank[order[i - 1]]; /* ties share a rank */
		else
			rank[order[i]] = i + 1;
	}
	for (int i = 0; i < g->n && !rc; i++) {
		const struct node *nd = &g->v[i];
		jv out = jv_object();

		for (int f = 0; f < 7; f++)
			out = copy_field(out, jv_copy(nd->rec), grid_cols_market[f]);
		out = jv_object_set(out, jv_string("lmp"), jv_number(nd->lmp));
		out = jv_object_set(out, jv_string("energy"), wp_num_or_null(nd->energy));
		out = jv_object_set(out, jv_string("congestion"), wp_num_or_null(nd->cong));
		out = jv_object_set(out, jv_string("loss"), wp_num_or_null(nd->loss));
		out = jv_object_set(out, jv_string("energy_share"), wp_num_or_null(share(nd->energy, nd->lmp)));
		out = jv_object_set(out, jv_string("congestion_share"),
				    wp_num_or_null(share(nd->cong, nd->lmp)));
		out = jv_object_set(out, jv_string("loss_share"), wp_num_or_null(share(nd->loss, nd->lmp)));
		out = jv_object_set(out, jv_string("congestion_rank"),
				    rank[i] ? jv_number(rank[i]) : jv_null());
		if (o->hub) {
			out = jv_object_set(out, jv_string("hub"), jv_string(o->hub));
			out = jv_object_set(out, jv_string("hub_lmp"), hub ? jv_number(hub->lmp) : jv_null());
			out = jv_object_set(out, jv_string("basis"),
					    wp_num_or_null(hub ? nd->lmp - hub->lmp : NAN));
			out = jv_object_set(out, jv_string("basis_energy"),
					    wp_num_or_null(hub ? nd->energy - hub->energy : NAN));
			out = jv_object_set(out, jv_string("basis_congestion"),
					    wp_num_or_null(hub ? nd->cong - hub->cong : NAN));
			out = jv_object_set(out, jv_string("basis_loss"),
					    wp_num_or_null(hub ? nd->loss - hub->loss : NAN));
		}
		rc = wp_writer_put(w, out, err);
	}
	free(order);
	free(rank);
	return rc;
}

static int flush_estimate(struct group *g, const struct grid_market *o, struct wp_writer *w,
			  struct wp_err *err)
{
	const struct grid_net *n = o->p->net;
	int *bus = malloc((size_t)(g->n > 0 ? g->n : 1) * sizeof *bus), m = 0, rc;
	double *cong = malloc((size_t)(g->n > 0 ? g->n : 1) * sizeof *cong);
	double *mu = malloc((size_t)o->k * sizeof *mu), c0, rms;

	if (!bus || !cong || !mu) {
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
		goto out;
	}
	for (int i = 0; i < g->n; i++) {
		int b = grid_map_find(o->map, g->v[i].loc);

		if (b < 0)
			b = grid_map_find(o->map, g->v[i].loc_id);
		if (b >= 0 && !isnan(g->v[i].cong))
			bus[m] = b, cong[m++] = g->v[i].cong;
	}
	if ((rc = grid_mu_estimate(o->h, n->nb, bus, cong, m, o->k, mu, &c0, &rms, err))) {
		char *when = wp_rec_str(jv_copy(g->v[0].rec), "interval_start_utc");

		wp_err_prefix(err, "%s:%ld: interval %s", o->src, g->v[0].line, when ? when : "?");
		free(when);
		goto out;
	}
	for (int l = 0; l < o->k && !rc; l++) {
		int br = o->br[l];
		jv out = jv_object();

		for (int f = 0; f < 5; f++)
			out = copy_field(out, jv_copy(g->v[0].rec), grid_cols_estimate[f]);
		out = jv_object_set(out, jv_string("branch"), jv_number(n->row[br]));
		out = jv_object_set(out, jv_string("from_bus"), jv_number((double)n->bus_id[n->f[br]]));
		out = jv_object_set(out, jv_string("to_bus"), jv_number((double)n->bus_id[n->t[br]]));
		out = jv_object_set(out, jv_string("mu"), jv_number(mu[l] + 0.0));
		out = jv_object_set(out, jv_string("offset"), jv_number(c0 + 0.0));
		out = jv_object_set(out, jv_string("residual_rms"), jv_number(rms));
		out = jv_object_set(out, jv_string("nodes"), jv_number(m));
		rc = wp_writer_put(w, out, err);
	}
out:
	free(bus);
	free(cong);
	free(mu);
	return rc;
}

static int flush(struct group *g, const struct grid_market *o, struct wp_writer *w,
		 struct wp_err *err)
{
	int rc = 0;

	if (g->n)
		rc = o->p ? flush_estimate(g, o, w, err) : flush_market(g, o, w, err);
	for (int i = 0; i < g->n; i++)
		node_free(&g->v[i]);
	g->n = 0;
	free(g->key);
	g->key = NULL;
	return rc;
}

int grid_market_run(const struct grid_market *o, struct wp_reader *r, struct wp_writer *w,
		    struct wp_err *err)
{
	struct group g = { 0 };
	int rc = 0;

	for (;;) {
		struct node nd = { 0 };
		jv rec;
		char *key;

		if ((rc = wp_reader_next(r, &rec, err))) {
			if ((rc = o->bad(o->ctx, rc, err)))
				break;
			continue;
		}
		if (!jv_is_valid(rec)) {
			jv_free(rec);
			rc = flush(&g, o, w, err);
			break;
		}
		if ((rc = read_node(rec, o->src, wp_reader_line(r), &nd, err))) {
			node_free(&nd);
			if ((rc = o->bad(o->ctx, rc, err)))
				break;
			continue;
		}
		if (!(key = group_key(jv_copy(nd.rec)))) {
			node_free(&nd);
			rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
			break;
		}
		if (g.key && strcmp(key, g.key) && (rc = flush(&g, o, w, err))) {
			free(key);
			node_free(&nd);
			break;
		}
		if (g.key)
			free(key);
		else
			g.key = key;
		if (g.n == g.cap) {
			struct node *nv = realloc(g.v, (size_t)(g.cap = g.cap ? 2 * g.cap : 256) * sizeof *nv);

			if (!nv) {
				node_free(&nd);
				rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
				break;
			}
			g.v = nv;
		}
		g.v[g.n++] = nd;
	}
	for (int i = 0; i < g.n; i++)
		node_free(&g.v[i]);
	free(g.v);
	free(g.key);
	return rc;
}
