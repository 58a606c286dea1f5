/* var-stress: P&L of today's positions under price shocks, volatility and
 * correlation stress, and replayed historical windows. */
#include "wp.h"
#include "risk/run.h"

static const struct wp_opt opts[] = {
	{ "scenarios", 's', "FILE", "scenario records (default: the built-in set)", WP_COMPLETE_FILE },
	{ "window", 0, "FROM:TO", "replay the input's own price changes between two dates (repeatable)", WP_COMPLETE_NONE },
	{ "confidence", 'c', "P", "confidence of the stressed VaR/ES (default 0.99)", WP_COMPLETE_NONE },
	{ "position", 'p', "NAME=MW", "position in an instrument (repeatable; at least one)", WP_COMPLETE_NONE },
	RISK_SERIES_OPTS,
	WP_INPUT_OPTS,
	WP_OUTPUT_OPTS,
	WP_COMMON_OPTS,
	{ 0 },
};

static const struct wp_prog prog = {
	"var-stress", "Stress scenarios on positions: price shocks, volatility spikes, correlation breakdown, historical replay",
	"[options] [FILE]", opts, NULL,
};

static int run(struct wp_cli *cli, struct wp_err *err)
{
	struct risk_scenarios sc = RISK_SCENARIOS_INIT;
	struct risk_book b = RISK_BOOK_INIT;
	double conf;
	long repaired;
	jv out;
	int rc;

	if ((rc = risk_stress_from_cli(&sc, &conf, cli, err)) == 0 &&
	    (rc = risk_book_from_cli(&b, cli, 1, err)) == 0 &&
	    (rc = risk_stress_all(&sc, conf, &b, &out, &repaired, err)) == 0) {
		if (repaired)
			wp_cli_warn(cli, "%ld stressed correlation matri%s repaired to positive definite", repaired, repaired == 1 ? "x" : "ces");
		rc = risk_write(cli, risk_stress_columns, out, err);
	}
	risk_scenarios_release(&sc);
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
