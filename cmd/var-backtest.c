/* var-backtest: rolling VaR against realised P&L, with Kupiec and Christoffersen tests. */
#include "wp.h"
#include "risk/run.h"

static const struct wp_opt opts[] = {
	{ "method", 'm', "METHOD", "historical, gaussian or modified (default historical)", WP_COMPLETE_WORDS("historical gaussian modified") },
	{ "confidence", 'c', "P", "VaR confidence level (default 0.99)", WP_COMPLETE_NONE },
	{ "window", 0, "DAYS", "days of history behind each day's VaR (default 250)", WP_COMPLETE_NONE },
	{ "summary", 0, NULL, "only the summary record, not the exceptions", WP_COMPLETE_NONE },
	RISK_BOOK_OPTS,
	WP_INPUT_OPTS,
	WP_OUTPUT_OPTS,
	WP_COMMON_OPTS,
	{ 0 },
};

static const struct wp_prog prog = {
	"var-backtest", "Backtest rolling VaR against realised P&L: exceptions, Kupiec POF, Christoffersen independence, Basel zone",
	"[options] [FILE]", opts, NULL,
};

static int run(struct wp_cli *cli, struct wp_err *err)
{
	struct risk_bt_opts o;
	struct risk_book b = RISK_BOOK_INIT;
	jv out;
	int rc;

	if ((rc = risk_bt_from_cli(&o, cli, err)) == 0 &&
	    (rc = risk_book_from_cli(&b, cli, 0, err)) == 0 &&
	    (rc = risk_bt_run(&o, &b, &out, err)) == 0)
		rc = risk_write(cli, risk_backtest_columns, out, err);
	risk_book_release(&b);
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
