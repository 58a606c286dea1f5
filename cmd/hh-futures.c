/* hh-futures: the NYMEX Henry Hub futures strip with last trade dates. */
#include <stdlib.h>

#include "wp.h"
#include "gas/gas.h"

static const struct wp_opt opts[] = {
	{ "curve", 0, "DAY", "the strip as of DAY (default today, New York)", WP_COMPLETE_NONE },
	{ "count", 'n', "N", "number of contracts from the front month (default 12)", WP_COMPLETE_NONE },
	{ "contract", 'c', "SYMBOL", "only this contract, like NGZ25 (repeatable)", WP_COMPLETE_NONE },
	{ "no-prices", 0, NULL, "calendar only: no EIA request, no key needed", WP_COMPLETE_NONE },
	WP_OUTPUT_OPTS,
	WP_NET_OPTS,
	WP_COMMON_OPTS,
	{ 0 }
};
static const struct wp_prog prog = { "hh-futures", "NYMEX Henry Hub futures strip as records",
				     "[options]", opts, "gas" };
static const char *const columns[] = { "symbol", "delivery_month", "first_delivery_day",
	"last_trade_date", "days_to_expiry", "price", "price_date", "ltd_unverified", "currency",
	"unit", NULL };

static int run(struct wp_cli *cli, struct wp_err *err)
{
	struct ng_calendar cal = NG_CALENDAR_INIT;
	struct gas_source src = { 0 };
	struct ng_contract *list = NULL;
	struct wp_writer *w;
	struct wp_date asof;
	int nc = wp_cli_count(cli, "contract"), rc;
	long n;

	if ((rc = wp_cli_long(cli, "count", 12, &n, err)) ||
	    (rc = gas_day(cli, "curve", "today", &asof, err)) ||
	    (rc = gas_calendar_open(cli, &cal, err)))
		goto out;
	if (nc && !(list = calloc(nc, sizeof *list))) {
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
		goto out;
	}
	for (int i = 0; i < nc && !rc; i++)
		rc = ng_symbol_parse(&cal, wp_cli_nth(cli, "contract", i), asof.y, &list[i], err);
	if (rc || (!wp_cli_has(cli, "no-prices") && (rc = gas_source_open(cli, &src, err))) ||
	    (rc = wp_cli_writer(cli, columns, &w, err)))
		goto out;
	rc = hh_futures(&cal, &src, asof, list, nc ? nc : (int)n, w, err);
out:
	free(list);
	gas_source_close(&src);
	ng_calendar_release(&cal);
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
