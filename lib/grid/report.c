/* report.c: PTDF subsets as records or as a wide CSV matrix, computed by
 * rows or by columns, whichever needs fewer solves. */
#include <stdlib.h>
#include <string.h>

#include "grid/grid.h"

enum { CHUNK = 256 }; /* rows or columns computed per pass */

static int put_entry(struct wp_writer *w, const struct grid_net *n, int l, int bus, double v,
		     struct wp_err *err)
{
	jv rec = jv_object();

	rec = jv_object_set(rec, jv_string("branch"), jv_number(n->row[l]));
	rec = jv_object_set(rec, jv_string("from_bus"), jv_number((double)n->bus_id[n->f[l]]));
	rec = jv_object_set(rec, jv_string("to_bus"), jv_number((double)n->bus_id[n->t[l]]));
	rec = jv_object_set(rec, jv_string("bus"), jv_number((double)n->bus_id[bus]));
	rec = jv_object_set(rec, jv_string("ptdf"), jv_number(v + 0.0));
	return wp_writer_put(w, rec, err);
}

/* One branch's values for the chosen buses (vals[j] for bus[j]). */
static int put_row(const struct grid_ptdf_out *o, const struct grid_net *n, int l,
		   const double *vals, const int *bus, int nbus, struct wp_err *err)
{
	char buf[32];
	int rc;

	if (!o->wide) {
		for (int j = 0; j < nbus; j++) {
			double v = vals[j];

			if (o->digits) {
				snprintf(buf, sizeof buf, "%.*g", o->digits, v);
				v = strtod(buf, NULL);
			}
			if ((rc = put_entry(o->w, n, l, bus[j], v, err)))
				return rc;
		}
		return 0;
	}
	fprintf(o->wide, "%d,%ld,%ld", n->row[l], n->bus_id[n->f[l]], n->bus_id[n->t[l]]);
	for (int j = 0; j < nbus; j++) {
		if (o->digits)
			snprintf(buf, sizeof buf, "%.*g", o->digits, vals[j] + 0.0);
		else
			wp_fmt_double(vals[j] + 0.0, buf); /* + 0.0: no "-0" */
		putc(',', o->wide);
		fputs(buf, o->wide);
	}
	putc('\n', o->wide);
	return 0;
}

static int *all_indices(int k)
{
	int *v = malloc((size_t)(k > 0 ? k : 1) * sizeof *v);

	if (v)
		for (int i = 0; i < k; i++)
			v[i] = i;
	return v;
}

static int by_rows(struct grid_ptdf *p, const struct grid_ptdf_out *o, const int *br, int nbr,
		   const int *bus, int nbus, struct wp_err *err)
{
	const struct grid_net *n = p->net;
	double *h = malloc((size_t)CHUNK * n->nb * sizeof *h);
	double *vals = malloc((size_t)(nbus > 0 ? nbus : 1) * sizeof *vals);
	int rc = 0;

	if (!h || !vals)
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
	for (int i0 = 0; !rc && i0 < nbr; i0 += CHUNK) {
		int m = nbr - i0 < CHUNK ? nbr - i0 : CHUNK;

		if ((rc = grid_ptdf_rows(p, br + i0, m, h, err)))
			break;
		for (int i = 0; i < m && !rc; i++) {
			for (int j = 0; j < nbus; j++)
				vals[j] = h[(size_t)i * n->nb + bus[j]];
			rc = put_row(o, n, br[i0 + i], vals, bus, nbus, err);
		}
	}
	free(h);
	free(vals);
	return rc;
}

/* Few buses: their columns, kept as the nbr x nbus result, then written. */
static int by_cols(struct grid_ptdf *p, const struct grid_ptdf_out *o, const int *br, int nbr,
		   const int *bus, int nbus, struct wp_err *err)
{
	const struct grid_net *n = p->net;
	double *c = malloc((size_t)CHUNK * (n->nl > 0 ? n->nl : 1) * sizeof *c);
	double *res = malloc((size_t)nbr * nbus * sizeof *res);
	int rc = 0;

	if (!c || !res)
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
	for (int j0 = 0; !rc && j0 < nbus; j0 += CHUNK) {
		int m = nbus - j0 < CHUNK ? nbus - j0 : CHUNK;

		if ((rc = grid_ptdf_cols(p, bus + j0, m, c, err)))
			break;
		for (int j = 0; j < m; j++)
			for (int i = 0; i < nbr; i++)
				res[(size_t)i * nbus + j0 + j] = c[(size_t)j * n->nl + br[i]];
	}
	for (int i = 0; i < nbr && !rc; i++)
		rc = put_row(o, n, br[i], res + (size_t)i * nbus, bus, nbus, err);
	free(c);
	free(res);
	return rc;
}

int grid_ptdf_write(struct grid_ptdf *p, const struct grid_ptdf_out *o, struct wp_err *err)
{
	const struct grid_net *n = p->net;
	int *allbr = o->br ? NULL : all_indices(n->nl), *allbus = o->bus ? NULL : all_indices(n->nb);
	const int *br = o->br ? o->br : allbr, *bus = o->bus ? o->bus : allbus;
	int nbr = o->br ? o->nbr : n->nl, nbus = o->bus ? o->nbus : n->nb;
	int rc;

	if (!allbr && !o->br)
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	if (!allbus && !o->bus) {
		free(allbr);
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	if (o->wide) {
		fputs("branch,from_bus,to_bus", o->wide);
		for (int j = 0; j < nbus; j++)
			fprintf(o->wide, ",%ld", n->bus_id[bus[j]]);
		putc('\n', o->wide);
	}
	/* one solve per row or per column: take the smaller count */
	if (o->bus && nbus < nbr)
		rc = by_cols(p, o, br, nbr, bus, nbus, err);
	else
		rc = by_rows(p, o, br, nbr, bus, nbus, err);
	if (!rc && o->wide && (fflush(o->wide) || ferror(o->wide)))
		rc = wp_err_set(err, WP_ECANTCREAT, "write error");
	free(allbr);
	free(allbus);
	return rc;
}
