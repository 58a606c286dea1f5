/* measure.c: univariate and portfolio VaR/ES (risk.md sections 2 and 3). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>

#include "wp.h"
#include "risk/risk.h"

const char *const risk_method_names[] = { "historical", "gaussian", "modified", "montecarlo",
					  NULL };

int risk_method_parse(const char *s, enum risk_method *m, struct wp_err *err)
{
	for (int i = 0; risk_method_names[i]; i++)
		if (strcmp(s, risk_method_names[i]) == 0) {
			*m = (enum risk_method)i;
			return 0;
		}
	return wp_err_set(err, WP_EUSAGE,
			  "unknown method '%s' (historical, gaussian, modified, montecarlo)", s);
}

void risk_moments(const double *x, size_t n, size_t stride, struct risk_moments *m)
{
	double sum = 0, d2 = 0, d3 = 0, d4 = 0;

	memset(m, 0, sizeof(*m));
	m->n = n;
	if (n == 0)
		return;
	for (size_t i = 0; i < n; i++)
		sum += x[i * stride];
	m->mean = sum / (double)n;
	for (size_t i = 0; i < n; i++) {
		double d = x[i * stride] - m->mean, dd = d * d;
		d2 += dd;
		d3 += dd * d;
		d4 += dd * dd;
	}
	m->m2 = d2 / (double)n;
	m->m3 = d3 / (double)n;
	m->m4 = d4 / (double)n;
	if (m->m2 > 0) {
		m->skew = m->m3 / pow(m->m2, 1.5);
		m->kurt = m->m4 / (m->m2 * m->m2) - 3;
	}
}

double risk_quantile7_sorted(const double *x, size_t n, double p)
{
	double g = (double)(n - 1) * p;
	size_t i = (size_t)floor(g);

	if (i + 1 >= n)
		return x[n - 1];
	return x[i] + (g - (double)i) * (x[i + 1] - x[i]);
}

/* Hoare quickselect: afterwards x[k] is the k-th smallest, everything
 * left of it is <= and everything right of it >=. */
static void select_kth(double *x, size_t n, size_t kth)
{
	long lo = 0, hi = (long)n - 1, k = (long)kth;

	while (lo < hi) {
		long i = lo, j = hi;
		double a = x[lo], b = x[lo + (hi - lo) / 2], c = x[hi];
		double pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));

		while (i <= j) {
			while (x[i] < pivot)
				i++;
			while (x[j] > pivot)
				j--;
			if (i <= j) {
				double t = x[i];
				x[i++] = x[j];
				x[j--] = t;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return;
	}
}

/* Q7 by selection (x is reordered): the two order statistics it
 * interpolates, *lo and *hi, and the weight *f of *hi. */
static double q7_select(double *x, size_t n, double p, double *lo, double *hi, double *f)
{
	double g = (double)(n - 1) * p;
	size_t i = (size_t)floor(g);

	select_kth(x, n, i);
	*lo = *hi = x[i];
	if (i + 1 < n) {
		*hi = x[i + 1];
		for (size_t j = i + 2; j < n; j++)
			if (x[j] < *hi)
				*hi = x[j];
	}
	*f = g - (double)i;
	return *lo + *f * (*hi - *lo);
}

double risk_quantile7(double *x, size_t n, double p)
{
	double lo, hi, f;

	return q7_select(x, n, p, &lo, &hi, &f);
}

double risk_cf_h(double z, double s, double k)
{
	double z2 = z * z, z3 = z2 * z;

	return z + (z2 - 1) * s / 6 + (z3 - 3 * z) * k / 24 - (2 * z3 - 5 * z) * s * s / 36;
}

double risk_cf_m(double h, double s, double k)
{
	double h2 = h * h, h3 = h2 * h, h4 = h2 * h2, h6 = h4 * h2;

	return gsl_ran_ugaussian_pdf(h) *
	       (1 + h3 * s / 6 + (h6 - 9 * h4 + 9 * h2 + 3) * s * s / 72 +
		(h4 - 2 * h2 - 1) * k / 24);
}

