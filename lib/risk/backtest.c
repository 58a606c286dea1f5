/* backtest.c: Kupiec, Christoffersen and the Basel zones (risk.md section 7). */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

#include "wp.h"
#include "risk/risk.h"

/* a * ln(b) with 0 * ln 0 = 0 */
static double xlog(double a, double b)
{
	return a == 0 ? 0 : a * log(b);
}

double risk_kupiec_lr(size_t n, size_t x, double alpha)
{
	double dn = (double)n, dx = (double)x, rate = dx / dn;

	return -2 * (xlog(dn - dx, 1 - alpha) + xlog(dx, alpha)) +
	       2 * (xlog(dn - dx, 1 - rate) + xlog(dx, rate));
}

double risk_christoffersen_lr(size_t n00, size_t n01, size_t n10, size_t n11)
{
	double a = (double)n00, b = (double)n01, c = (double)n10, d = (double)n11;
	double pi01 = a + b > 0 ? b / (a + b) : 0, pi11 = c + d > 0 ? d / (c + d) : 0;
	double pi = (b + d) / (a + b + c + d);

	return -2 * (xlog(a + c, 1 - pi) + xlog(b + d, pi)) +
	       2 * (xlog(a, 1 - pi01) + xlog(b, pi01) + xlog(c, 1 - pi11) + xlog(d, pi11));
}

const char *risk_basel_zone(size_t x, size_t n, double alpha)
{
	double f = gsl_cdf_binomial_P((unsigned)x, alpha, (unsigned)n);

	return f <= 0.95 ? "green" : f <= 0.9999 ? "yellow" : "red";
}

int risk_backtest_hits(const unsigned char *hits, size_t n, double alpha,
		       struct risk_backtest *bt, struct wp_err *err)
{
	if (!(alpha > 0 && alpha < 1))
		return wp_err_set(err, WP_EUSAGE, "tail probability %g is outside (0,1)", alpha);
	if (n < 2)
		return wp_err_set(err, WP_EDATA, "%zu backtest days; need at least 2", n);
	*bt = (struct risk_backtest){ .n = n, .alpha = alpha };
	for (size_t t = 0; t < n; t++) {
		bt->x += hits[t] != 0;
		if (t == 0)
			continue;
		if (hits[t - 1])
			*(hits[t] ? &bt->n11 : &bt->n10) += 1;
		else
			*(hits[t] ? &bt->n01 : &bt->n00) += 1;
	}
	bt->lr_pof = risk_kupiec_lr(n, bt->x, alpha);
	bt->lr_ind = risk_christoffersen_lr(bt->n00, bt->n01, bt->n10, bt->n11);
	bt->lr_cc = bt->lr_pof + bt->lr_ind;
	bt->p_pof = gsl_cdf_chisq_Q(bt->lr_pof, 1);
	bt->p_ind = gsl_cdf_chisq_Q(bt->lr_ind, 1);
	bt->p_cc = gsl_cdf_chisq_Q(bt->lr_cc, 2);
	bt->zone = risk_basel_zone(bt->x, n, alpha);
	return 0;
}

int risk_backtest_rolling(enum risk_method m, const double *v, size_t n, size_t window,
			  double alpha, double *var, unsigned char *hits, struct wp_err *err)
{
	int rc;

	if (m == RISK_MONTECARLO)
		return wp_err_set(err, WP_EUSAGE,
				  "rolling backtests use historical, gaussian or modified VaR");
	if (window < 2 || window >= n)
		return wp_err_set(err, WP_EDATA,
				  "%zu observations; a %zu-day window leaves no day to test", n,
				  window);
	for (size_t t = window; t < n; t++) {
		struct risk_result res;
		if ((rc = risk_univariate(m, v + t - window, window, 1, alpha, 0, &res, err)))
			return wp_err_prefix(err, "window ending at observation %zu", t);
		var[t - window] = res.var;
		hits[t - window] = v[t] < -res.var;
	}
	return 0;
}
