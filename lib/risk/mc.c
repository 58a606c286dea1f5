/* mc.c: Monte Carlo VaR/ES through a Cholesky factor (risk.md section 5). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "wp.h"
#include "risk/risk.h"

/* Lower factor of a (k x k) into L; nonzero when a is not positive definite.
 * GSL's abort-on-error handler is off for the call and restored after. */
static int cholesky_lower(const double *a, size_t k, double *L)
{
	gsl_matrix_view m = gsl_matrix_view_array(L, k, k);
	gsl_error_handler_t *old = gsl_set_error_handler_off();
	int rc;

	memcpy(L, a, k * k * sizeof(*L));
	rc = gsl_linalg_cholesky_decomp1(&m.matrix);
	gsl_set_error_handler(old);
	for (size_t i = 0; i < k; i++)
		for (size_t j = i + 1; j < k; j++)
			L[i * k + j] = 0;
	return rc;
}

/* Clip the correlation's eigenvalues at 1e-10 * the largest, rebuild it
 * with a unit diagonal and scale back to the original variances. */
static int psd_repair(const double *cov, size_t k, double *out, struct wp_err *err)
{
	gsl_matrix *c = gsl_matrix_alloc(k, k), *vec = gsl_matrix_alloc(k, k);
	gsl_vector *val = gsl_vector_alloc(k), *sd = gsl_vector_alloc(k);
	gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(k);
	int rc = 0;

	if (!c || !vec || !val || !sd || !ws) {
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory (%zu x %zu covariance)", k, k);
		goto out;
	}
	for (size_t i = 0; i < k; i++) {
		if (!(cov[i * k + i] > 0)) {
			rc = wp_err_set(err, WP_EDATA, "covariance has a zero variance at %zu", i + 1);
			goto out;
		}
		gsl_vector_set(sd, i, sqrt(cov[i * k + i]));
	}
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < k; j++)
			gsl_matrix_set(c, i, j,
				       cov[i * k + j] / (gsl_vector_get(sd, i) * gsl_vector_get(sd, j)));
	gsl_eigen_symmv(c, val, vec, ws);
	double top = gsl_vector_max(val), floor_ = 1e-10 * top;
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < k; j++) {
			double sum = 0;
			for (size_t e = 0; e < k; e++)
				sum += gsl_matrix_get(vec, i, e) * gsl_matrix_get(vec, j, e) *
				       fmax(gsl_vector_get(val, e), floor_);
			out[i * k + j] = sum;
		}
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < k; j++)
			if (i != j)
				out[i * k + j] /= sqrt(out[i * k + i] * out[j * k + j]);
	for (size_t i = 0; i < k; i++)
		out[i * k + i] = 1;
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < k; j++)
			out[i * k + j] *= gsl_vector_get(sd, i) * gsl_vector_get(sd, j);
out:
	gsl_eigen_symmv_free(ws);
	gsl_vector_free(sd);
	gsl_vector_free(val);
	gsl_matrix_free(vec);
	gsl_matrix_free(c);
	return rc;
}

int risk_cholesky(const double *cov, size_t k, double *L, int *repaired, struct wp_err *err)
{
	double *fixed;
	int rc;

	*repaired = 0;
	if (cholesky_lower(cov, k, L) == 0)
		return 0;
	if (!(fixed = malloc(k * k * sizeof(*fixed))))
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	if ((rc = psd_repair(cov, k, fixed, err)) == 0) {
		*repaired = 1;
		if (cholesky_lower(fixed, k, L) != 0)
			rc = wp_err_set(err, WP_EDATA,
					"covariance is not positive definite even after repair");
	}
	free(fixed);
	return rc;
}

int risk_mc_simulate(const struct risk_mc *mc, const double *mu, const double *L, size_t k,
		     const double *w, double *out, struct wp_err *err)
{
	gsl_rng *rng;
	double *z;
	size_t sims = mc->sims;

	if (sims < 2)
		return wp_err_set(err, WP_EUSAGE, "--sims %zu: need at least 2 draws", sims);
	if (mc->df != 0 && !(mc->df > 2))
		return wp_err_set(err, WP_EUSAGE,
				  "Student t needs more than 2 degrees of freedom (got %g) for a "
				  "finite covariance",
				  mc->df);
	if (!(rng = gsl_rng_alloc(gsl_rng_mt19937)) || !(z = malloc(k * sizeof(*z)))) {
		gsl_rng_free(rng);
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	gsl_rng_set(rng, mc->seed);
	for (size_t s = 0; s < sims; s++) {
		/* t draws: normal / sqrt(chi2/df), scaled by sqrt((df-2)/df) so
		 * the covariance stays the historical one */
		double f = mc->df > 0 ? sqrt((mc->df - 2) / gsl_ran_chisq(rng, mc->df)) : 1;
		double port = 0;
		for (size_t j = 0; j < k; j++)
			z[j] = gsl_ran_gaussian_ziggurat(rng, 1.0);
		for (size_t j = 0; j < k; j++) {
			const double *row = L + j * k;
			double x = 0;
			for (size_t l = 0; l <= j; l++)
				x += row[l] * z[l];
			x = mu[j] + f * x;
			out[j * sims + s] = x;
			if (w)
				port += w[j] * x;
		}
		if (w)
			out[k * sims + s] = port;
	}
	free(z);
	gsl_rng_free(rng);
	return 0;
}
