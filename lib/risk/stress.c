/* stress.c: scenarios as records, applied to today's positions (risk.md section 6). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "wp.h"
#include "risk/risk.h"

static const char *const kind_names[] = { "shock", "vol", "corr", "window", NULL };

void risk_scenarios_release(struct risk_scenarios *sc)
{
	for (size_t i = 0; i < sc->n; i++) {
		free(sc->v[i].name);
		free(sc->v[i].instrument);
		free(sc->v[i].from);
		free(sc->v[i].to);
	}
	free(sc->v);
	*sc = (struct risk_scenarios)RISK_SCENARIOS_INIT;
}

/* A required number field, or def when absent (def NaN: required). */
static int num_field(jv rec, const char *f, double def, double *out, const char *where,
		     struct wp_err *err)
{
	int rc = wp_rec_num(jv_copy(rec), f, out);

	if (rc == WP_ENULL && !isnan(def)) {
		*out = def;
		return 0;
	}
	if (rc != 0 || !isfinite(*out))
		return wp_err_set(err, WP_EDATA, "%s: %s must be a number", where, f);
	return 0;
}

int risk_scenarios_add(struct risk_scenarios *sc, jv rec, const char *where,
		       struct wp_err *err)
{
	struct risk_scenario s = { 0 };
	char *kind = NULL;
	int rc = 0;

	if (jv_get_kind(rec) != JV_KIND_OBJECT) {
		rc = wp_err_set(err, WP_EDATA, "%s: a scenario is a record", where);
		goto out;
	}
	s.name = wp_rec_str(jv_copy(rec), "scenario");
	kind = wp_rec_str(jv_copy(rec), "kind");
	if (!s.name || !*s.name || !kind) {
		rc = wp_err_set(err, WP_EDATA, "%s: a scenario needs the fields scenario and kind",
				where);
		goto out;
	}
	int k;
	for (k = 0; kind_names[k] && strcmp(kind, kind_names[k]) != 0; k++)
		;
	if (!kind_names[k]) {
		rc = wp_err_set(err, WP_EDATA, "%s: kind '%s' is not shock, vol, corr or window",
				where, kind);
		goto out;
	}
	s.kind = (enum risk_scenario_kind)k;
	s.instrument = wp_rec_str(jv_copy(rec), "instrument");
	if (s.instrument && (strcmp(s.instrument, "*") == 0 || !*s.instrument)) {
		free(s.instrument);
		s.instrument = NULL;
	}
	switch (s.kind) {
	case RISK_SC_SHOCK:
		if ((rc = num_field(rec, "shock", NAN, &s.shock, where, err)) == 0 && s.shock <= -1)
			rc = wp_err_set(err, WP_EDATA, "%s: shock %g would make prices negative "
					"through zero; use a fraction above -1", where, s.shock);
		break;
	case RISK_SC_VOL:
		if ((rc = num_field(rec, "scale", 2, &s.scale, where, err)) == 0 && !(s.scale > 0))
			rc = wp_err_set(err, WP_EDATA, "%s: scale must be positive", where);
		break;
	case RISK_SC_CORR: {
		char *r = wp_rec_str(jv_copy(rec), "rho");
		s.flip = r && strcmp(r, "flip") == 0;
		free(r);
		if (!s.flip && (rc = num_field(rec, "rho", NAN, &s.rho, where, err)) == 0 &&
		    !(s.rho >= -1 && s.rho <= 1))
			rc = wp_err_set(err, WP_EDATA, "%s: rho %g is outside [-1,1]", where, s.rho);
		break;
	}
	case RISK_SC_WINDOW:
		s.from = wp_rec_str(jv_copy(rec), "from");
		s.to = wp_rec_str(jv_copy(rec), "to");
		if (!s.from || !s.to || strcmp(s.from, s.to) > 0)
			rc = wp_err_set(err, WP_EDATA, "%s: a window needs from <= to", where);
		break;
	}
	if (rc)
		goto out;
	for (size_t i = 0; i < sc->n; i++)
		if (strcmp(sc->v[i].name, s.name) == 0 && sc->v[i].kind != s.kind) {
			rc = wp_err_set(err, WP_EDATA, "%s: scenario %s mixes kinds %s and %s", where,
					s.name, kind_names[sc->v[i].kind], kind);
			goto out;
		}
	struct risk_scenario *v = realloc(sc->v, (sc->n + 1) * sizeof(*v));
	if (!v) {
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
		goto out;
	}
	sc->v = v;
	sc->v[sc->n++] = s;
	s = (struct risk_scenario){ 0 };
out:
	free(kind);
	free(s.name);
	free(s.instrument);
	free(s.from);
	free(s.to);
	jv_free(rec);
	return rc;
}

