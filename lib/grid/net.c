/* net.c: the DC network model of a case (lmp.md sections 2 and 3). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "grid/grid.h"

static int bad_at(struct wp_err *err, const struct grid_case *c, long line, const char *fmt,
		  ...) __attribute__((format(printf, 4, 5)));
static int bad_at(struct wp_err *err, const struct grid_case *c, long line, const char *fmt,
		  ...)
{
	va_list ap;

	va_start(ap, fmt);
	wp_err_vset(err, WP_EDATA, fmt, ap);
	va_end(ap);
	return wp_err_prefix(err, "%s:%ld", c->path, line);
}

static int cmp_by_id(const void *a, const void *b, void *ids)
{
	long x = ((long *)ids)[*(const int *)a], y = ((long *)ids)[*(const int *)b];

	return (x > y) - (x < y);
}

int grid_net_bus(const struct grid_net *n, long id)
{
	int lo = 0, hi = n->nb - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		long v = n->bus_id[n->sorted[mid]];

		if (v == id)
			return n->sorted[mid];
		if (v < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* Look up a bus number that may be isolated (type 4): *idx = -1 then. */
static int find_bus(const struct grid_case *c, const struct grid_net *n, const long *all_ids,
		    int nall, double v, int *idx)
{
	long id = (long)v;

	*idx = grid_net_bus(n, id);
	if (*idx >= 0)
		return 0;
	for (int i = 0; i < nall; i++)
		if (all_ids[i] == id)
			return 0;
	return -1;
}

static int uf_find(int *parent, int i)
{
	while (parent[i] != i)
		i = parent[i] = parent[parent[i]];
	return i;
}

/* Buses not connected to the reference bus: refuse, naming them. */
static int check_islands(struct grid_net *n, const struct grid_case *c, struct wp_err *err)
{
	int *parent = malloc((size_t)n->nb * sizeof *parent);
	int rootref, count = 0;
	char list[600] = "";
	size_t len = 0;

	if (!parent)
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	for (int i = 0; i < n->nb; i++)
		parent[i] = i;
	for (int l = 0; l < n->nl; l++) {
		int a = uf_find(parent, n->f[l]), b = uf_find(parent, n->t[l]);

		if (a != b)
			parent[a] = b;
	}
	rootref = uf_find(parent, n->ref);
	for (int i = 0; i < n->nb; i++) {
		if (uf_find(parent, i) == rootref)
			continue;
		if (count++ < 40 && len < sizeof list - 24)
			len += (size_t)snprintf(list + len, sizeof list - len, "%s%ld",
						count > 1 ? " " : "", n->bus_id[i]);
	}
	free(parent);
	if (count)
		return wp_err_set(err, WP_EDATA,
				  "%s: %d bus%s not connected to reference bus %ld (islands): %s%s",
				  c->path, count, count > 1 ? "es" : "", n->bus_id[n->ref], list,
				  count > 40 ? " ..." : "");
	return 0;
}

static int alloc_all(struct grid_net *n, int nb, int nrows)
{
	n->bus_id = calloc((size_t)nb, sizeof *n->bus_id);
	n->pd = calloc((size_t)nb, sizeof *n->pd);
	n->gs = calloc((size_t)nb, sizeof *n->gs);
	n->sorted = calloc((size_t)nb, sizeof *n->sorted);
	n->f = calloc((size_t)nrows, sizeof *n->f);
	n->t = calloc((size_t)nrows, sizeof *n->t);
	n->b = calloc((size_t)nrows, sizeof *n->b);
	n->phi = calloc((size_t)nrows, sizeof *n->phi);
	n->r = calloc((size_t)nrows, sizeof *n->r);
	n->row = calloc((size_t)nrows, sizeof *n->row);
	n->of_row = calloc((size_t)nrows, sizeof *n->of_row);
	return n->bus_id && n->pd && n->gs && n->sorted && n->f && n->t && n->b && n->phi &&
	       n->r && n->row && n->of_row;
}

static int build_buses(struct grid_net *n, const struct grid_case *c, long *all_ids,
		       struct wp_err *err)
{
	const struct grid_mat *bus = &c->bus;