size_t risk_min_obs(enum risk_method m, double alpha)
{
	switch (m) {
	case RISK_HISTORICAL:
		/* on average at least one observation beyond the quantile */
		return (size_t)ceil(1 / alpha - 1e-9);
	case RISK_MODIFIED:
		return 4;
	default:
		return 2;
	}
}

/* VaR and ES from the tail of v (n values): VaR = -Q7(v, alpha), ES the
 * negated mean of the values below Q7 (strict) or at or below it
 * (inclusive). When r is given (instrument values, element (t, j) at
 * r[t * ts + j * js]) with weights w, the contributions are the weighted
 * instrument values of the same days: at the two order statistics Q7
 * interpolates for VaR, over the tail days for ES, so they add up to the
 * portfolio figures. scratch holds n doubles. */
static void tail_measure(const double *v, size_t n, double alpha, int inclusive,
			 double *scratch, const double *r, size_t ts, size_t js,
			 const double *w, size_t k, struct risk_result *res,
			 struct risk_contrib *c)
{
	double xlo, xhi, f, sum = 0, sum2 = 0, q;
	size_t tlo = 0, thi = 0, cnt = 0;

	memcpy(scratch, v, n * sizeof(*v));
	q = q7_select(scratch, n, alpha, &xlo, &xhi, &f);
	res->var = -q;
	for (size_t t = 0; t < n; t++)
		if (inclusive ? v[t] <= q : v[t] < q) {
			sum += v[t];
			cnt++;
		}
	res->tail_n = cnt;
	res->es_empty = cnt == 0;
	res->es = cnt ? -sum / (double)cnt : res->var;
	res->es_se = NAN;
	if (cnt > 1) {
		double mean = sum / (double)cnt;
		for (size_t t = 0; t < n; t++)
			if (inclusive ? v[t] <= q : v[t] < q)
				sum2 += (v[t] - mean) * (v[t] - mean);
		res->es_se = sqrt(sum2 / (double)(cnt - 1)) / sqrt((double)cnt);
	}
	if (!c || !r)
		return;
	for (size_t t = 0; t < n; t++) {
		if (v[t] == xlo)
			tlo = t;
		if (v[t] == xhi)
			thi = t;
	}
	for (size_t j = 0; j < k; j++) {
		double s = 0;
		c[j].mvar = -((1 - f) * r[tlo * ts + j * js] + f * r[thi * ts + j * js]);
		c[j].cvar = w[j] * c[j].mvar;
		for (size_t t = 0; t < n; t++)
			if (inclusive ? v[t] <= q : v[t] < q)
				s += r[t * ts + j * js];
		c[j].mes = cnt ? -s / (double)cnt : c[j].mvar;
		c[j].ces = w[j] * c[j].mes;
	}
}

static int check_alpha(double alpha, struct wp_err *err)
{
	if (!(alpha > 0 && alpha < 1))
		return wp_err_set(err, WP_EUSAGE, "tail probability %g is outside (0,1)", alpha);
	return 0;
}

static int check_obs(enum risk_method m, size_t n, double alpha, struct wp_err *err)
{
	size_t need = risk_min_obs(m, alpha);

	if (n < need)
		return wp_err_set(err, WP_EDATA,
				  "%zu observations; %s at %g%% confidence needs at least %zu", n,
				  risk_method_names[m], 100 * (1 - alpha), need);
	return 0;
}

