/* hh-basis: hub gas prices minus Henry Hub by gas day, spreads between
 * hubs, rolling volatility and correlation. */
#include "wp.h"
#include "gas/gas.h"

static const struct wp_opt opts[] = {
	{ "henry", 0, "FILE", "Henry Hub prices from FILE (records like the input)", WP_COMPLETE_FILE },
	{ "eia", 0, NULL, "Henry Hub spot from EIA when the input has none", WP_COMPLETE_NONE },
	{ "window", 'w', "N", "rolling volatility and correlation over N daily changes", WP_COMPLETE_NONE },
	{ "spread", 0, "HUB:HUB", "also the spread between two hubs (repeatable)", WP_COMPLETE_NONE },
	WP_INPUT_OPTS,
	WP_OUTPUT_OPTS,
	WP_NET_OPTS,
	WP_COMMON_OPTS,
	{ 0 }
};
static const struct wp_prog prog = { "hh-basis", "natural gas hub basis against Henry Hub",
				     "[options] [FILE...]", opts, "gas" };
static const char *const columns[] = { "date", "hub", "price", "against", "against_price",
	"basis", "vol", "corr", "currency", "unit", NULL };

static void report(void *cli, const char *msg)
{
	wp_cli_warn(cli, "%s", msg);
}

static int add(void *b, jv rec, const char *name, long line, struct wp_err *err)
{
	return basis_add(b, rec, name, line, err);
}

static int run(struct wp_cli *cli, struct wp_err *err)
{
	struct basis_opts o = { 0 };
	struct basis_ctx *b = NULL;
	struct gas_source src = { 0 };
	struct wp_writer *w;
	const char *spreads[16];
	long window, skipped = 0;
	int ns = wp_cli_count(cli, "spread"), rc;

	if (ns >= (int)(sizeof spreads / sizeof spreads[0]))
		return wp_err_set(err, WP_EUSAGE, "at most 15 --spread");
	for (int i = 0; i < ns; i++)
		spreads[i] = wp_cli_nth(cli, "spread", i);
	spreads[ns] = NULL;
	if ((rc = wp_cli_long(cli, "window", 0, &window, err)))
		return rc;
	if (window < 0 || window == 1)
		return wp_err_set(err, WP_EUSAGE, "--window must be 2 or more");
	o.window = (int)window;
	o.spreads = spreads;
	o.keep_going = wp_cli_has(cli, "keep-going");
	if ((rc = basis_new(&b, &o, err)))
		return rc;
	for (int i = 0; !rc && i < (cli->argc ? cli->argc : 1); i++)
		rc = wp_cli_read(cli, cli->argc ? cli->argv[i] : NULL, add, b, err);
	if (!rc && wp_cli_get(cli, "henry"))
		rc = wp_cli_read(cli, wp_cli_get(cli, "henry"), add, b, err);
	if (!rc && wp_cli_has(cli, "eia") && !basis_has_henry(b) &&
	    (rc = gas_source_open(cli, &src, err)) == 0)
		rc = basis_fetch_henry(b, &src, err);
	if (!rc && (rc = wp_cli_writer(cli, columns, &w, err)) == 0)
		rc = basis_run(b, w, report, cli, &skipped, err);
	cli->skipped += skipped;
	gas_source_close(&src);
	basis_free(b);
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
