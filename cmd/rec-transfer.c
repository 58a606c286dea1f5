/* rec-transfer: move certificates to another account in the REC ledger,
 * by serial range or by quantity (oldest vintage first). */
#include "wp.h"
#include "certs/cmd.h"

static const struct wp_opt opts[] = {
	{ "to", 0, "ACCOUNT", "the account receiving the certificates", WP_COMPLETE_NONE },
	CERT_MOVE_OPTS,
	{ "dry-run", 0, NULL, "show the ranges that would move, change nothing", WP_COMPLETE_NONE },
	{ "mrets", 0, NULL, "also transfer them at M-RETS through its API (registry M-RETS only)", WP_COMPLETE_NONE },
	WP_NET_OPTS,
	CERT_FILTER_OPTS,
	CERT_LEDGER_OPTS,
	WP_OUTPUT_OPTS,
	WP_COMMON_OPTS,
	{ 0 },
};

static const struct wp_prog prog = {
	"rec-transfer", "move renewable energy certificates to another account", "--to ACCOUNT [options]",
	opts, "rec",
};

static int run(struct wp_cli *cli, struct wp_err *err)
{
	static const char *const cols[] = { "registry", "serial", "certificates", "mwh", "vintage",
					    "generator_name", "status", "account_id", NULL };
	struct cert_select sel = CERT_SELECT_INIT;
	int rc;

	if ((rc = cert_cmd_move_select(cli, &sel, err)))
		return rc;
	if (!wp_cli_get(cli, "to"))
		return wp_err_set(err, WP_EUSAGE, "--to ACCOUNT is required");
	return cert_cmd_move(cli, &sel, NULL, wp_cli_get(cli, "to"), wp_cli_has(cli, "dry-run"),
			     cols, err);
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
