/* grid.c: lib/grid against MATPOWER's own results (tests/data/grid) and the
 * worked anchor of shared/api/lmp.md section 7. */
#include <stdlib.h>
#include <string.h>

#include "grid/grid.h"
#include "tap.h"

#ifndef DATA
#define DATA "tests/data/grid/"
#endif

struct model {
	struct grid_case c;
	struct grid_net net;
	struct grid_ptdf p;
};

static int model_open(struct model *m, const char *path, const double *w)
{
	struct wp_err err = WP_ERR_INIT;
	int rc;

	m->c = (struct grid_case)GRID_CASE_INIT;
	m->net = (struct grid_net)GRID_NET_INIT;
	m->p = (struct grid_ptdf)GRID_PTDF_INIT;
	if ((rc = grid_case_load(&m->c, path, &err)) || (rc = grid_net_build(&m->net, &m->c, &err)) ||
	    (rc = grid_ptdf_init(&m->p, &m->net, w, &err)))
		printf("# %s: %s\n", path, err.msg);
	return rc;
}

static void model_close(struct model *m)
{
	grid_ptdf_release(&m->p);
	grid_net_release(&m->net);
	grid_case_release(&m->c);
}

/* A CSV of numbers with a header row: rows x cols into *v (malloc'd). */
static int read_csv(const char *path, int *rows, int *cols, double **v)
{
	FILE *f = fopen(path, "r");
	char line[65536];
	int n = 0, cap = 0;

	*rows = *cols = 0;
	*v = NULL;
	if (!f || !fgets(line, sizeof line, f))
		return -1;
	*cols = 1;
	for (char *s = line; *s; s++)
		*cols += *s == ',';
	while (fgets(line, sizeof line, f)) {
		char *s = line, *e;

		for (int j = 0; j < *cols; j++) {
			if (n == cap)
				*v = realloc(*v, (size_t)(cap = cap ? 2 * cap : 1024) * sizeof **v);
			(*v)[n++] = strtod(s, &e);
			s = *e == ',' ? e + 1 : e;
		}
		(*rows)++;
	}
	fclose(f);
	return 0;
}

static double ptdf_maxdiff(const char *stem, int by_cols)
{
	char path[256];
	struct model m;
	struct wp_err err = WP_ERR_INIT;
	int rows, cols;
	double *ref, *h, worst = 0;

	snprintf(path, sizeof path, DATA "%s.ptdf.csv", stem);
	if (read_csv(path, &rows, &cols, &ref))
		return 1e9;
	snprintf(path, sizeof path, DATA "%s.m", stem);
	if (model_open(&m, path, NULL) || rows != m.net.nrows || cols != m.net.nb)
		return 1e9;
	h = calloc((size_t)m.net.nl * m.net.nb, sizeof *h);
	if (by_cols) {
		int *bus = malloc((size_t)m.net.nb * sizeof *bus);
		double *c = malloc((size_t)m.net.nl * m.net.nb * sizeof *c);

		for (int j = 0; j < m.net.nb; j++)
			bus[j] = j;
		if (grid_ptdf_cols(&m.p, bus, m.net.nb, c, &err))
			worst = 1e9;
		for (int j = 0; j < m.net.nb; j++)
			for (int l = 0; l < m.net.nl; l++)
				h[(size_t)l * m.net.nb + j] = c[(size_t)j * m.net.nl + l];
		free(bus);
		free(c);
	} else {
		int *br = malloc((size_t)m.net.nl * sizeof *br);

		for (int l = 0; l < m.net.nl; l++)
			br[l] = l;
		if (grid_ptdf_rows(&m.p, br, m.net.nl, h, &err))
			worst = 1e9;
		free(br);
	}
	for (int r = 0; r < rows; r++)
		for (int j = 0; j < cols; j++) {
			int l = m.net.of_row[r];
			double d = fabs((l < 0 ? 0 : h[(size_t)l * m.net.nb + j]) - ref[r * cols + j]);

			if (d > worst)
				worst = d;
		}
	free(h);
	free(ref);
	model_close(&m);
	return worst;
}