	n->ref = -1;
	for (int r = 0; r < bus->nr; r++) {
		double id = GRID_AT(bus, r, BUS_I - 1), type = GRID_AT(bus, r, BUS_TYPE - 1);

		if (!(id >= 1 && id == floor(id) && id < 2e9))
			return bad_at(err, c, bus->line[r], "bus number %g is not a positive integer",
				      id);
		if (type != BUS_PQ && type != BUS_PV && type != BUS_REF && type != BUS_ISOLATED)
			return bad_at(err, c, bus->line[r], "bus %g: type %g is not 1, 2, 3 or 4",
				      id, type);
		all_ids[r] = (long)id;
		if (type == BUS_ISOLATED)
			continue;
		if (type == BUS_REF && n->ref < 0)
			n->ref = n->nb;
		n->bus_id[n->nb] = (long)id;
		n->pd[n->nb] = GRID_AT(bus, r, PD - 1);
		n->gs[n->nb] = GRID_AT(bus, r, GS - 1);
		n->sorted[n->nb] = n->nb;
		n->nb++;
	}
	qsort_r(n->sorted, (size_t)n->nb, sizeof *n->sorted, cmp_by_id, n->bus_id);
	for (int i = 1; i < n->nb; i++)
		if (n->bus_id[n->sorted[i]] == n->bus_id[n->sorted[i - 1]]) {
			int later = n->sorted[i] > n->sorted[i - 1] ? n->sorted[i] : n->sorted[i - 1];
			long id = n->bus_id[later];
			int r;

			for (r = bus->nr - 1; r > 0 && all_ids[r] != id; r--)
				;
			return bad_at(err, c, bus->line[r], "bus %ld appears twice", id);
		}
	if (n->ref < 0)
		return bad_at(err, c, bus->line0, "no reference bus (BUS_TYPE 3) in mpc.bus");
	return 0;
}

