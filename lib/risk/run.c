/* run.c: var-calc, var-backtest and var-stress from parsed options to records. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "wp.h"
#include "risk/risk.h"
#include "risk/run.h"

/* A number, or null where there is none (NaN, infinity). */
static jv num(double x)
{
	return isfinite(x) ? jv_number(x) : jv_null();
}

static jv set(jv o, const char *k, jv v)
{
	return jv_object_set(o, jv_string(k), v);
}

int risk_write(struct wp_cli *cli, const char *const *columns, jv arr, struct wp_err *err)
{
	struct wp_writer *w;
	int rc = wp_cli_writer(cli, columns, &w, err);

	for (int i = 0; rc == 0 && i < jv_array_length(jv_copy(arr)); i++)
		rc = wp_writer_put(w, jv_array_get(jv_copy(arr), i), err);
	jv_free(arr);
	return rc;
}

int risk_confidences_from_cli(struct wp_cli *cli, const char *def, double *conf, size_t max,
			      size_t *n, struct wp_err *err)
{
	int given = wp_cli_count(cli, "confidence");

	*n = 0;
	for (int i = 0; i < (given ? given : 1); i++) {
		char *list = strdup(given ? wp_cli_nth(cli, "confidence", i) : def), *save = NULL;
		int rc = 0;
		if (!list)
			return wp_err_set(err, WP_EINTERNAL, "out of memory");
		for (char *t = strtok_r(list, ",", &save); t && rc == 0; t = strtok_r(NULL, ",", &save)) {
			char *end;
			double p;
			errno = 0;
			p = strtod(t, &end);
			if (errno || end == t || *end)
				rc = wp_err_set(err, WP_EUSAGE, "--confidence '%s' is not a number", t);
			else if (!(p > 0 && p < 1))
				rc = wp_err_set(err, WP_EUSAGE,
						"--confidence %s is outside (0,1); write 0.99 for 99%%", t);
			else if (p < 0.5)
				rc = wp_err_set(err, WP_EUSAGE,
						"--confidence %s: give the confidence (%g), not the "
						"tail probability",
						t, 1 - p);
			else if (*n == max)
				rc = wp_err_set(err, WP_EUSAGE, "at most %zu confidence level%s", max,
						max == 1 ? "" : "s");
			else
				conf[(*n)++] = p;
		}
		free(list);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- var-calc ------------------------------------------------------------ */

const char *const risk_calc_columns[] = {
	"instrument", "method", "confidence", "horizon", "n", "var", "es", "sign",
	"tail_n", "es_se", "weight", "marginal_var", "component_var", "pct_var",
	"marginal_es", "component_es", "pct_es", "sims", "seed", "dist", NULL,
};

int risk_calc_from_cli(struct risk_calc *c, struct wp_cli *cli, struct wp_err *err)
{
	int given = wp_cli_count(cli, "method"), rc;
	long sims, seed;

	*c = (struct risk_calc){ .mc = RISK_MC_INIT };
	for (int i = 0; i < (given ? given : 1); i++) {
		char *list = strdup(given ? wp_cli_nth(cli, "method", i) : "historical,gaussian,modified");
		char *save = NULL;
		enum risk_method m;
		rc = list ? 0 : wp_err_set(err, WP_EINTERNAL, "out of memory");
		for (char *t = list ? strtok_r(list, ",", &save) : NULL; t && rc == 0;
		     t = strtok_r(NULL, ",", &save))
			if ((rc = risk_method_parse(t, &m, err)) == 0)
				c->methods |= 1u << m;
		free(list);
		if (rc)
			return rc;
	}
	if ((rc = risk_confidences_from_cli(cli, "0.95,0.99", c->conf, 16, &c->nconf, err)) ||
	    (rc = wp_cli_double(cli, "horizon", 1, &c->horizon, err)) ||
	    (rc = wp_cli_long(cli, "sims", 10000, &sims, err)) ||
	    (rc = wp_cli_long(cli, "seed", 1, &seed, err)) ||
	    (rc = wp_cli_double(cli, "df", 5, &c->mc.df, err)))
		return rc;
	if (!(c->horizon >= 1) || !isfinite(c->horizon))
		return wp_err_set(err, WP_EUSAGE, "--horizon %g: at least 1 period", c->horizon);
	if (sims < 100 || sims > 100000000)
		return wp_err_set(err, WP_EUSAGE, "--sims %ld: between 100 and 100000000", sims);
	if (seed < 0)
		return wp_err_set(err, WP_EUSAGE, "--seed %ld: not negative", seed);
	const char *dist = wp_cli_get(cli, "dist");
	if (!dist || strcmp(dist, "normal") == 0)
		c->mc.df = 0;
	else if (strcmp(dist, "t") != 0)
		return wp_err_set(err, WP_EUSAGE, "--dist '%s': normal or t", dist);
	else if (!(c->mc.df > 2))
		return wp_err_set(err, WP_EUSAGE, "--df %g: Student t needs more than 2", c->mc.df);
	c->mc.sims = (size_t)sims;
	c->mc.seed = (unsigned long)seed;
	c->as_return = wp_cli_has(cli, "as-return");
	c->es_nonop = wp_cli_has(cli, "es-nonoperational");
	return 0;
}

/* Loss as reported: the package's sanity rule for returns (a negative
 * loss is no risk, a loss above 100 % is 100 %), sqrt(h) scaling, sign. */
static jv loss(struct risk_calc *c, const struct risk_book *b, double x, double f)
{
	if (!b->pnl && x < 0) {
		c->inverse++;
		return jv_null();
	}
	if (!b->pnl && x * f > 1) {
		c->capped++;
		return jv_number(c->as_return ? -1 : 1);
	}
	return num((c->as_return ? -1 : 1) * x * f);
}

static jv calc_record(struct risk_calc *c, const struct risk_book *b, enum risk_method m,
		      double conf, const char *name, const struct risk_result *r,
		      const struct risk_contrib *ct, double shown, double port_var,
		      double port_es)
{
	double f = sqrt(c->horizon), sg = c->as_return ? -1 : 1;
	int mc = m == RISK_MONTECARLO, tail = m == RISK_HISTORICAL || mc;
	jv o = jv_object();

	o = set(o, "instrument", jv_string(name));
	o = set(o, "method", jv_string(risk_method_names[m]));
	o = set(o, "confidence", jv_number(conf));
	o = set(o, "horizon", jv_number(c->horizon));
	o = set(o, "n", jv_number((double)(mc ? c->mc.sims : b->s.n)));
	o = set(o, "var", loss(c, b, r->var, f));
	o = set(o, "es", loss(c, b, r->es, f));
	o = set(o, "sign", jv_string(c->as_return ? "return" : "loss"));
	o = set(o, "tail_n", tail ? jv_number((double)r->tail_n) : jv_null());
	o = set(o, "es_se", mc ? num(r->es_se * f) : jv_null());
	o = set(o, "weight", ct ? jv_number(shown) : jv_null());
	/* marginal per unit of what the user holds (weight, or MW) */
	o = set(o, "marginal_var", ct ? num(sg * f * (shown ? ct->cvar / shown : ct->mvar)) : jv_null());
	o = set(o, "component_var", ct ? num(sg * f * ct->cvar) : jv_null());
	o = set(o, "pct_var", ct ? num(100 * ct->cvar / port_var) : jv_null());
	o = set(o, "marginal_es", ct ? num(sg * f * (shown ? ct->ces / shown : ct->mes)) : jv_null());
	o = set(o, "component_es", ct ? num(sg * f * ct->ces) : jv_null());
	o = set(o, "pct_es", ct ? num(100 * ct->ces / port_es) : jv_null());
	o = set(o, "sims", mc ? jv_number((double)c->mc.sims) : jv_null());
	o = set(o, "seed", mc ? jv_number((double)c->mc.seed) : jv_null());
	if (mc && c->mc.df > 0)
		o = set(o, "dist", jv_string_fmt("t%g", c->mc.df));
	else
		o = set(o, "dist", mc ? jv_string("normal") : jv_null());
	if (r->es_empty)
		c->es_empty++;
	return o;
}

/* Draws for montecarlo: sims x (k [+1 portfolio]) column-major. */
static int mc_draws(struct risk_calc *c, const struct risk_book *b, double **draws,
		    struct wp_err *err)
{
	const struct risk_series *s = &b->s;
	size_t k = s->k;
	double *mu = malloc((2 * k * k + k) * sizeof(double)), *cov = mu + k, *L = cov + k * k;
	int rc, repaired = 0;

	*draws = NULL;
	if (!mu)
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	if (s->n <= k || s->n < 2) {
		rc = wp_err_set(err, WP_EDATA,
				"%zu observations for %zu instrument%s; montecarlo needs more "
				"observations than instruments",
				s->n, k, k == 1 ? "" : "s");
		goto out;
	}
	risk_mean_cov(s, mu, cov);
	if ((rc = risk_cov_check(cov, k, s->names, err)) ||
	    (rc = risk_cholesky(cov, k, L, &repaired, err)))
		goto out;
	c->repaired += repaired;
	if (!(*draws = malloc(c->mc.sims * (k + 1) * sizeof(double)))) {
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory for %zu x %zu draws", c->mc.sims,
				k + 1);
		goto out;
	}
	rc = risk_mc_simulate(&c->mc, mu, L, k, b->portfolio ? b->w : NULL, *draws, err);
out:
	free(mu);
	return rc;
}

static int calc_method(struct risk_calc *c, const struct risk_book *b, enum risk_method m,
		       jv *out, struct wp_err *err)
{
	const struct risk_series *s = &b->s;
	size_t k = s->k, n = s->n;
	struct risk_result *r = calloc(k + 1, sizeof(*r));
	struct risk_contrib *ct = calloc(k, sizeof(*ct));
	double *draws = NULL;
	int rc = 0;

	if (!r || !ct) {
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
		goto out;
	}
	if (m == RISK_MONTECARLO && (rc = mc_draws(c, b, &draws, err)))
		goto out;
	for (size_t ci = 0; ci < c->nconf; ci++) {
		double alpha = 1 - c->conf[ci];
		for (size_t j = 0; j < k && rc == 0; j++) {
			if (m == RISK_MONTECARLO)
				rc = risk_mc_measure(draws, c->mc.sims, k, j, alpha, NULL, &r[j], NULL, err);
			else if ((rc = risk_univariate(m, s->x + j, n, k, alpha, c->es_nonop, &r[j], err)))
				wp_err_prefix(err, "%s", s->names[j]);
		}
		if (rc == 0 && b->portfolio)
			rc = m == RISK_MONTECARLO
				     ? risk_mc_measure(draws, c->mc.sims, k, k, alpha, b->w, &r[k], ct, err)
				     : risk_portfolio(m, s, b->w, alpha, c->es_nonop, &r[k], ct, err);
		if (rc)
			goto out;
		for (size_t j = 0; j < k; j++)
			*out = jv_array_append(*out, calc_record(c, b, m, c->conf[ci], s->names[j], &r[j],
								 b->portfolio ? &ct[j] : NULL,
								 b->shown[j], r[k].var, r[k].es));
		if (b->portfolio)
			*out = jv_array_append(*out, calc_record(c, b, m, c->conf[ci], "portfolio",
								 &r[k], NULL, 0, 0, 0));
	}
out:
	free(draws);
	free(ct);
	free(r);
	return rc;
}

int risk_calc_run(struct risk_calc *c, const struct risk_book *b, jv *out, struct wp_err *err)
{
	int rc = 0;

	*out = jv_array();
	for (int m = RISK_HISTORICAL; m <= RISK_MONTECARLO && rc == 0; m++)
		if (c->methods & (1u << m))
			rc = calc_method(c, b, (enum risk_method)m, out, err);
	if (rc) {
		jv_free(*out);
		*out = jv_invalid();
	}
	return rc;
}

/* ---- var-backtest -------------------------------------------------------- */

const char *const risk_backtest_columns[] = {
	"kind", "date", "value", "var", "sign", "method", "confidence", "window", "days",
	"exceptions", "expected", "lr_pof", "p_pof", "lr_ind", "p_ind", "lr_cc", "p_cc",
	"zone", "reject_pof", "reject_cc", "n00", "n01", "n10", "n11", NULL,
};

int risk_bt_from_cli(struct risk_bt_opts *o, struct wp_cli *cli, struct wp_err *err)
{
	const char *m = wp_cli_get(cli, "method");
	size_t n;
	long win;
	int rc;

	o->method = RISK_HISTORICAL;
	if ((m && (rc = risk_method_parse(m, &o->method, err))) ||
	    (rc = risk_confidences_from_cli(cli, "0.99", &o->conf, 1, &n, err)) ||
	    (rc = wp_cli_long(cli, "window", 250, &win, err)))
		return rc;
	if (o->method == RISK_MONTECARLO)
		return wp_err_set(err, WP_EUSAGE,
				  "--method montecarlo is not offered for rolling backtests");
	if (win < 2)
		return wp_err_set(err, WP_EUSAGE, "--window %ld: at least 2 days", win);
	o->window = (size_t)win;
	o->summary_only = wp_cli_has(cli, "summary");
	return 0;
}

int risk_bt_run(const struct risk_bt_opts *o, const struct risk_book *b, jv *out,
		struct wp_err *err)
{
	const struct risk_series *s = &b->s;
	size_t n = s->n, k = s->k, days;
	double *v = malloc((2 * n + 1) * sizeof(double)), *var = v + n;
	unsigned char *hits = malloc(n + 1);
	struct risk_backtest bt;
	int rc;

	*out = jv_invalid();
	if (!v || !hits) {
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
		goto out;
	}
	if (k > 1 && !b->portfolio) {
		rc = wp_err_set(err, WP_EUSAGE,
				"%zu instruments: say which with --weight or --position", k);
		goto out;
	}
	/* the realised series: the instrument, or the book's weighted sum */
	for (size_t t = 0; t < n; t++) {
		v[t] = 0;
		for (size_t j = 0; j < k; j++)
			v[t] += b->w[j] * s->x[t * k + j];
	}
	if ((rc = risk_backtest_rolling(o->method, v, n, o->window, 1 - o->conf, var, hits, err)))
		goto out;
	days = n - o->window;
	if ((rc = risk_backtest_hits(hits, days, 1 - o->conf, &bt, err)))
		goto out;
	*out = jv_array();
	for (size_t t = 0; t < days && !o->summary_only; t++) {
		if (!hits[t])
			continue;
		jv e = jv_object();
		e = set(e, "kind", jv_string("exception"));
		e = set(e, "date", s->dates ? jv_string(s->dates[o->window + t])
					    : jv_number((double)(o->window + t + 1)));
		e = set(e, "value", jv_number(v[o->window + t]));
		e = set(e, "var", jv_number(var[t]));
		e = set(e, "sign", jv_string("loss"));
		e = set(e, "method", jv_string(risk_method_names[o->method]));
		e = set(e, "confidence", jv_number(o->conf));
		*out = jv_array_append(*out, e);
	}
	jv r = jv_object();
	r = set(r, "kind", jv_string("summary"));
	r = set(r, "date", s->dates ? jv_string(s->dates[n - 1]) : jv_null());
	r = set(r, "sign", jv_string("loss"));
	r = set(r, "method", jv_string(risk_method_names[o->method]));
	r = set(r, "confidence", jv_number(o->conf));
	r = set(r, "window", jv_number((double)o->window));
	r = set(r, "days", jv_number((double)days));
	r = set(r, "exceptions", jv_number((double)bt.x));
	r = set(r, "expected", jv_number((double)days * (1 - o->conf)));
	r = set(r, "lr_pof", num(bt.lr_pof));
	r = set(r, "p_pof", num(bt.p_pof));
	r = set(r, "lr_ind", num(bt.lr_ind));
	r = set(r, "p_ind", num(bt.p_ind));
	r = set(r, "lr_cc", num(bt.lr_cc));
	r = set(r, "p_cc", num(bt.p_cc));
	r = set(r, "zone", jv_string(bt.zone));
	r = set(r, "reject_pof", jv_bool(bt.p_pof < 0.05));
	r = set(r, "reject_cc", jv_bool(bt.p_cc < 0.05));
	r = set(r, "n00", jv_number((double)bt.n00));
	r = set(r, "n01", jv_number((double)bt.n01));
	r = set(r, "n10", jv_number((double)bt.n10));
	r = set(r, "n11", jv_number((double)bt.n11));
	*out = jv_array_append(*out, r);
out:
	free(v);
	free(hits);
	return rc;
}

/* ---- var-stress ---------------------------------------------------------- */

const char *const risk_stress_columns[] = {
	"scenario", "kind", "instrument", "position", "price", "pnl", "worst_day_pnl",
	"days", "var", "es", "confidence", "sign", "repaired", NULL,
};

int risk_stress_from_cli(struct risk_scenarios *sc, double *conf, struct wp_cli *cli,
			 struct wp_err *err)
{
	const char *path = wp_cli_get(cli, "scenarios");
	int nwin = wp_cli_count(cli, "window"), rc = 0;
	size_t n;

	if ((rc = risk_confidences_from_cli(cli, "0.99", conf, 1, &n, err)))
		return rc;
	if (path) {
		FILE *f = fopen(path, "r");
		struct wp_reader *r = NULL;
		if (!f)
			return wp_err_errno(err, WP_ENOINPUT, "cannot open", path);
		rc = wp_reader_open(&r, f, path, WP_FMT_AUTO, err);
		while (rc == 0) {
			jv rec;
			char where[300];
			if ((rc = wp_reader_next(r, &rec, err)) || !jv_is_valid(rec))
				break;
			snprintf(where, sizeof(where), "%s:%ld", path, wp_reader_line(r));
			rc = risk_scenarios_add(sc, rec, where, err);
		}
		wp_reader_free(r);
		fclose(f);
		if (rc == 0 && sc->n == 0)
			rc = wp_err_set(err, WP_EDATA, "%s: no scenarios", path);
	}
	for (int i = 0; i < nwin && rc == 0; i++) {
		const char *w = wp_cli_nth(cli, "window", i), *colon = strchr(w, ':');
		if (!colon || colon == w || !colon[1])
			return wp_err_set(err, WP_EUSAGE, "--window '%s': want FROM:TO", w);
		jv rec = jv_object();
		rec = set(rec, "scenario", jv_string_fmt("window %s", w));
		rec = set(rec, "kind", jv_string("window"));
		rec = set(rec, "from", jv_string_sized(w, (int)(colon - w)));
		rec = set(rec, "to", jv_string(colon + 1));
		if ((rc = risk_scenarios_add(sc, rec, "--window", err)))
			rc = WP_EUSAGE;
	}
	if (rc == 0 && (!path && !nwin))
		rc = risk_scenarios_default(sc, err);
	return rc;
}

int risk_stress_all(const struct risk_scenarios *sc, double conf, const struct risk_book *b,
		    jv *out, long *repaired, struct wp_err *err)
{
	const struct risk_series *p = &b->s;
	size_t k = p->k;
	double *buf = malloc(4 * (k + 1) * sizeof(double));
	struct risk_stress_out o = { buf, buf + k + 1, buf + 2 * (k + 1), buf + 3 * (k + 1), 0, 0 };
	int rc = 0;

	*out = jv_array();
	*repaired = 0;
	if (!buf)
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
	for (size_t i = 0; i < sc->n && rc == 0; i++) {
		const struct risk_scenario *s = &sc->v[i];
		int first = 1;
		for (size_t q = 0; q < i && first; q++)
			first = strcmp(sc->v[q].name, s->name) != 0;
		if (!first)
			continue; /* lines of one scenario run together */
		if ((rc = risk_stress_run(p, b->shown, sc, s->name, 1 - conf, &o, err)))
			break;
		*repaired += o.repaired;
		int dist = s->kind == RISK_SC_VOL || s->kind == RISK_SC_CORR;
		for (size_t j = 0; j <= k; j++) {
			jv r = jv_object();
			r = set(r, "scenario", jv_string(s->name));
			r = set(r, "kind", jv_string(s->kind == RISK_SC_SHOCK ? "shock"
						     : s->kind == RISK_SC_VOL ? "vol"
						     : s->kind == RISK_SC_CORR ? "corr"
									       : "window"));
			r = set(r, "instrument", jv_string(j < k ? p->names[j] : "portfolio"));
			r = set(r, "position", j < k ? jv_number(b->shown[j]) : jv_null());
			r = set(r, "price", j < k ? jv_number(p->x[(p->n - 1) * k + j]) : jv_null());
			r = set(r, "pnl", num(o.pnl[j]));
			r = set(r, "worst_day_pnl", num(o.worst[j]));
			r = set(r, "days", s->kind == RISK_SC_WINDOW ? jv_number((double)o.days) : jv_null());
			r = set(r, "var", num(o.var[j]));
			r = set(r, "es", num(o.es[j]));
			r = set(r, "confidence", dist ? jv_number(conf) : jv_null());
			r = set(r, "sign", jv_string("loss"));
			r = set(r, "repaired", s->kind == RISK_SC_CORR ? jv_bool(o.repaired) : jv_null());
			*out = jv_array_append(*out, r);
		}
	}
	free(buf);
	if (rc) {
		jv_free(*out);
		*out = jv_invalid();
	}
	return rc;
}
