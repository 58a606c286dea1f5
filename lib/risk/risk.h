/* risk.h: Value at Risk, Expected Shortfall, stress scenarios, backtests.
 *
 * Definitions follow ../shared/api/risk.md (PerformanceAnalytics 2.1
 * parity). Every measure is a positive loss for one period; the caller
 * flips the sign for --as-return and scales for the horizon.
 *
 * Ownership: structs are filled by the functions named in their comment
 * and freed by their _release function; arrays passed in stay the
 * caller's. Nothing here prints or exits.
 */
#ifndef RISK_H
#define RISK_H

#include <stddef.h>
#include <jq.h>

struct wp_err;

/* ---- series: records -> an aligned n x k matrix ---- */

struct risk_input {
	const char *date_field;  /* NULL: "date", else "interval_start_utc", else none */
	const char *key_field;   /* long layout: NULL = "instrument", else "location" */
	const char *value_field; /* long layout: NULL = "value", else "lmp" */
};
#define RISK_INPUT_INIT { NULL, NULL, NULL }

struct risk_series {
	size_t n, k;     /* observations (dates) and instruments */
	char **names;    /* k instrument names */
	char **dates;    /* n date labels, or NULL when the input had no dates */
	double *x;       /* n * k values, row-major: x[t * k + j] */
	size_t dropped;  /* dates dropped because an instrument had no value */
};
#define RISK_SERIES_INIT { 0, 0, NULL, NULL, NULL, 0 }
void risk_series_release(struct risk_series *s);
/* Index of instrument name, or -1. */
int risk_series_find(const struct risk_series *s, const char *name);

/* Build a series from records. Layout is decided on the first record:
 * long (it has the key and value fields: date, instrument, value) or wide
 * (every field other than the date is an instrument). A date with any
 * instrument missing is dropped and counted, never filled. */
struct risk_builder;
int risk_builder_new(struct risk_builder **b, const struct risk_input *in,
		     struct wp_err *err);
/* Consumes rec. where ("stdin:12") prefixes messages about this record. */
int risk_builder_add(struct risk_builder *b, jv rec, const char *where,
		     struct wp_err *err);
/* Sorts dates, aligns, fills *s (which the caller releases). */
int risk_builder_finish(struct risk_builder *b, struct risk_series *s,
			struct wp_err *err);
void risk_builder_free(struct risk_builder *b);

enum risk_transform { RISK_LEVELS, RISK_DIFF, RISK_LOG, RISK_SIMPLE };
/* Prices -> one period changes (n shrinks by one, dates keep the later
 * day). DIFF is P_t - P_{t-1} (negative prices are fine); LOG and SIMPLE
 * need a strictly positive series and say which value is not. */
int risk_series_transform(struct risk_series *s, enum risk_transform t,
			  struct wp_err *err);
/* Multiply column j by scale[j] (MW positions on price differences). */
void risk_series_scale(struct risk_series *s, const double *scale);
/* Keep only the columns with keep[j] != 0, in order. */
int risk_series_select(struct risk_series *s, const int *keep, struct wp_err *err);

/* ---- univariate and portfolio measures ---- */

enum risk_method { RISK_HISTORICAL, RISK_GAUSSIAN, RISK_MODIFIED, RISK_MONTECARLO };
extern const char *const risk_method_names[]; /* "historical", ... */
int risk_method_parse(const char *s, enum risk_method *m, struct wp_err *err);

struct risk_moments {
	size_t n;
	double mean, m2, m3, m4; /* central moments, divide by n */
	double skew, kurt;       /* S = m3/m2^1.5, excess K = m4/m2^2 - 3 */
};
void risk_moments(const double *x, size_t n, size_t stride, struct risk_moments *m);

/* Type 7 quantile of ascending data: g = (n-1)p, x_i + (g-i)(x_{i+1}-x_i). */
double risk_quantile7_sorted(const double *sorted, size_t n, double p);
/* The same without sorting: selects in place (x is reordered). */
double risk_quantile7(double *x, size_t n, double p);

/* Cornish-Fisher quantile h, and M of the modified ES (risk.md section 2). */
double risk_cf_h(double z, double skew, double kurt);
double risk_cf_m(double h, double skew, double kurt);

struct risk_result {
	double var, es;   /* positive losses */
	double es_se;     /* Monte Carlo standard error of ES, else NaN */
	size_t tail_n;    /* observations in the ES tail (historical, Monte Carlo) */
	int es_empty;     /* historical: no value below the quantile, ES = VaR */
};

/* Minimum observations a method needs at tail probability alpha. */
size_t risk_min_obs(enum risk_method m, double alpha);

/* Univariate VaR/ES of x[0], x[stride], ... (n values) at tail alpha.
 * Historical, gaussian and modified; montecarlo goes through risk_mc. */
int risk_univariate(enum risk_method m, const double *x, size_t n, size_t stride,
		    double alpha, int es_nonoperational, struct risk_result *res,
		    struct wp_err *err);

/* Gaussian or modified VaR/ES from moments (mean, m2, skew, kurt). */
int risk_parametric(enum risk_method m, const struct risk_moments *mo, double alpha,
		    int es_nonoperational, struct risk_result *res, struct wp_err *err);

/* One instrument's share of a portfolio measure: marginal = d(measure)/d(w_i),
 * component = w_i * marginal; components add up to the portfolio figure. */
struct risk_contrib {
	double mvar, cvar, mes, ces;
};