int risk_parametric(enum risk_method m, const struct risk_moments *mo, double alpha,
		    int es_nonop, struct risk_result *res, struct wp_err *err)
{
	double z = gsl_cdf_ugaussian_Pinv(alpha), sd = sqrt(mo->m2);

	res->es_se = NAN;
	res->tail_n = 0;
	res->es_empty = 0;
	if (m == RISK_GAUSSIAN) {
		res->var = -mo->mean - z * sd;
		res->es = -mo->mean + gsl_ran_ugaussian_pdf(z) * sd / alpha;
	} else if (m == RISK_MODIFIED) {
		double h = risk_cf_h(z, mo->skew, mo->kurt), mm = risk_cf_m(h, mo->skew, mo->kurt);
		res->var = -mo->mean - h * sd;
		res->es = es_nonop ? -mo->mean + sd * mm / alpha
				   : -mo->mean - sd * fmin(-mm / alpha, h);
	} else {
		return wp_err_set(err, WP_EINTERNAL, "%s is not a parametric method",
				  risk_method_names[m]);
	}
	return 0;
}

int risk_univariate(enum risk_method m, const double *x, size_t n, size_t stride, double alpha,
		    int es_nonop, struct risk_result *res, struct wp_err *err)
{
	struct risk_moments mo;
	double *v;
	int rc;

	if ((rc = check_alpha(alpha, err)) || (rc = check_obs(m, n, alpha, err)))
		return rc;
	risk_moments(x, n, stride, &mo);
	if (!(mo.m2 > 0))
		return wp_err_set(err, WP_EDATA, "constant series (zero variance)");
	if (m != RISK_HISTORICAL)
		return risk_parametric(m, &mo, alpha, es_nonop, res, err);
	if (!(v = malloc(2 * n * sizeof(*v))))
		return wp_err_set(err, WP_EINTERNAL, "out of memory (%zu values)", n);
	for (size_t i = 0; i < n; i++)
		v[i] = x[i * stride];
	tail_measure(v, n, alpha, 0, v + n, NULL, 0, 0, NULL, 0, res, NULL);
	res->es_se = NAN;
	free(v);
	return 0;
}

void risk_mean_cov(const struct risk_series *s, double *mu, double *cov)
{
	size_t n = s->n, k = s->k;

	for (size_t j = 0; j < k; j++) {
		double sum = 0;
		for (size_t t = 0; t < n; t++)
			sum += s->x[t * k + j];
		mu[j] = sum / (double)n;
	}
	for (size_t a = 0; a < k; a++)
		for (size_t b = a; b < k; b++) {
			double sum = 0;
			for (size_t t = 0; t < n; t++)
				sum += (s->x[t * k + a] - mu[a]) * (s->x[t * k + b] - mu[b]);
			cov[a * k + b] = cov[b * k + a] = sum / (double)(n - 1);
		}
}

int risk_cov_check(const double *cov, size_t k, char *const *names, struct wp_err *err)
{
	gsl_matrix *c = gsl_matrix_alloc(k, k), *vec = gsl_matrix_alloc(k, k);
	gsl_vector *val = gsl_vector_alloc(k);
	gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(k);
	int rc = 0;

	if (!c || !vec || !val || !ws) {
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory (%zu x %zu covariance)", k, k);
		goto out;
	}
	for (size_t j = 0; j < k; j++)
		if (!(cov[j * k + j] > 0)) {
			rc = wp_err_set(err, WP_EDATA, "%s is constant (zero variance)", names[j]);
			goto out;
		}
	/* the correlation matrix, so the threshold does not depend on units */
	for (size_t a = 0; a < k; a++)
		for (size_t b = 0; b < k; b++)
			gsl_matrix_set(c, a, b,
				       cov[a * k + b] / sqrt(cov[a * k + a] * cov[b * k + b]));
	gsl_eigen_symmv(c, val, vec, ws);
	gsl_eigen_symmv_sort(val, vec, GSL_EIGEN_SORT_VAL_ASC);
	if (gsl_vector_get(val, 0) <= 1e-10 * gsl_vector_get(val, k - 1)) {
		/* the eigenvector of the null direction names who is involved */
		char list[600] = "";
		size_t len = 0;
		for (size_t j = 0; j < k; j++)
			if (fabs(gsl_matrix_get(vec, j, 0)) > 1e-6 && len < sizeof(list) - 2)
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
							len ? ", " : "", names[j]);
		rc = wp_err_set(err, WP_EDATA,
				"singular covariance: %s are collinear (smallest correlation "
				"eigenvalue %.3g)",
				list, gsl_vector_get(val, 0));
	}
