/* grid-ptdf: DC power transfer distribution factors of a MATPOWER case. */
#include <stdlib.h>
#include <string.h>

#include "wp.h"
#include "grid/grid.h"

static const struct wp_opt opts[] = {
	{ "branch", 'b', "LIST", "branches: case rows or FROM-TO bus pairs, comma-separated (default all)", WP_COMPLETE_NONE },
	{ "bus", 0, "LIST", "injection buses, comma-separated (default all)", WP_COMPLETE_NONE },
	{ "slack", 's', "SPEC", "ref (default), load, a bus, or BUS=W,BUS=W,... weights", WP_COMPLETE_WORDS("ref load") },
	{ "wide", 'w', NULL, "CSV matrix: a row per branch, a column per bus", WP_COMPLETE_NONE },
	{ "digits", 'd', "N", "significant digits, 1 to 17 (default: shortest exact)", WP_COMPLETE_NONE },
	WP_OUTPUT_OPTS,
	WP_COMMON_OPTS,
	{ 0 },
};

static const struct wp_prog prog = {
	"grid-ptdf", "DC power transfer distribution factors of a MATPOWER case",
	"[options] CASE_FILE", opts, NULL,
};

static const char *const columns[] = { "branch", "from_bus", "to_bus", "bus", "ptdf", NULL };

/* Every --branch / --bus list, resolved; a bad one is a usage error. */
static int selection(struct wp_cli *cli, const struct grid_net *n, const char *opt, int **out,
		     int *k, struct wp_err *err)
{
	for (int i = 0; i < wp_cli_count(cli, opt); i++) {
		const char *list = wp_cli_nth(cli, opt, i);
		int rc = strcmp(opt, "branch") == 0 ? grid_net_parse_branches(n, list, out, k, err)
						    : grid_net_parse_buses(n, list, out, k, err);

		if (rc) {
			err->code = WP_EUSAGE;
			return wp_err_prefix(err, "--%s", opt);
		}
	}
	return 0;
}

static int run(struct wp_cli *cli, struct wp_err *err)
{
	struct grid_model m = GRID_MODEL_INIT;
	struct grid_ptdf_out o = { 0 };
	int *br = NULL, *bus = NULL, rc;
	const char *fmt = wp_cli_get(cli, "output");
	long digits;

	if (cli->argc != 1)
		return wp_err_set(err, WP_EUSAGE, "expected one case file (see --help)");
	if (wp_cli_has(cli, "wide") && ((fmt && strcmp(fmt, "csv")) || wp_cli_has(cli, "fields") ||
					wp_cli_has(cli, "jq")))
		return wp_err_set(err, WP_EUSAGE, "--wide writes a CSV matrix: no -o, --fields or --jq");
	if ((rc = wp_cli_long(cli, "digits", 0, &digits, err)))
		return rc;
	if (digits < 0 || digits > 17)
		return wp_err_set(err, WP_EUSAGE, "--digits: %ld is not 1 to 17", digits);
	o.digits = (int)digits;
	if ((rc = grid_model_open(&m, cli->argv[0], wp_cli_get(cli, "slack"), err)))
		goto out;
	if (strstr(m.c.skipped, "dcline"))
		wp_cli_note(cli, "%s: DC lines (mpc.dcline) are not modelled", cli->argv[0]);
	if ((rc = selection(cli, &m.net, "branch", &br, &o.nbr, err)) ||
	    (rc = selection(cli, &m.net, "bus", &bus, &o.nbus, err)))
		goto out;
	o.br = wp_cli_has(cli, "branch") ? br : NULL;
	o.bus = wp_cli_has(cli, "bus") ? bus : NULL;
	if (wp_cli_has(cli, "wide"))
		o.wide = cli->out;
	else if ((rc = wp_cli_writer(cli, columns, &o.w, err)))
		goto out;
	rc = grid_ptdf_write(&m.p, &o, err);
out:
	free(br);
	free(bus);
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
