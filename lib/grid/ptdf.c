/* ptdf.c: PTDF rows and columns from one sparse LU factor (KLU) of the
 * reduced B matrix (lmp.md section 4). Nothing dense of size nb x nb or
 * nl x nb is ever formed: each row or column is one solve, done in blocks
 * of right-hand sides. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <klu.h>
#include <umfpack.h>

#include "grid/grid.h"

enum { BLOCK = 32 }; /* right-hand sides per solve call */

static int oom(struct wp_err *err)
{
	return wp_err_set(err, WP_EINTERNAL, "out of memory");
}

/* Bbus without the reference row and column, in compressed columns. */
static int assemble(struct grid_ptdf *p, struct wp_err *err)
{
	const struct grid_net *net = p->net;
	size_t cap = 4 * (size_t)net->nl + 1;
	int *ti = malloc(cap * sizeof *ti), *tj = malloc(cap * sizeof *tj);
	double *tx = malloc(cap * sizeof *tx);
	int nz = 0, rc = 0;

	p->ap = malloc(((size_t)p->n + 1) * sizeof *p->ap);
	p->ai = malloc(cap * sizeof *p->ai);
	p->ax = malloc(cap * sizeof *p->ax);
	if (!ti || !tj || !tx || !p->ap || !p->ai || !p->ax) {
		rc = oom(err);
		goto out;
	}
	for (int l = 0; l < net->nl; l++) {
		int f = p->red[net->f[l]], t = p->red[net->t[l]];
		double b = net->b[l];

		if (f >= 0)
			ti[nz] = f, tj[nz] = f, tx[nz++] = b;
		if (t >= 0)
			ti[nz] = t, tj[nz] = t, tx[nz++] = b;
		if (f >= 0 && t >= 0) {
			ti[nz] = f, tj[nz] = t, tx[nz++] = -b;
			ti[nz] = t, tj[nz] = f, tx[nz++] = -b;
		}
	}
	if (umfpack_di_triplet_to_col(p->n, p->n, nz, ti, tj, tx, p->ap, p->ai, p->ax, NULL) !=
	    UMFPACK_OK)
		rc = wp_err_set(err, WP_EINTERNAL, "cannot assemble the B matrix");
out:
	free(ti);
	free(tj);
	free(tx);
	return rc;
}

static int factor(struct grid_ptdf *p, struct wp_err *err)
{
	klu_common *c = malloc(sizeof *c);

	if (!c)
		return oom(err);
	p->common = c;
	klu_defaults(c);
	p->sym = klu_analyze(p->n, p->ap, p->ai, c);
	if (p->sym)
		p->num = klu_factor(p->ap, p->ai, p->ax, p->sym, c);
	if (c->status == KLU_OUT_OF_MEMORY)
		return oom(err);
	if (!p->sym || !p->num || c->status == KLU_SINGULAR)
		return wp_err_set(err, WP_EDATA,
				  "the reduced B matrix is singular (negative reactances "
				  "cancelling out, or a bus held only by such branches)");
	return 0;
}

int grid_ptdf_init(struct grid_ptdf *p, const struct grid_net *net, const double *weights,
		   struct wp_err *err)
{
	int k = 0;

	*p = (struct grid_ptdf)GRID_PTDF_INIT;
	p->net = net;
	p->n = net->nb - 1;
	p->red = malloc((size_t)net->nb * sizeof *p->red);
	if (!p->red)
		return oom(err);
	for (int i = 0; i < net->nb; i++)
		p->red[i] = i == net->ref ? -1 : k++;
	if (weights) {
		double max = 0, sum = 0;

		for (int i = 0; i < net->nb; i++) {
			if (!(weights[i] >= 0) || !isfinite(weights[i]))
				return wp_err_set(err, WP_EUSAGE, "slack weight of bus %ld is %g; "
						  "weights must be finite and >= 0",
						  net->bus_id[i], weights[i]);
			max = fmax(max, weights[i]);
		}
		if (!(max > 0))
			return wp_err_set(err, WP_EUSAGE, "slack weights are all zero");
		if (!(p->w = malloc((size_t)net->nb * sizeof *p->w)))
			return oom(err);
		/* Scaled by the largest first, so the sum cannot overflow to
		 * infinity (which would make every weight 0). */
		for (int i = 0; i < net->nb; i++)
			sum += (p->w[i] = weights[i] / max);
		for (int i = 0; i < net->nb; i++)
			p->w[i] /= sum;
	}
	if (p->n == 0)
		return 0;
	int rc = assemble(p, err);

	return rc ? rc : factor(p, err);
}

static int solve(struct grid_ptdf *p, int transpose, int nrhs, double *x, struct wp_err *err)
{
	klu_common *c = p->common;
	int okay;

	if (p->n == 0)
		return 0;
	okay = transpose ? klu_tsolve(p->sym, p->num, p->n, nrhs, x, c)
			 : klu_solve(p->sym, p->num, p->n, nrhs, x, c);
	if (!okay)
		return wp_err_set(err, WP_EINTERNAL, "sparse solve failed (KLU status %d)",
				  c->status);
	return 0;
}

/* Shift a row (nb values) to the distributed slack: subtract row . w. */
static void to_weights(const double *w, int nb, double *row)
{
	double s = 0;

	for (int j = 0; j < nb; j++)
		s += row[j] * w[j];
	for (int j = 0; j < nb; j++)
		row[j] -= s;
}

