/* pjm-lmp: PJM locational marginal prices as price records. */
#include <stdlib.h>

#include "wp.h"
#include "pjm/pjm.h"

static const struct wp_opt opts[] = {
	{ "market", 'm', "MARKET", "da (day-ahead), rt (real-time hourly) or rt5 (5-minute); default da", WP_COMPLETE_WORDS("da rt rt5") },
	{ "from", 'f', "DAY", "first delivery day, Eastern prevailing time (default today)", WP_COMPLETE_NONE },
	{ "to", 't', "DAY", "last delivery day, inclusive (default: --from)", WP_COMPLETE_NONE },
	{ "node", 'n', "ID|NAME", "pricing node by pnode id or exact name; repeatable", WP_COMPLETE_NONE },
	PJM_TYPE_OPT,
	{ "prelim", 0, NULL, "with rt5: unverified prices, published within minutes", WP_COMPLETE_NONE },
	{ "archive-all-nodes", 0, NULL, "for archived days, download every node and keep --node ones here", WP_COMPLETE_NONE },
	WP_OUTPUT_OPTS,
	WP_NET_OPTS,
	WP_COMMON_OPTS,
	{ 0 },
};

static const struct wp_prog prog = {
	"pjm-lmp", "PJM locational marginal prices as price records", "[options]", opts, "pjm",
};

int main(int argc, char **argv)
{
	struct wp_cli cli = WP_CLI_INIT;
	struct wp_err err = WP_ERR_INIT;
	struct pjm_session s = PJM_SESSION_INIT;
	struct wp_writer *w;
	time_t now;
	int rc;

	if ((rc = wp_cli_init(&cli, &prog, argc, argv, &err)) == 0 &&
	    (rc = pjm_now(getenv("WATTPIPE_NOW"), &now, &err)) == 0 &&
	    (rc = pjm_session_open(&s, &cli, PJM_CMD_LMP, now, &err)) == 0 &&
	    (rc = wp_cli_writer(&cli, pjm_price_columns, &w, &err)) == 0)
		rc = pjm_lmp_fetch(&s.c, &s.q, w, &err);
	pjm_session_close(&s);
	return wp_cli_finish(&cli, rc, &err);
}