/* The built-in set, as the records a scenario file would hold. */
static const char *const default_scenarios[] = {
	"{\"scenario\":\"prices-50%\",\"kind\":\"shock\",\"shock\":-0.5}",
	"{\"scenario\":\"prices-20%\",\"kind\":\"shock\",\"shock\":-0.2}",
	"{\"scenario\":\"prices+20%\",\"kind\":\"shock\",\"shock\":0.2}",
	"{\"scenario\":\"prices+50%\",\"kind\":\"shock\",\"shock\":0.5}",
	"{\"scenario\":\"vol-x2\",\"kind\":\"vol\",\"scale\":2}",
	"{\"scenario\":\"vol-x3\",\"kind\":\"vol\",\"scale\":3}",
	"{\"scenario\":\"corr-0.99\",\"kind\":\"corr\",\"rho\":0.99}",
	"{\"scenario\":\"corr-0\",\"kind\":\"corr\",\"rho\":0}",
	"{\"scenario\":\"corr-flip-hedges\",\"kind\":\"corr\",\"rho\":\"flip\"}",
	NULL,
};

int risk_scenarios_default(struct risk_scenarios *sc, struct wp_err *err)
{
	int rc = 0;

	for (int i = 0; default_scenarios[i] && rc == 0; i++)
		rc = risk_scenarios_add(sc, jv_parse(default_scenarios[i]), "built-in scenario",
					err);
	return rc;
}

static int applies(const struct risk_scenario *s, const char *name)
{
	return !s->instrument || strcmp(s->instrument, name) == 0;
}

/* Gaussian VaR/ES of position P&L: per instrument and the whole book,
 * from daily price changes' mean mu and covariance cov. */
static void gauss_book(const double *mu, const double *cov, const double *pos, size_t k,
		       double alpha, double *var, double *es)
{
	double z = gsl_cdf_ugaussian_Pinv(alpha), f = gsl_ran_ugaussian_pdf(z) / alpha;
	double m = 0, v = 0;

	for (size_t i = 0; i < k; i++) {
		double sd = fabs(pos[i]) * sqrt(cov[i * k + i]);
		var[i] = -pos[i] * mu[i] - z * sd;
		es[i] = -pos[i] * mu[i] + f * sd;
		m += pos[i] * mu[i];
		for (size_t j = 0; j < k; j++)
			v += pos[i] * cov[i * k + j] * pos[j];
	}
	var[k] = -m - z * sqrt(v);
	es[k] = -m + f * sqrt(v);
}

/* Covariance rebuilt from a stressed correlation, repaired to PSD. */
static int stressed_corr(const struct risk_scenario *lines, size_t nl, const char *const *names,
			 const double *cov, const double *pos, size_t k, double *out,
			 int *repaired, struct wp_err *err)
{
	double *L = malloc(k * k * sizeof(*L));
	int rc;

	if (!L)
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	memcpy(out, cov, k * k * sizeof(*out));
	for (size_t l = 0; l < nl; l++)
		for (size_t i = 0; i < k; i++)
			for (size_t j = 0; j < k; j++) {
				if (i == j || !(applies(&lines[l], names[i]) || applies(&lines[l], names[j])))
					continue;
				double sd = sqrt(cov[i * k + i] * cov[j * k + j]);
				double rho = cov[i * k + j] / sd;
				if (lines[l].flip)
					rho = pos[i] * pos[j] * rho < 0 ? -rho : rho;
				else
					rho = lines[l].rho;
				out[i * k + j] = rho * sd;
			}
	if ((rc = risk_cholesky(out, k, L, repaired, err)) == 0 && *repaired)
		for (size_t i = 0; i < k; i++)
			for (size_t j = 0; j < k; j++) {
				double s = 0;
				for (size_t e = 0; e < k; e++)
					s += L[i * k + e] * L[j * k + e];
				out[i * k + j] = s;
			}
	free(L);
	return rc;
}

int risk_stress_run(const struct risk_series *p, const double *pos,
		    const struct risk_scenarios *sc, const char *name, double alpha,
		    struct risk_stress_out *out, struct wp_err *err)
{
	size_t k = p->k, n = p->n, nl = 0;
	struct risk_scenario *lines = malloc((sc->n + 1) * sizeof(*lines));
	double *d = NULL, *mu = NULL, *cov = NULL, *sc2 = NULL;
	int rc = 0;