out:
	gsl_eigen_symmv_free(ws);
	gsl_vector_free(val);
	gsl_matrix_free(vec);
	gsl_matrix_free(c);
	return rc;
}

/* Modified (Cornish-Fisher) portfolio VaR/ES and their gradient in w.
 * Skewness and kurtosis of the portfolio are scale-free, so both measures
 * are homogeneous of degree one in w and Euler's theorem makes
 * sum_i w_i * d/dw_i the total. m3 and m4 are the co-skewness and
 * co-kurtosis contractions, computed from the portfolio series
 * p_t = w'(r_t - mu) rather than from the k^3 and k^4 tensors. */
static int port_modified(const struct risk_series *s, const double *w, const double *mu,
			 const double *sw, double m2, double alpha, int es_nonop,
			 struct risk_result *res, struct risk_contrib *c, struct wp_err *err)
{
	size_t n = s->n, k = s->k;
	double *d3 = calloc(2 * k, sizeof(double)), *d4 = d3 + k;
	double m3 = 0, m4 = 0, sd = sqrt(m2), z = gsl_cdf_ugaussian_Pinv(alpha), wmu = 0;

	if (!d3)
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	for (size_t t = 0; t < n; t++) {
		const double *r = s->x + t * k;
		double p = 0;
		for (size_t j = 0; j < k; j++)
			p += w[j] * (r[j] - mu[j]);
		m3 += p * p * p;
		m4 += p * p * p * p;
		for (size_t j = 0; j < k; j++) {
			d3[j] += 3 * (r[j] - mu[j]) * p * p;
			d4[j] += 4 * (r[j] - mu[j]) * p * p * p;
		}
	}
	m3 /= (double)n;
	m4 /= (double)n;
	for (size_t j = 0; j < k; j++) {
		d3[j] /= (double)n;
		d4[j] /= (double)n;
		wmu += w[j] * mu[j];
	}
	double S = m3 / (m2 * sd), K = m4 / (m2 * m2) - 3;
	double h = risk_cf_h(z, S, K), M = risk_cf_m(h, S, K);
	double h2 = h * h, h3 = h2 * h, h4 = h2 * h2, h5 = h4 * h, h6 = h4 * h2;
	double z2 = z * z, z3 = z2 * z;
	double dh_dS = (z2 - 1) / 6 - 2 * (2 * z3 - 5 * z) * S / 36, dh_dK = (z3 - 3 * z) / 24;
	double B = M / gsl_ran_ugaussian_pdf(h);
	double dB_dh = h2 * S / 2 + (6 * h5 - 36 * h3 + 18 * h) * S * S / 72 + (4 * h3 - 4 * h) * K / 24;
	double dM_dh = gsl_ran_ugaussian_pdf(h) * (dB_dh - h * B);
	double dM_dS = gsl_ran_ugaussian_pdf(h) * (h3 / 6 + (h6 - 9 * h4 + 9 * h2 + 3) * S / 36);
	double dM_dK = gsl_ran_ugaussian_pdf(h) * (h4 - 2 * h2 - 1) / 24;
	int es_cf = es_nonop || -M / alpha < h; /* the M form of ES is in force */

	res->var = -wmu - h * sd;
	res->es = es_cf ? -wmu + sd * M / alpha : res->var;
	for (size_t j = 0; c && j < k; j++) {
		double dsd = sw[j] / sd;
		double dS = d3[j] / (m2 * sd) - 3 * m3 * dsd / (m2 * m2);
		double dK = d4[j] / (m2 * m2) - 4 * m4 * dsd / (m2 * m2 * sd);
		double dh = dh_dS * dS + dh_dK * dK;
		double dM = dM_dh * dh + dM_dS * dS + dM_dK * dK;
		c[j].mvar = -mu[j] - sd * dh - h * dsd;
		c[j].mes = es_cf ? -mu[j] + dsd * M / alpha + sd * dM / alpha : c[j].mvar;
		c[j].cvar = w[j] * c[j].mvar;
		c[j].ces = w[j] * c[j].mes;
	}
	free(d3);
	return 0;
}