static void test_ptdf_reference(void)
{
	const char *stems[] = { "case9", "case14", "case30" };
	char what[128];

	for (size_t i = 0; i < sizeof stems / sizeof *stems; i++) {
		double d = ptdf_maxdiff(stems[i], 0);

		snprintf(what, sizeof what, "%s: PTDF rows match makePTDF to 1e-8", stems[i]);
		if (!ok(d <= 1e-8, what))
			printf("#   max difference %g\n", d);
		d = ptdf_maxdiff(stems[i], 1);
		snprintf(what, sizeof what, "%s: PTDF columns match makePTDF to 1e-8", stems[i]);
		if (!ok(d <= 1e-8, what))
			printf("#   max difference %g\n", d);
	}
}

/* LMP = lambda + congestion from MATPOWER's own duals, against its LAM_P. */
static void test_model_lmp(const char *stem)
{
	char path[256], what[128];
	struct model m;
	struct wp_err err = WP_ERR_INIT;
	struct grid_binding c[64];
	int k = 0, rows, cols, rows2, cols2;
	double *lmp, *brs, *cong, worst = 0;

	snprintf(path, sizeof path, DATA "%s.dcopf.csv", stem);
	read_csv(path, &rows, &cols, &lmp);
	snprintf(path, sizeof path, DATA "%s.dcopf-branches.csv", stem);
	read_csv(path, &rows2, &cols2, &brs);
	snprintf(path, sizeof path, DATA "%s.m", stem);
	if (model_open(&m, path, NULL) || rows != m.net.nb)
		return (void)ok(0, stem);
	for (int r = 0; r < rows2 && k < 64; r++) {
		double mu = brs[r * cols2 + 3] - brs[r * cols2 + 4];

		if (mu != 0)
			c[k++] = (struct grid_binding){ m.net.of_row[r], mu };
	}
	cong = malloc((size_t)m.net.nb * sizeof *cong);
	if (grid_lmp_congestion(&m.p, c, k, cong, NULL, &err))
		worst = 1e9;
	for (int i = 0; i < m.net.nb; i++) {
		double d = fabs(lmp[m.net.ref * cols + 1] + cong[i] - lmp[i * cols + 1]);

		if (d > worst)
			worst = d;
	}
	snprintf(what, sizeof what, "%s: %d binding, LMPs match rundcopf to 1e-6", stem, k);
	if (!ok(worst <= 1e-6, what))
		printf("#   max difference %g\n", worst);

	/* and back: the shadow prices from the congestion components */
	if (k > 0) {
		int *bus = malloc((size_t)m.net.nb * sizeof *bus), br[64];
		double mu[64], c0, rms, *h = malloc((size_t)k * m.net.nb * sizeof *h);

		for (int i = 0; i < m.net.nb; i++) {
			bus[i] = i;
			cong[i] = lmp[i * cols + 1] - 10; /* any energy reference */
		}
		for (int i = 0; i < k; i++)
			br[i] = c[i].br;
		grid_ptdf_rows(&m.p, br, k, h, &err);
		ok(!grid_mu_estimate(h, m.net.nb, bus, cong, m.net.nb, k, mu, &c0, &rms, &err),
		   "shadow prices estimated");
		worst = 0;
		for (int i = 0; i < k; i++)
			if (fabs(mu[i] - c[i].mu) > worst)
				worst = fabs(mu[i] - c[i].mu);
		snprintf(what, sizeof what, "%s: least-squares shadow prices within 1e-6", stem);
		if (!ok(worst <= 1e-6 && rms < 1e-6, what))
			printf("#   max difference %g, rms %g\n", worst, rms);
		is_num(c0, lmp[m.net.ref * cols + 1] - 10, 1e-6, "offset = reference LMP - 10");
		free(bus);
		free(h);
	}
	free(cong);
	free(lmp);
	free(brs);
	model_close(&m);
}

