/* lmp.c: LMP congestion components from shadow prices, and the reverse:
 * shadow prices estimated from observed congestion components (lmp.md
 * section 5). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit.h>

#include "grid/grid.h"

int grid_lmp_congestion(struct grid_ptdf *p, const struct grid_binding *c, int k,
			double *congestion, double *contrib, struct wp_err *err)
{
	int nb = p->net->nb, rc = 0;
	int *br = calloc((size_t)(k > 0 ? k : 1), sizeof *br);
	double *h = malloc((size_t)(k > 0 ? k : 1) * (size_t)nb * sizeof *h);

	if (!br || !h) {
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
		goto out;
	}
	for (int i = 0; i < k; i++)
		br[i] = c[i].br;
	if ((rc = grid_ptdf_rows(p, br, k, h, err)))
		goto out;
	memset(congestion, 0, (size_t)nb * sizeof *congestion);
	for (int i = 0; i < k; i++)
		for (int j = 0; j < nb; j++) {
			double term = -h[(size_t)i * nb + j] * c[i].mu;

			congestion[j] += term;
			if (contrib)
				contrib[(size_t)i * nb + j] = term;
		}
out:
	free(br);
	free(h);
	return rc;
}

int grid_mu_estimate(const double *h, int nb, const int *bus, const double *congestion, int m,
		     int k, double *mu, double *c0, double *rms, struct wp_err *err)
{
	double chisq;
	gsl_matrix *a = NULL, *cov = NULL;
	gsl_vector *y = NULL, *x = NULL;
	gsl_multifit_linear_workspace *ws = NULL;
	gsl_error_handler_t *old;
	int rc = 0;

	if (m <= k)
		return wp_err_set(err, WP_EDATA,
				  "%d constraint%s need more than %d priced nodes mapped to the case "
				  "(have %d)", k, k == 1 ? "" : "s", k, m);
	old = gsl_set_error_handler_off();
	a = gsl_matrix_alloc((size_t)m, (size_t)k + 1);
	cov = gsl_matrix_alloc((size_t)k + 1, (size_t)k + 1);
	y = gsl_vector_alloc((size_t)m);
	x = gsl_vector_alloc((size_t)k + 1);
	ws = gsl_multifit_linear_alloc((size_t)m, (size_t)k + 1);
	if (!a || !cov || !y || !x || !ws) {
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
		goto out;
	}
	/* congestion_i = c0 - sum_l H[l, bus_i] * mu_l */
	for (int i = 0; i < m; i++) {
		for (int l = 0; l < k; l++)
			gsl_matrix_set(a, (size_t)i, (size_t)l, -h[(size_t)l * nb + bus[i]]);
		gsl_matrix_set(a, (size_t)i, (size_t)k, 1);
		gsl_vector_set(y, (size_t)i, congestion[i]);
	}
	/* SVD-based: a constraint no priced node can see gets mu 0, not garbage */
	if (gsl_multifit_linear(a, y, x, cov, &chisq, ws)) {
		rc = wp_err_set(err, WP_EDATA, "least squares failed for the shadow prices");
		goto out;
	}
	for (int l = 0; l < k; l++)
		mu[l] = gsl_vector_get(x, (size_t)l);
	*c0 = gsl_vector_get(x, (size_t)k);
	*rms = sqrt(chisq / m);
out:
	gsl_set_error_handler(old);
	gsl_multifit_linear_free(ws);
	gsl_vector_free(x);
	gsl_vector_free(y);
	gsl_matrix_free(cov);
	gsl_matrix_free(a);
	return rc;
}

static int parse_bus(const struct grid_net *n, const char *s, char **end, int *idx,
		     struct wp_err *err)
{
	long id;

	errno = 0;
	id = strtol(s, end, 10);
	if (*end == s || errno)
		return wp_err_set(err, WP_EUSAGE, "--slack: '%s' is not a bus number", s);
	if ((*idx = grid_net_bus(n, id)) < 0)
		return wp_err_set(err, WP_EUSAGE, "--slack: bus %ld is not an in-service bus of "
				  "the case", id);
	return 0;
}

int grid_slack_parse(const struct grid_net *n, const char *spec, double **weights,
		     struct wp_err *err)
{
	double *w;
	const char *s = spec;
	char *end;
	int idx = -1;

	*weights = NULL;
	if (!spec || !strcmp(spec, "ref"))
		return 0;
	if (!(w = calloc((size_t)n->nb, sizeof *w)))
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	if (!strcmp(spec, "load")) {
		for (int i = 0; i < n->nb; i++)
			w[i] = n->pd[i] > 0 ? n->pd[i] : 0;
		*weights = w;
		return 0;
	}
	while (*s) {
		double x = 1;

		if (parse_bus(n, s, &end, &idx, err))
			goto bad;
		s = end;
		if (*s == '=') {
			errno = 0;
			x = strtod(++s, &end);
			if (end == s || errno || !(x >= 0)) {
				wp_err_set(err, WP_EUSAGE, "--slack: weight '%s' is not a number >= 0", s);
				goto bad;
			}
			s = end;
		}
		w[idx] += x;
		if (*s == ',')
			s++;
		else if (*s) {
			wp_err_set(err, WP_EUSAGE, "--slack: expected ref, load, BUS or BUS=W,...; "
				   "got '%s'", spec);
			goto bad;
		}
	}
	*weights = w;
	return 0;
bad:
	free(w);
	return WP_EUSAGE;
}

int grid_model_open(struct grid_model *m, const char *path, const char *slack,
		    struct wp_err *err)
{
	double *w = NULL;
	int rc;

	*m = (struct grid_model)GRID_MODEL_INIT;
	if ((rc = grid_case_load(&m->c, path, err)) || (rc = grid_net_build(&m->net, &m->c, err)))
		return rc;
	if ((rc = grid_slack_parse(&m->net, slack, &w, err)))
		return rc;
	rc = grid_ptdf_init(&m->p, &m->net, w, err);
	free(w);
	return rc;
}

void grid_model_release(struct grid_model *m)
{
	grid_ptdf_release(&m->p);
	grid_net_release(&m->net);
	grid_case_release(&m->c);
}