int risk_portfolio(enum risk_method m, const struct risk_series *s, const double *w,
		   double alpha, int es_nonop, struct risk_result *res, struct risk_contrib *c,
		   struct wp_err *err)
{
	size_t n = s->n, k = s->k;
	double *mu = NULL, *cov = NULL, *sw = NULL, *v = NULL, m2 = 0, wmu = 0;
	int rc;

	if ((rc = check_alpha(alpha, err)) || (rc = check_obs(m, n, alpha, err)))
		return rc;
	if (m != RISK_HISTORICAL && n <= k)
		return wp_err_set(err, WP_EDATA,
				  "%zu observations for %zu instruments; a covariance needs more "
				  "observations than instruments",
				  n, k);
	res->es_se = NAN;
	res->tail_n = 0;
	res->es_empty = 0;
	if (m == RISK_HISTORICAL) {
		if (!(v = malloc(2 * n * sizeof(*v))))
			return wp_err_set(err, WP_EINTERNAL, "out of memory");
		for (size_t t = 0; t < n; t++) {
			double p = 0;
			for (size_t j = 0; j < k; j++)
				p += w[j] * s->x[t * k + j];
			v[t] = p;
		}
		tail_measure(v, n, alpha, 0, v + n, s->x, k, 1, w, k, res, c);
		res->es_se = NAN;
		free(v);
		return 0;
	}
	mu = malloc((k * k + 2 * k) * sizeof(double));
	if (!mu)
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	cov = mu + k;
	sw = cov + k * k;
	risk_mean_cov(s, mu, cov);
	if ((rc = risk_cov_check(cov, k, s->names, err)))
		goto out;
	for (size_t a = 0; a < k; a++) {
		sw[a] = 0;
		for (size_t b = 0; b < k; b++)
			sw[a] += cov[a * k + b] * w[b];
		m2 += w[a] * sw[a];
		wmu += w[a] * mu[a];
	}
	if (!(m2 > 0)) {
		rc = wp_err_set(err, WP_EDATA, "the portfolio has zero variance (all weights zero?)");
		goto out;
	}
	if (m == RISK_GAUSSIAN) {
		double z = gsl_cdf_ugaussian_Pinv(alpha), sd = sqrt(m2);
		double phi = gsl_ran_ugaussian_pdf(z);
		res->var = -wmu - z * sd;
		res->es = -wmu + phi * sd / alpha;
		for (size_t j = 0; c && j < k; j++) {
			c[j].mvar = -mu[j] - z * sw[j] / sd;
			c[j].mes = -mu[j] + phi * sw[j] / (alpha * sd);
			c[j].cvar = w[j] * c[j].mvar;
			c[j].ces = w[j] * c[j].mes;
		}
	} else if (m == RISK_MODIFIED) {
		rc = port_modified(s, w, mu, sw, m2, alpha, es_nonop, res, c, err);
	} else {
		rc = wp_err_set(err, WP_EINTERNAL, "montecarlo portfolios go through risk_mc");
	}
out:
	free(mu);
	return rc;
}

int risk_mc_measure(const double *draws, size_t sims, size_t k, size_t col, double alpha,
		    const double *w, struct risk_result *res, struct risk_contrib *c,
		    struct wp_err *err)
{
	double *scratch;
	int rc;

	if ((rc = check_alpha(alpha, err)))
		return rc;
	if (!(scratch = malloc(sims * sizeof(*scratch))))
		return wp_err_set(err, WP_EINTERNAL, "out of memory (%zu draws)", sims);
	tail_measure(draws + col * sims, sims, alpha, 1, scratch, draws, 1, sims, w, k, res,
		     w ? c : NULL);
	free(scratch);
	return 0;
}