static int bus_of(const struct grid_net *n, long id)
{
	return grid_net_bus(n, id);
}

/* lmp.md section 7, t_auction_case with branch 18 binding. */
static void test_anchor(void)
{
	static const struct {
		long bus;
		double h, lmp;
	} rows[] = {
		{ 1, 0, 52.0160 },       { 2, -0.00218, 52.0203 },  { 10, -0.10828, 52.2275 },
		{ 12, 0.18164, 51.6613 }, { 13, 0.18164, 51.6613 },  { 16, 0.18164, 51.6613 },
		{ 17, 0.18164, 51.6613 }, { 14, -0.22086, 52.4473 }, { 15, -0.53047, 53.0520 },
		{ 18, -0.53047, 53.0520 }, { 19, -0.53047, 53.0520 }, { 20, -0.53047, 53.0520 },
		{ 220, -0.13422, 52.2781 }, { 23, -0.39718, 52.7917 }, { 24, -0.21723, 52.4403 },
		{ 27, -0.10636, 52.2237 }, { 29, -0.10636, 52.2237 }, { 30, -0.10636, 52.2237 },
	};
	static const struct {
		long bus;
		double mw;
	} dispatch[] = { { 1, 35.08 }, { 2, 35.10 }, { 220, 36.39 }, { 27, 36.12 },
			 { 23, 38.96 }, { 13, 60.00 }, { 7, -30 }, { 15, -30 }, { 30, -30 } };
	struct model m;
	struct wp_err err = WP_ERR_INIT;
	struct grid_binding c;
	double *h, *cong, *cw, flow = 0, pd = 0, energy = 0, hub, hubc;
	int br18, good_h = 1, good_lmp = 1;

	if (model_open(&m, DATA "t_auction_case.m", NULL))
		return (void)ok(0, "t_auction_case loads");
	is_int(m.net.nb, 30, "t_auction_case: 30 buses");
	is_int(m.net.nl, 39, "t_auction_case: 41 branches, 2 out of service");
	is_int(m.c.version, 1, "t_auction_case: version 1 syntax");
	is_str(m.c.skipped, "areas", "t_auction_case: areas skipped");
	br18 = m.net.of_row[17];
	c = (struct grid_binding){ br18, 1.953 };
	h = malloc((size_t)m.net.nb * sizeof *h);
	cong = malloc((size_t)m.net.nb * sizeof *cong);
	cw = malloc((size_t)m.net.nb * sizeof *cw);
	grid_ptdf_rows(&m.p, &br18, 1, h, &err);
	grid_lmp_congestion(&m.p, &c, 1, cong, NULL, &err);
	for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
		int b = bus_of(&m.net, rows[i].bus);
		double lmp = 52.016 + cong[b];

		if (fabs(h[b] - rows[i].h) > 0.5e-5) {
			good_h = 0;
			printf("#   bus %ld: H %.6f, table %.5f\n", rows[i].bus, h[b], rows[i].h);
		}
		/* the table's 4 decimals, exactly */
		if (fabs(lmp - rows[i].lmp) >= 0.5e-4) {
			good_lmp = 0;
			printf("#   bus %ld: LMP %.6f, table %.4f\n", rows[i].bus, lmp, rows[i].lmp);
		}
	}
	ok(good_h, "anchor: H[18, bus] as in lmp.md to 5 decimals");
	ok(good_lmp, "anchor: LMP = 52.016 - 1.953 H[18, bus] as in lmp.md to 4 decimals");

	for (size_t i = 0; i < sizeof dispatch / sizeof *dispatch; i++)
		flow += h[bus_of(&m.net, dispatch[i].bus)] * dispatch[i].mw;
	for (int i = 0; i < m.net.nb; i++) {
		flow -= h[i] * m.net.pd[i];
		pd += m.net.pd[i];
	}
	is_num(pd, 151.644, 0.0005, "anchor: fixed load 151.644 MW");
	is_num(flow, 24.998, 0.0005, "anchor: flow on branch 18 with the printed dispatch");

	/* load-weighted reference: energy = sum w LMP, congestion from H_w */
	for (int i = 0; i < m.net.nb; i++)
		energy += m.net.pd[i] / pd * (52.016 + cong[i]);
	is_num(energy, 52.2596, 0.00005, "anchor: load-weighted energy 52.2596");
	grid_ptdf_release(&m.p);
	grid_ptdf_init(&m.p, &m.net, m.net.pd, &err);
	grid_lmp_congestion(&m.p, &c, 1, cw, NULL, &err);
	is_num(cw[bus_of(&m.net, 15)], 0.7924, 0.00005, "anchor: weighted congestion bus 15");
	is_num(cw[bus_of(&m.net, 12)], -0.5983, 0.00005, "anchor: weighted congestion bus 12");
	{
		double s = 0;

		for (int i = 0; i < m.net.nb; i++)
			s += m.net.pd[i] / pd * cw[i];
		is_num(s, 0, 1e-12, "anchor: sum w * congestion = 0 under the weighted reference");
	}
	{
		double worst = 0;

		for (int i = 0; i < m.net.nb; i++)
			worst = fmax(worst, fabs(energy + cw[i] - (52.016 + cong[i])));
		ok(worst < 1e-9, "anchor: moving the reference changes the split, not the LMP");
	}

	/* hub of buses 220, 23, 27 */
	hubc = (cong[bus_of(&m.net, 220)] + cong[bus_of(&m.net, 23)] + cong[bus_of(&m.net, 27)]) / 3;
	hub = 52.016 + hubc;
	is_num(hubc, 0.41518, 0.000005, "anchor: hub congestion 0.41518");
	is_num(hub, 52.4312, 0.00005, "anchor: hub LMP 52.4312");
	is_num(cong[bus_of(&m.net, 15)] - hubc, 0.6208, 0.00005, "anchor: basis bus 15");
	is_num(cong[bus_of(&m.net, 12)] - hubc, -0.7699, 0.00005, "anchor: basis bus 12");
	is_num(cong[bus_of(&m.net, 1)] - hubc, -0.4152, 0.00005, "anchor: basis bus 1");
	free(h);
	free(cong);
	free(cw);
	model_close(&m);
}