/* Portfolio VaR/ES of weights w (k) over the series; c (k, may be NULL)
 * gets the contributions. Gaussian and modified use the sample covariance
 * (n - 1) and population co-moments; historical applies the univariate
 * rules to sum_i w_i r_i, its ES contributions averaging the same strict
 * tail as the ES. s->names label messages (singular covariance). */
int risk_portfolio(enum risk_method m, const struct risk_series *s, const double *w,
		   double alpha, int es_nonoperational, struct risk_result *res,
		   struct risk_contrib *c, struct wp_err *err);

/* Sample mean (k) and covariance (k x k, n - 1). */
void risk_mean_cov(const struct risk_series *s, double *mu, double *cov);
/* WP_EDATA naming the collinear instruments when cov (k x k) is singular. */
int risk_cov_check(const double *cov, size_t k, char *const *names, struct wp_err *err);

/* ---- Monte Carlo ---- */

struct risk_mc {
	size_t sims;           /* draws, default 10000 */
	unsigned long seed;    /* gsl_rng_mt19937 seed */
	double df;             /* 0: multivariate normal; > 2: Student t, same covariance */
};
#define RISK_MC_INIT { 10000, 1, 0 }

/* Cholesky of a covariance (k x k, row-major, copied); when it is not
 * positive definite the eigenvalues are clipped at 1e-10 * max, the
 * correlation rescaled to a unit diagonal, and *repaired set. */
int risk_cholesky(const double *cov, size_t k, double *L, int *repaired,
		  struct wp_err *err);

/* Simulated one-period values: out is sims x (k + 1) column-major,
 * columns 0..k-1 the instruments, column k the portfolio w'x (w may be
 * NULL: no portfolio column, out is sims x k). */
int risk_mc_simulate(const struct risk_mc *mc, const double *mu, const double *L, size_t k,
		     const double *w, double *out, struct wp_err *err);
/* VaR = -Q7, ES = -mean{draw <= Q7} (inclusive) and its standard error,
 * of column col of draws (from risk_mc_simulate). With c and w, the
 * contributions of instruments 0..k-1 to that column (the portfolio). */
int risk_mc_measure(const double *draws, size_t sims, size_t k, size_t col, double alpha,
		    const double *w, struct risk_result *res, struct risk_contrib *c,
		    struct wp_err *err);

/* ---- backtests ---- */

struct risk_backtest {
	size_t n, x;              /* days, exceptions */
	size_t n00, n01, n10, n11; /* transitions of the hit sequence */
	double alpha;
	double lr_pof, p_pof, lr_ind, p_ind, lr_cc, p_cc;
	const char *zone;         /* Basel traffic light: green, yellow, red */
};
/* Kupiec POF, Christoffersen independence and conditional coverage of a
 * hit sequence (0/1, n days) at tail probability alpha. */
int risk_backtest_hits(const unsigned char *hits, size_t n, double alpha,
		       struct risk_backtest *bt, struct wp_err *err);
double risk_kupiec_lr(size_t n, size_t x, double alpha);
double risk_christoffersen_lr(size_t n00, size_t n01, size_t n10, size_t n11);
/* Basel zone from the binomial CDF F(x; n, alpha): green F <= 0.95,
 * yellow F <= 0.9999, red above. */
const char *risk_basel_zone(size_t x, size_t n, double alpha);

/* Rolling VaR: for t = window..n-1, VaR of v[t-window..t-1] into
 * var[t-window] and hit[t-window] = v[t] < -VaR. */
int risk_backtest_rolling(enum risk_method m, const double *v, size_t n, size_t window,
			  double alpha, double *var, unsigned char *hits, struct wp_err *err);

/* ---- stress scenarios ---- */

enum risk_scenario_kind { RISK_SC_SHOCK, RISK_SC_VOL, RISK_SC_CORR, RISK_SC_WINDOW };

/* One line of a scenario file; lines with the same name are one scenario. */
struct risk_scenario {
	char *name;
	enum risk_scenario_kind kind;
	char *instrument;     /* NULL: every instrument */
	double shock;         /* SHOCK: price * (1 + shock) */
	double scale;         /* VOL: sigma * scale */
	double rho;           /* CORR: off-diagonal correlation */
	int flip;             /* CORR: flip the sign of hedge pairs instead */
	char *from, *to;      /* WINDOW: dates, inclusive (prefix match on to) */
};
struct risk_scenarios {
	size_t n;
	struct risk_scenario *v;
};
#define RISK_SCENARIOS_INIT { 0, NULL }
/* Consumes rec: {scenario, kind, instrument?, shock|scale|rho|from+to}. */
int risk_scenarios_add(struct risk_scenarios *sc, jv rec, const char *where,
		       struct wp_err *err);
/* The built-in set: shocks -50/-20/+20/+50 %, vol x2 and x3, rho 0.99, 0, flip. */
int risk_scenarios_default(struct risk_scenarios *sc, struct wp_err *err);
void risk_scenarios_release(struct risk_scenarios *sc);

/* What one scenario does to positions pos (MW, k) held at the last prices
 * of the price series. pnl (k + 1, last = portfolio) is the revaluation
 * P&L for shocks and the summed daily P&L of a window; worst (k + 1) the
 * worst window day. var/es (k + 1) are the Gaussian one-day figures of
 * position P&L under the stressed covariance (vol, corr), else NaN. */
struct risk_stress_out {
	double *pnl, *worst, *var, *es;
	size_t days;      /* WINDOW: days replayed */
	int repaired;     /* CORR: the stressed matrix needed a PSD repair */
};
int risk_stress_run(const struct risk_series *prices, const double *pos,
		    const struct risk_scenarios *sc, const char *name, double alpha,
		    struct risk_stress_out *out, struct wp_err *err);

#endif
