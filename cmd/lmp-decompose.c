/* lmp-decompose: nodal prices into energy, congestion and loss, from a
 * network model and shadow prices, or from published price records. */
#include <stdlib.h>
#include <string.h>

#include "wp.h"
#include "grid/grid.h"

static const struct wp_opt opts[] = {
	{ "case", 'c', "FILE", "MATPOWER case file (model mode, or the shadow-price estimate)", WP_COMPLETE_FILE },
	{ "energy", 'e', "PRICE", "model mode: energy price at the reference, $/MWh", WP_COMPLETE_NONE },
	{ "slack", 's', "SPEC", "reference: ref (default), load, a bus, or BUS=W,... weights", WP_COMPLETE_WORDS("ref load") },
	{ "loss-factors", 'l', "FILE", "model mode: records (bus, lf) of marginal loss factors", WP_COMPLETE_FILE },
	{ "by-constraint", 0, NULL, "model mode: a record per bus and binding constraint", WP_COMPLETE_NONE },
	{ "hub", 0, "NAME", "market mode: basis of every node to this hub", WP_COMPLETE_NONE },
	{ "map", 'm', "FILE", "estimate: records mapping location to case bus", WP_COMPLETE_FILE },
	{ "branch", 'b', "LIST", "estimate: candidate constraints, case rows or FROM-TO", WP_COMPLETE_NONE },
	WP_INPUT_OPTS,
	WP_OUTPUT_OPTS,
	WP_COMMON_OPTS,
	{ 0 },
};

static const struct wp_prog prog = {
	"lmp-decompose", "Split nodal prices into energy, congestion and loss",
	"[options] [FILE]", opts, NULL,
};

static int bad_record(void *cli, int rc, struct wp_err *err)
{
	return wp_cli_bad_record(cli, rc, err);
}

/* Records from a file named by an option, through fn. */
static int read_side_file(const char *path, int (*fn)(const struct grid_net *, struct wp_reader *,
						  const char *, void *, struct wp_err *),
			  const struct grid_net *n, void *out, struct wp_err *err)
{
	struct wp_reader *r;
	FILE *f = fopen(path, "r");
	int rc;

	if (!f)
		return wp_err_errno(err, WP_ENOINPUT, "cannot open", path);
	if (!(rc = wp_reader_open(&r, f, path, WP_FMT_AUTO, err))) {
		rc = fn(n, r, path, out, err);
		wp_reader_free(r);
	}
	fclose(f);
	return rc;
}

static int loss_factors(const struct grid_net *n, struct wp_reader *r, const char *src,
			void *lf, struct wp_err *err)
{
	return grid_read_loss_factors(n, r, src, lf, err);
}

static int location_map(const struct grid_net *n, struct wp_reader *r, const char *src,
			void *map, struct wp_err *err)
{
	return grid_map_read(map, n, r, src, err);
}

static int model_mode(struct wp_cli *cli, struct grid_model *m, struct wp_reader *r,
		      const char *src, struct wp_err *err)
{
	struct grid_binding *c = NULL;
	struct wp_writer *w;
	const char *lfpath = wp_cli_get(cli, "loss-factors");
	double lambda, *lf = NULL;
	int k = 0, rc, by = wp_cli_has(cli, "by-constraint");

	if ((rc = wp_cli_double(cli, "energy", 0, &lambda, err)))
		return rc;
	if (lfpath && !(lf = malloc((size_t)m->net.nb * sizeof *lf)))
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	if ((!lfpath || !(rc = read_side_file(lfpath, loss_factors, &m->net, lf, err))) &&
	    !(rc = grid_read_bindings(&m->net, r, src, bad_record, cli, &c, &k, err)) &&
	    !(rc = wp_cli_writer(cli, by ? grid_cols_constraint : grid_cols_model, &w, err)))
		rc = grid_decompose_model(&m->p, lambda, lf, c, k, by, w, err);
	free(c);
	free(lf);
	return rc;
}

/* The candidate constraints' PTDF rows and the location map. */
static int estimate_setup(struct wp_cli *cli, struct grid_model *m, struct grid_market *o,
			  struct grid_map *map, int **br, double **h, struct wp_err *err)
{
	const char *path = wp_cli_get(cli, "map");
	int rc;

	if (!path || !wp_cli_has(cli, "branch"))
		return wp_err_set(err, WP_EUSAGE, "--case without --energy estimates shadow prices: "
				  "give --map and --branch too");
	for (int i = 0; i < wp_cli_count(cli, "branch"); i++)
		if ((rc = grid_net_parse_branches(&m->net, wp_cli_nth(cli, "branch", i), br, &o->k, err))) {
			err->code = WP_EUSAGE;
			return wp_err_prefix(err, "--branch");
		}
	if ((rc = read_side_file(path, location_map, &m->net, map, err)))
		return rc;
	if (!(*h = malloc((size_t)o->k * m->net.nb * sizeof **h)))
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	o->p = &m->p, o->map = map, o->br = *br, o->h = *h;
	return grid_ptdf_rows(&m->p, *br, o->k, *h, err);
}

static int run(struct wp_cli *cli, struct wp_err *err)
{
	struct grid_model m = GRID_MODEL_INIT;
	struct grid_map map = GRID_MAP_INIT;
	struct grid_market o = { 0 };
	struct wp_reader *r = NULL;
	struct wp_writer *w;
	const char *cas = wp_cli_get(cli, "case");
	const char *src = cli->argc ? cli->argv[0] : "stdin";
	FILE *in = NULL;
	int *br = NULL, rc;
	double *h = NULL;

	if (cli->argc > 1)
		return wp_err_set(err, WP_EUSAGE, "at most one input file (see --help)");
	if (wp_cli_has(cli, "energy") && !cas)
		return wp_err_set(err, WP_EUSAGE, "--energy needs --case");
	if ((wp_cli_has(cli, "loss-factors") || wp_cli_has(cli, "by-constraint")) &&
	    !wp_cli_has(cli, "energy"))
		return wp_err_set(err, WP_EUSAGE, "--loss-factors and --by-constraint are for model "
				  "mode (--case and --energy)");
	if (cas && wp_cli_has(cli, "hub"))
		return wp_err_set(err, WP_EUSAGE, "--hub is for market mode (no --case)");
	if (cas && (rc = grid_model_open(&m, cas, wp_cli_get(cli, "slack"), err)))
		goto out;
	if ((rc = wp_cli_reader(cli, cli->argc ? cli->argv[0] : NULL, &r, &in, err)))
		goto out;
	if (cas && wp_cli_has(cli, "energy")) {
		rc = model_mode(cli, &m, r, src, err);
		goto out;
	}
	o.src = src, o.hub = wp_cli_get(cli, "hub"), o.bad = bad_record, o.ctx = cli;
	if (cas && (rc = estimate_setup(cli, &m, &o, &map, &br, &h, err)))
		goto out;
	if (!(rc = wp_cli_writer(cli, cas ? grid_cols_estimate : o.hub ? grid_cols_market_hub
								      : grid_cols_market, &w, err)))
		rc = grid_market_run(&o, r, w, err);
out:
	free(br);
	free(h);
	grid_map_release(&map);
	if (r)
		wp_reader_free(r);
	if (in)
		fclose(in);
	grid_model_release(&m);
	return rc;
}

int main(int argc, char **argv)
{
	struct wp_cli cli = WP_CLI_INIT;
	struct wp_err err = WP_ERR_INIT;
	int rc;

	if ((rc = wp_cli_init(&cli, &prog, argc, argv, &err)) == 0)
		rc = run(&cli, &err);
	return wp_cli_finish(&cli, rc, &err);
}