/* Slack choices: H_k = H_r (I - e_k 1'), H_w w = 0, columns agree with rows. */
static void test_slack(void)
{
	struct model m, mk, mw;
	struct wp_err err = WP_ERR_INIT;
	double *w, *hr, *hk, *hw, *cw, worst_k = 0, worst_w = 0, worst_c = 0;
	int nb, nl, *br, *bus, k;

	if (model_open(&m, DATA "case14.m", NULL))
		return (void)ok(0, "case14");
	nb = m.net.nb, nl = m.net.nl;
	k = bus_of(&m.net, 9);
	ok(!grid_slack_parse(&m.net, "9", &w, &err) && w && w[k] == 1, "--slack 9 is e_9");
	model_open(&mk, DATA "case14.m", w);
	free(w);
	ok(!grid_slack_parse(&m.net, "load", &w, &err), "--slack load");
	model_open(&mw, DATA "case14.m", w);
	hr = malloc((size_t)nl * nb * sizeof *hr);
	hk = malloc((size_t)nl * nb * sizeof *hk);
	hw = malloc((size_t)nl * nb * sizeof *hw);
	cw = malloc((size_t)nl * nb * sizeof *cw);
	br = malloc((size_t)nl * sizeof *br);
	bus = malloc((size_t)nb * sizeof *bus);
	for (int l = 0; l < nl; l++)
		br[l] = l;
	for (int j = 0; j < nb; j++)
		bus[j] = j;
	grid_ptdf_rows(&m.p, br, nl, hr, &err);
	grid_ptdf_rows(&mk.p, br, nl, hk, &err);
	grid_ptdf_rows(&mw.p, br, nl, hw, &err);
	grid_ptdf_cols(&mw.p, bus, nb, cw, &err);
	for (int l = 0; l < nl; l++) {
		double s = 0, pdsum = 0;

		for (int j = 0; j < nb; j++) {
			double want = hr[l * nb + j] - hr[l * nb + k];

			worst_k = fmax(worst_k, fabs(hk[l * nb + j] - want));
			worst_c = fmax(worst_c, fabs(cw[j * nl + l] - hw[l * nb + j]));
			s += hw[l * nb + j] * w[j];
			pdsum += w[j];
		}
		worst_w = fmax(worst_w, fabs(s / pdsum));
	}
	ok(worst_k < 1e-12, "slack at bus 9: H_9 = H_ref (I - e_9 1')");
	ok(worst_w < 1e-12, "load-weighted slack: H_w w = 0");
	ok(worst_c < 1e-12, "distributed slack: columns agree with rows");
	free(w);
	ok(!grid_slack_parse(&m.net, "9=1,14=3", &w, &err) && w[bus_of(&m.net, 14)] == 3,
	   "--slack 9=1,14=3");
	free(w);
	is_int(grid_slack_parse(&m.net, "99", &w, &err), WP_EUSAGE, "--slack with an unknown bus");
	ok(strstr(err.msg, "bus 99"), "  ... names it");
	is_int(grid_slack_parse(&m.net, "9=x", &w, &err), WP_EUSAGE, "--slack with a bad weight");
	free(hr), free(hk), free(hw), free(cw), free(br), free(bus);
	model_close(&m);
	model_close(&mk);
	model_close(&mw);
}