	if (!lines)
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	for (size_t i = 0; i < sc->n; i++)
		if (strcmp(sc->v[i].name, name) == 0)
			lines[nl++] = sc->v[i];
	out->days = 0;
	out->repaired = 0;
	for (size_t j = 0; j <= k; j++)
		out->pnl[j] = out->worst[j] = out->var[j] = out->es[j] = NAN;
	if (nl == 0) {
		rc = wp_err_set(err, WP_EUSAGE, "no scenario named %s", name);
		goto out;
	}
	for (size_t l = 0; l < nl; l++)
		if (lines[l].instrument && risk_series_find(p, lines[l].instrument) < 0) {
			rc = wp_err_set(err, WP_EUSAGE, "scenario %s names %s, which is not in the input",
					name, lines[l].instrument);
			goto out;
		}
	if (lines[0].kind == RISK_SC_SHOCK) {
		out->pnl[k] = 0;
		for (size_t j = 0; j < k; j++) {
			double s = 0;
			for (size_t l = 0; l < nl; l++)
				if (applies(&lines[l], p->names[j]))
					s = lines[l].shock; /* a later line overrides an earlier one */
			out->pnl[j] = s ? pos[j] * p->x[(n - 1) * k + j] * s : 0; /* no -0 */
			out->pnl[k] += out->pnl[j];
		}
		goto out;
	}
	if (n < 3) {
		rc = wp_err_set(err, WP_EDATA, "%zu prices: scenario %s needs at least 3", n, name);
		goto out;
	}
	/* daily price changes; row r is the change into date r + 1 */
	if (!(d = malloc(((n - 1) * k + 2 * k + 2 * k * k) * sizeof(*d)))) {
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
		goto out;
	}
	mu = d + (n - 1) * k;
	cov = mu + k;
	sc2 = cov + k * k;
	for (size_t r = 0; r + 1 < n; r++)
		for (size_t j = 0; j < k; j++)
			d[r * k + j] = p->x[(r + 1) * k + j] - p->x[r * k + j];
	if (lines[0].kind == RISK_SC_WINDOW) {
		const char *from = lines[0].from, *to = lines[0].to;
		if (!p->dates) {
			rc = wp_err_set(err, WP_EDATA, "scenario %s: the input has no dates to replay",
					name);
			goto out;
		}
		for (size_t j = 0; j <= k; j++)
			out->pnl[j] = 0, out->worst[j] = INFINITY;
		for (size_t r = 0; r + 1 < n; r++) {
			const char *day = p->dates[r + 1];
			double book = 0;
			if (strcmp(day, from) < 0 || strncmp(day, to, strlen(to)) > 0)
				continue;
			for (size_t j = 0; j < k; j++) {
				double v = pos[j] * d[r * k + j];
				out->pnl[j] += v;
				out->worst[j] = fmin(out->worst[j], v);
				book += v;
			}
			out->pnl[k] += book;
			out->worst[k] = fmin(out->worst[k], book);
			out->days++;
		}
		if (out->days == 0)
			rc = wp_err_set(err, WP_EDATA,
					"scenario %s: no price change between %s and %s in the input "
					"(%s to %s)",
					name, from, to, p->dates[0], p->dates[n - 1]);
		goto out;
	}
	struct risk_series ds = { .n = n - 1, .k = k, .names = p->names, .x = d };
	risk_mean_cov(&ds, mu, cov);
	for (size_t j = 0; j < k; j++)
		if (!(cov[j * k + j] > 0)) {
			rc = wp_err_set(err, WP_EDATA, "%s is constant (zero variance)", p->names[j]);
			goto out;
		}
	if (lines[0].kind == RISK_SC_VOL) {
		double *f = out->worst; /* scratch: the scale per instrument */
		for (size_t j = 0; j < k; j++) {
			f[j] = 1;
			for (size_t l = 0; l < nl; l++)
				if (applies(&lines[l], p->names[j]))
					f[j] = lines[l].scale;
		}
		for (size_t i = 0; i < k; i++)
			for (size_t j = 0; j < k; j++)
				sc2[i * k + j] = f[i] * cov[i * k + j] * f[j];
		for (size_t j = 0; j <= k; j++)
			out->worst[j] = NAN;
	} else if ((rc = stressed_corr(lines, nl, (const char *const *)p->names, cov, pos, k, sc2,
				       &out->repaired, err))) {
		goto out;
	}
	gauss_book(mu, sc2, pos, k, alpha, out->var, out->es);
out:
	free(d);
	free(lines);
	return rc;
}
