/* hh-storage: EIA weekly working gas in storage against last year and the
 * five-year average. */
#include "wp.h"
#include "gas/gas.h"

static const struct wp_opt opts[] = {
	{ "from", 0, "DAY", "first week ending on or after DAY (default -28d)", WP_COMPLETE_NONE },
	{ "to", 0, "DAY", "last week ending on or before DAY (default today)", WP_COMPLETE_NONE },
	{ "series", 's', "ID", "EIA series (repeatable; default Lower 48 and the five regions)", WP_COMPLETE_NONE },
	WP_OUTPUT_OPTS,
	WP_NET_OPTS,
	WP_COMMON_OPTS,
	{ 0 }
};
static const struct wp_prog prog = { "hh-storage", "EIA weekly natural gas storage as records",
				     "[options]", opts, "gas" };
static const char *const columns[] = { "week_ending", "series", "area", "working_gas_bcf",
	"change_bcf", "year_ago_bcf", "vs_year_ago_bcf", "five_year_avg_bcf", "vs_five_year_bcf",
	"vs_five_year_pct", "unit", NULL };

static int run(struct wp_cli *cli, struct wp_err *err)
{
	struct gas_source src = { 0 };
	const char *series[16];
	struct wp_writer *w;
	struct wp_date from, to;
	int n = wp_cli_count(cli, "series"), rc;

	if (n >= (int)(sizeof series / sizeof series[0]))
		return wp_err_set(err, WP_EUSAGE, "at most 15 --series");
	for (int i = 0; i < n; i++)
		series[i] = wp_cli_nth(cli, "series", i);
	series[n] = NULL;
	if ((rc = gas_day(cli, "from", "-28d", &from, err)) ||
	    (rc = gas_day(cli, "to", "today", &to, err)))
		return rc;
	if (wp_date_cmp(from, to) > 0)
		return wp_err_set(err, WP_EUSAGE, "--from is after --to");
	if ((rc = gas_source_open(cli, &src, err)) == 0 &&
	    (rc = wp_cli_writer(cli, columns, &w, err)) == 0)
		rc = hh_storage(&src, n ? series : NULL, from, to, w, err);
	gas_source_close(&src);
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