/* case9's radial branches, and the row of branch 4-5 from lmp.md. */
static void test_case9_rows(void)
{
	struct model m;
	struct wp_err err = WP_ERR_INIT;
	double h[3 * 9], want45[9] = { 0, -0.3613, -0.6152, 0, -0.8649, -0.6152, -0.4671, -0.3613,
				       -0.1249 };
	int br[3] = { 1, 0, 3 }, good = 1;

	if (model_open(&m, DATA "case9.m", NULL))
		return (void)ok(0, "case9");
	grid_ptdf_rows(&m.p, br, 3, h, &err);
	for (int j = 0; j < 9; j++) {
		good &= fabs(h[j] - want45[j]) < 0.5e-4;
		good &= h[9 + j] == (j == 0 ? 0 : -1) || fabs(h[9 + j] - (j == 0 ? 0 : -1)) < 1e-12;
		good &= fabs(h[18 + j] - (j == 2 ? 1 : 0)) < 1e-12;
	}
	ok(good, "case9: row 4-5 as in lmp.md; radial rows are 0 or +-1");
	model_close(&m);
}

static int parse_text(const char *text, struct grid_case *c, struct grid_net *n,
		      struct wp_err *err)
{
	int rc;

	*c = (struct grid_case)GRID_CASE_INIT;
	*n = (struct grid_net)GRID_NET_INIT;
	rc = grid_case_parse(c, "t.m", text, strlen(text), err);
	if (!rc)
		rc = grid_net_build(n, c, err);
	return rc;
}

#define BUS3 "mpc.baseMVA = 100;\nmpc.bus = [\n1 3 0 0 0 0 1 1 0 345 1 1.1 0.9;\n" \
	     "2 1 50 0 0 0 1 1 0 345 1 1.1 0.9;\n3 1 50 0 0 0 1 1 0 345 1 1.1 0.9;\n];\n"

