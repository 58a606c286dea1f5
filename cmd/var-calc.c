/* var-calc: Value at Risk and Expected Shortfall of returns, P&L or positions. */
#include <time.h>

#include "wp.h"
#include "risk/run.h"

static const struct wp_opt opts[] = {
	{ "method", 'm', "LIST", "historical, gaussian, modified, montecarlo; comma-separated or repeated (default historical,gaussian,modified)", WP_COMPLETE_WORDS("historical gaussian modified montecarlo") },
	{ "confidence", 'c', "P", "confidence level(s), e.g. 0.95,0.99 (default 0.95,0.99)", WP_COMPLETE_NONE },
	{ "horizon", 0, "DAYS", "holding period; every figure scales by sqrt(DAYS) (default 1)", WP_COMPLETE_NONE },
	{ "as-return", 0, NULL, "report VaR/ES as (negative) returns, not positive losses", WP_COMPLETE_NONE },
	{ "es-nonoperational", 0, NULL, "modified ES without the floor at modified VaR", WP_COMPLETE_NONE },
	{ "sims", 0, "N", "montecarlo draws (default 10000)", WP_COMPLETE_NONE },
	{ "seed", 0, "N", "montecarlo random seed (default 1)", WP_COMPLETE_NONE },
	{ "dist", 0, "DIST", "montecarlo distribution: normal or t (default normal)", WP_COMPLETE_WORDS("normal t") },
	{ "df", 0, "NU", "degrees of freedom of --dist t (default 5)", WP_COMPLETE_NONE },
	RISK_BOOK_OPTS,
	WP_INPUT_OPTS,
	WP_OUTPUT_OPTS,
	WP_COMMON_OPTS,
	{ 0 },
};

static const struct wp_prog prog = {
	"var-calc", "Value at Risk and Expected Shortfall: historical, Gaussian, modified (Cornish-Fisher) and Monte Carlo, per instrument and portfolio",
	"[options] [FILE]", opts, NULL,
};

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run(struct wp_cli *cli, struct wp_err *err)
{
	struct risk_calc c;
	struct risk_book b = RISK_BOOK_INIT;
	double t0 = seconds(), t1 = t0;
	jv out;
	int rc;

	if ((rc = risk_calc_from_cli(&c, cli, err)) || (rc = risk_book_from_cli(&b, cli, 0, err)))
		goto done;
	t1 = seconds();
	if ((rc = risk_calc_run(&c, &b, &out, err)))
		goto done;
	if (cli->verbose) /* where the time goes: bench/var-calc.sh reads this */
		wp_cli_note(cli, "read %zu x %zu values in %.3f s, computed in %.3f s", b.s.n, b.s.k,
			    t1 - t0, seconds() - t1);
	if (c.inverse)
		wp_cli_warn(cli, "%ld figure%s negative (a gain at that level): written as null", c.inverse, c.inverse == 1 ? " was" : "s were");
	if (c.capped)
		wp_cli_warn(cli, "%ld return figure%s above 100%%: capped at 1 (use --pnl for money)", c.capped, c.capped == 1 ? "" : "s");
	if (c.es_empty)
		wp_cli_warn(cli, "%ld historical ES had no value below VaR: ES = VaR", c.es_empty);
	if (c.repaired)
		wp_cli_warn(cli, "covariance was not positive definite: eigenvalues clipped");
	rc = risk_write(cli, risk_calc_columns, out, err);
done:
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