int grid_ptdf_rows(struct grid_ptdf *p, const int *br, int k, double *out, struct wp_err *err)
{
	const struct grid_net *net = p->net;
	size_t n = (size_t)(p->n > 0 ? p->n : 1);
	double *x = malloc(n * BLOCK * sizeof *x);

	if (!x)
		return oom(err);
	for (int i0 = 0; i0 < k; i0 += BLOCK) {
		int m = k - i0 < BLOCK ? k - i0 : BLOCK;

		memset(x, 0, n * (size_t)m * sizeof *x);
		for (int j = 0; j < m; j++) {
			int l = br[i0 + j], f = p->red[net->f[l]], t = p->red[net->t[l]];

			if (f >= 0)
				x[(size_t)j * n + f] += net->b[l];
			if (t >= 0)
				x[(size_t)j * n + t] -= net->b[l];
		}
		if (solve(p, 1, m, x, err)) {
			free(x);
			return err->code;
		}
		for (int j = 0; j < m; j++) {
			double *row = out + (size_t)(i0 + j) * net->nb;

			for (int bus = 0; bus < net->nb; bus++)
				row[bus] = p->red[bus] < 0 ? 0 : x[(size_t)j * n + p->red[bus]];
			if (p->w)
				to_weights(p->w, net->nb, row);
		}
	}
	free(x);
	return 0;
}

/* Branch flows per unit from reduced angles x (theta_ref = 0). */
static void flows_of(const struct grid_ptdf *p, const double *x, double *flow)
{
	const struct grid_net *net = p->net;

	for (int l = 0; l < net->nl; l++) {
		int f = p->red[net->f[l]], t = p->red[net->t[l]];

		flow[l] = net->b[l] * ((f < 0 ? 0 : x[f]) - (t < 0 ? 0 : x[t]));
	}
}

/* H_ref * w, the flows of the slack distribution, for distributed-slack columns. */
static int slack_flows(struct grid_ptdf *p, struct wp_err *err)
{
	const struct grid_net *net = p->net;
	double *x = calloc((size_t)(p->n > 0 ? p->n : 1), sizeof *x);
	int rc;

	p->hw = malloc((size_t)(net->nl > 0 ? net->nl : 1) * sizeof *p->hw);
	if (!x || !p->hw) {
		free(x);
		return oom(err);
	}
	for (int i = 0; i < net->nb; i++)
		if (p->red[i] >= 0)
			x[p->red[i]] = p->w[i];
	if (!(rc = solve(p, 0, 1, x, err)))
		flows_of(p, x, p->hw);
	free(x);
	return rc;
}

int grid_ptdf_cols(struct grid_ptdf *p, const int *bus, int k, double *out, struct wp_err *err)
{
	const struct grid_net *net = p->net;
	size_t n = (size_t)(p->n > 0 ? p->n : 1);
	double *x;

	int rc;

	if (p->w && !p->hw && (rc = slack_flows(p, err)))
		return rc;
	if (!(x = malloc(n * BLOCK * sizeof *x)))
		return oom(err);
	for (int i0 = 0; i0 < k; i0 += BLOCK) {
		int m = k - i0 < BLOCK ? k - i0 : BLOCK;

		memset(x, 0, n * (size_t)m * sizeof *x);
		for (int j = 0; j < m; j++)
			if (p->red[bus[i0 + j]] >= 0)
				x[(size_t)j * n + p->red[bus[i0 + j]]] = 1;
		if (solve(p, 0, m, x, err)) {
			free(x);
			return err->code;
		}
		for (int j = 0; j < m; j++) {
			double *col = out + (size_t)(i0 + j) * net->nl;

			flows_of(p, x + (size_t)j * n, col);
			if (p->w)
				for (int l = 0; l < net->nl; l++)
					col[l] -= p->hw[l];
		}
	}
	free(x);
	return 0;
}

int grid_ptdf_flows(struct grid_ptdf *p, const double *p_mw, double *flow_mw,
		    struct wp_err *err)
{
	const struct grid_net *net = p->net;
	double *inj = malloc((size_t)net->nb * sizeof *inj);
	double *x = calloc((size_t)(p->n > 0 ? p->n : 1), sizeof *x);
	int rc;

	if (!inj || !x) {
		free(inj);
		free(x);
		return oom(err);
	}
	grid_net_shift_injections(net, inj);
	for (int i = 0; i < net->nb; i++)
		if (p->red[i] >= 0)
			x[p->red[i]] = (p_mw[i] - net->gs[i]) / net->base_mva - inj[i];
	if (!(rc = solve(p, 0, 1, x, err))) {
		flows_of(p, x, flow_mw);
		for (int l = 0; l < net->nl; l++)
			flow_mw[l] = (flow_mw[l] - net->b[l] * net->phi[l]) * net->base_mva;
	}
	free(inj);
	free(x);
	return rc;
}

void grid_ptdf_release(struct grid_ptdf *p)
{
	klu_common *c = p->common;

	if (c) {
		klu_symbolic *sym = p->sym;
		klu_numeric *num = p->num;

		if (num)
			klu_free_numeric(&num, c);
		if (sym)
			klu_free_symbolic(&sym, c);
	}
	free(c);
	free(p->red);
	free(p->w);
	free(p->hw);
	free(p->ap);
	free(p->ai);
	free(p->ax);
	*p = (struct grid_ptdf)GRID_PTDF_INIT;
}