static void test_bad_cases(void)
{
	static const struct {
		const char *text, *want, *what;
	} cases[] = {
		{ BUS3 "mpc.branch = [\n1 2 0 0.1 0 0 0 0 0 0 1;\n2 3 0 0.1 0 0 0 0 0 1;\n];\n",
		  "t.m:9: branch row 2 has 10 columns", "bad row length" },
		{ BUS3 "mpc.branch = [\n1 2 0 0.1 0 0 0 0 0 0 1;\n2 4 0 0.1 0 0 0 0 0 0 1;\n];\n",
		  "t.m:9: branch 2 (2-4): unknown bus 4", "unknown bus in a branch" },
		{ BUS3 "mpc.branch = [\n1 2 0 0.1 0 0 0 0 0 0 1;\n2 3 0 0 0 0 0 0 0 0 1;\n];\n",
		  "t.m:9: branch 2 (2-3) has zero reactance", "zero reactance" },
		{ "mpc.baseMVA = 100;\nmpc.bus = [\n1 2 0 0 0 0 1 1 0 345 1 1.1 0.9;\n"
		  "2 1 0 0 0 0 1 1 0 345 1 1.1 0.9;\n];\nmpc.branch = [1 2 0 0.1 0 0 0 0 0 0 1];\n",
		  "t.m:2: no reference bus", "no reference bus" },
		{ BUS3 "mpc.branch = [\n1 2 0 0.1 0 0 0 0 0 0 1;\n2 3 0 0.1 0 0 0 0 0 0 0;\n];\n",
		  "t.m: 1 bus not connected to reference bus 1 \\(islands\\): 3", "island" },
		{ BUS3 "mpc.branch = [\n1 2 0 0.1 0 0 0 0 0 0 1;\n];\nmpc.branch(1, 4) = 0.2;\n",
		  "t.m:10: indexed assignment to branch is not supported", "indexed assignment" },
		{ "mpc.version = '3';\n", "t.m:1: case format version '3' is not supported",
		  "version 3" },
		{ BUS3 "mpc.branch = [\n1 2 0 1/10 0 0 0 0 0 0 1;\n];\n",
		  "t.m:8: branch: '1/10' is not a number", "expression in a matrix" },
		{ BUS3 "mpc.branch = [\n1 2 0 0.1 0 0 0 0 0 0 1;\n];\n" BUS3,
		  "t.m:11: bus assigned twice", "matrix assigned twice" },
		{ "mpc.baseMVA = 100;\nmpc.bus = [\n1 3 0 0 0 0 1 1 0 345 1 1.1 0.9;\n"
		  "1 1 0 0 0 0 1 1 0 345 1 1.1 0.9;\n];\nmpc.branch = [1 1 0 0.1 0 0 0 0 0 0 1];\n",
		  "t.m:4: bus 1 appears twice", "duplicate bus" },
	};
	char what[128];

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct grid_case c;
		struct grid_net n;
		struct wp_err err = WP_ERR_INIT;
		int rc = parse_text(cases[i].text, &c, &n, &err);
		const char *want = cases[i].want;
		char plain[256];
		size_t k = 0;

		for (const char *s = want; *s && k < sizeof plain - 1; s++)
			if (*s != '\\')
				plain[k++] = *s;
		plain[k] = '\0';
		snprintf(what, sizeof what, "%s: exit 65 naming the line", cases[i].what);
		if (!ok(rc == WP_EDATA && !strncmp(err.msg, plain, strlen(plain)), what))
			printf("#   rc %d: %s\n", rc, err.msg);
		grid_net_release(&n);
		grid_case_release(&c);
	}
}