int grid_net_build(struct grid_net *n, const struct grid_case *c, struct wp_err *err)
{
	const struct grid_mat *br = &c->branch;
	long *all_ids = malloc((size_t)c->bus.nr * sizeof *all_ids);
	int rc;

	*n = (struct grid_net)GRID_NET_INIT;
	n->base_mva = c->base_mva;
	n->nrows = br->nr;
	if (!all_ids || !alloc_all(n, c->bus.nr, br->nr)) {
		free(all_ids);
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	if ((rc = build_buses(n, c, all_ids, err))) {
		free(all_ids);
		return rc;
	}
	for (int r = 0; r < br->nr; r++) {
		double fb = GRID_AT(br, r, F_BUS - 1), tb = GRID_AT(br, r, T_BUS - 1);
		double x = GRID_AT(br, r, BR_X - 1), tap = GRID_AT(br, r, TAP - 1);
		double status = GRID_AT(br, r, BR_STATUS - 1);
		int f, t, unknown_f;

		n->of_row[r] = -1;
		if ((unknown_f = find_bus(c, n, all_ids, c->bus.nr, fb, &f)) ||
		    find_bus(c, n, all_ids, c->bus.nr, tb, &t)) {
			rc = bad_at(err, c, br->line[r], "branch %d (%g-%g): unknown bus %g", r + 1,
				    fb, tb, unknown_f ? fb : tb);
			break;
		}
		/* out of service, or touching an isolated bus: no DC branch */
		if (status == 0 || f < 0 || t < 0)
			continue;
		if (f == t) {
			rc = bad_at(err, c, br->line[r], "branch %d connects bus %g to itself", r + 1,
				    fb);
			break;
		}
		if (tap == 0)
			tap = 1;
		if (x == 0 || !isfinite(x) || !isfinite(tap)) {
			rc = bad_at(err, c, br->line[r],
				    "branch %d (%g-%g) has %s reactance; the DC model needs x != 0 "
				    "(merge the buses or set a small x)",
				    r + 1, fb, tb, x == 0 ? "zero" : "non-finite");
			break;
		}
		n->f[n->nl] = f;
		n->t[n->nl] = t;
		n->b[n->nl] = 1 / (x * tap);
		n->phi[n->nl] = GRID_AT(br, r, SHIFT - 1) * M_PI / 180;
		n->r[n->nl] = GRID_AT(br, r, BR_R - 1);
		n->row[n->nl] = r + 1;
		n->of_row[r] = n->nl++;
	}
	free(all_ids);
	if (!rc)
		rc = check_islands(n, c, err);
	return rc;
}

int grid_net_branches_between(const struct grid_net *n, int a, int b, int *out, int max)
{
	int k = 0;

	for (int l = 0; l < n->nl; l++)
		if ((n->f[l] == a && n->t[l] == b) || (n->f[l] == b && n->t[l] == a)) {
			if (k < max)
				out[k] = l;
			k++;
		}
	return k;
}

void grid_net_shift_injections(const struct grid_net *n, double *pbusinj)
{
	memset(pbusinj, 0, (size_t)n->nb * sizeof *pbusinj);
	for (int l = 0; l < n->nl; l++) {
		double pfinj = -n->b[l] * n->phi[l];

		pbusinj[n->f[l]] += pfinj;
		pbusinj[n->t[l]] -= pfinj;
	}
}

void grid_net_release(struct grid_net *n)
{
	free(n->bus_id);
	free(n->pd);
	free(n->gs);
	free(n->sorted);
	free(n->f);
	free(n->t);
	free(n->b);
	free(n->phi);
	free(n->r);
	free(n->row);
	free(n->of_row);
	*n = (struct grid_net)GRID_NET_INIT;
}

int grid_net_branch_by_row(const struct grid_net *n, long row, int *l, struct wp_err *err)
{
	if (row < 1 || row > n->nrows)
		return wp_err_set(err, WP_EDATA, "no branch %ld (the case has %d)", row, n->nrows);
	if ((*l = n->of_row[row - 1]) < 0)
		return wp_err_set(err, WP_EDATA, "branch %ld is out of service", row);
	return 0;
}

int grid_net_branch_by_ends(const struct grid_net *n, long from, long to, int *l,
			    struct wp_err *err)
{
	int a = grid_net_bus(n, from), b = grid_net_bus(n, to), found[4];
	int k = a < 0 || b < 0 ? 0 : grid_net_branches_between(n, a, b, found, 4);

	if (k == 0)
		return wp_err_set(err, WP_EDATA, "no in-service branch between buses %ld and %ld",
				  from, to);
	if (k > 1)
		return wp_err_set(err, WP_EDATA, "%d parallel branches between buses %ld and %ld "
				  "(rows %d, %d%s): give the branch row", k, from, to,
				  n->row[found[0]], n->row[found[1]], k > 2 ? ", ..." : "");
	*l = found[0];
	return 0;
}

/* "ROW" or "FROM-TO", e.g. "18" or "12-15". */
static int branch_spec(const struct grid_net *n, const char *spec, int *l, struct wp_err *err)
{
	const char *s = spec;
	char *end;
	long a, b;

	errno = 0;
	a = strtol(s, &end, 10);
	if (end == s || errno)
		goto bad;
	if (*end == '\0')
		return grid_net_branch_by_row(n, a, l, err);
	if (*end != '-')
		goto bad;
	s = end + 1;
	b = strtol(s, &end, 10);
	if (end == s || errno || *end)
		goto bad;
	return grid_net_branch_by_ends(n, a, b, l, err);
bad:
	return wp_err_set(err, WP_EDATA, "'%s' is not a branch (ROW or FROM-TO)", spec);
}

/* Split a comma list and resolve each item; appends to *out. */
static int each_item(const struct grid_net *n, const char *list, int **out, int *k, int is_bus,
		     struct wp_err *err)
{
	char *copy = strdup(list), *save = NULL, *item;
	int rc = 0;

	if (!copy)
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	for (item = strtok_r(copy, ",", &save); item && !rc; item = strtok_r(NULL, ",", &save)) {
		int *grown = realloc(*out, ((size_t)*k + 1) * sizeof **out), idx = -1;

		if (!grown) {
			rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
			break;
		}
		*out = grown;
		if (is_bus) {
			char *end;
			long id;

			errno = 0;
			id = strtol(item, &end, 10);
			if (end == item || *end || errno)
				rc = wp_err_set(err, WP_EDATA, "'%s' is not a bus number", item);
			else if ((idx = grid_net_bus(n, id)) < 0)
				rc = wp_err_set(err, WP_EDATA, "no in-service bus %ld", id);
		} else {
			rc = branch_spec(n, item, &idx, err);
		}
		if (!rc)
			(*out)[(*k)++] = idx;
	}
	free(copy);
	return rc;
}

int grid_net_parse_branches(const struct grid_net *n, const char *list, int **out, int *k,
			    struct wp_err *err)
{
	return each_item(n, list, out, k, 0, err);
}

int grid_net_parse_buses(const struct grid_net *n, const char *list, int **out, int *k,
			 struct wp_err *err)
{
	return each_item(n, list, out, k, 1, err);
}