/* Isolated buses, skipped cells, comments, commas, continuation lines. */
static void test_syntax(void)
{
	const char *text =
		"function mpc = t % a comment\n"
		"mpc.version = '2';\nmpc.baseMVA = 100;\n"
		"mpc.bus = [\n1 3 0 0 0 0 1 1 0 345 1 1.1 0.9; 7 1 20 0 0 0 1 1 0 345 1 1.1 0.9\n"
		"9, 1, 30, 0, 0, 0, 1, 1, 0, 345, 1, 1.1, 0.9; %% end row\n"
		"4 4 10 0 0 0 1 1 0 345 1 1.1 0.9;\n];\n"
		"mpc.branch = [\n1 7 0 0.1 0 0 0 0 0 0 1;\n7 9 0 ...\n 0.1 0 0 0 0 0.95 0 1;\n"
		"9 1 0 -0.05 0 0 0 0 0 0 1;\n9 4 0 0.1 0 0 0 0 0 0 1;\n1 9 0 0.2 0 0 0 0 0 0 0;\n];\n"
		"mpc.bus_name = {\n 'A % not a comment';\n 'B''s }';\n};\nmpc.dcline = [1 2 3];\n";
	struct grid_case c;
	struct grid_net n;
	struct wp_err err = WP_ERR_INIT;

	if (!ok(!parse_text(text, &c, &n, &err), "syntax variants parse"))
		printf("#   %s\n", err.msg);
	is_int(c.bus.nr, 4, "4 bus rows");
	is_int(n.nb, 3, "the isolated bus is dropped");
	is_int(n.nl, 3, "out-of-service and isolated-bus branches are dropped");
	is_int(grid_net_bus(&n, 9), 2, "bus 9 is internal index 2");
	is_int(grid_net_bus(&n, 4), -1, "bus 4 (isolated) has no index");
	is_num(n.b[1], 1 / (0.1 * 0.95), 1e-12, "tap divides b");
	is_num(n.b[2], -20, 1e-12, "negative reactance kept");
	is_str(c.skipped, "bus_name, dcline", "skipped fields listed");
	is_int(c.branch.line[1], 11, "continuation: row line is where it starts");
	grid_net_release(&n);
	grid_case_release(&c);
}

/* A phase shifter drives a loop flow and leaves the PTDF alone. */
static void test_shifter(void)
{
	const char *text = "mpc.baseMVA = 100;\nmpc.bus = [\n1 3 0 0 0 0 1 1 0 345 1 1.1 0.9;\n"
			   "2 1 0 0 0 0 1 1 0 345 1 1.1 0.9;\n];\nmpc.branch = [\n"
			   "1 2 0 0.1 0 0 0 0 0 10 1;\n1 2 0 0.1 0 0 0 0 0 0 1;\n];\n";
	struct grid_case c;
	struct grid_net n;
	struct grid_ptdf p;
	struct wp_err err = WP_ERR_INIT;
	double inj[2] = { 0, 0 }, flow[2], h[4];
	int br[2] = { 0, 1 };

	parse_text(text, &c, &n, &err);
	grid_ptdf_init(&p, &n, NULL, &err);
	grid_ptdf_flows(&p, inj, flow, &err);
	is_num(flow[0], -500 * M_PI / 180 * 10, 1e-9, "shifter: loop flow on the shifted branch");
	is_num(flow[1], 500 * M_PI / 180 * 10, 1e-9, "shifter: and back on the parallel one");
	grid_ptdf_rows(&p, br, 2, h, &err);
	ok(h[1] == -0.5 && h[3] == -0.5, "shifter: PTDF as without the shift");
	inj[0] = 60, inj[1] = -60;
	grid_ptdf_flows(&p, inj, flow, &err);
	is_num(flow[0] + flow[1], 60, 1e-9, "flows carry the transfer");
	grid_ptdf_release(&p);
	grid_net_release(&n);
	grid_case_release(&c);
}

int main(void)
{
	test_ptdf_reference();
	test_model_lmp("case30_congested");
	test_model_lmp("case9");
	test_model_lmp("case14");
	test_model_lmp("case30");
	test_anchor();
	test_slack();
	test_case9_rows();
	test_bad_cases();
	test_syntax();
	test_shifter();
	return done_testing();
}
