/* rec-list: certificate holdings in the REC ledger, as records. */
#include "wp.h"
#include "certs/cmd.h"

static const struct wp_opt opts[] = {
	CERT_FILTER_OPTS,
	{ "status", 's', "STATUS", "only this status", WP_COMPLETE_WORDS("active pending retired exported residual") },
	{ "history", 0, NULL, "also ranges since split (live = false)", WP_COMPLETE_NONE },
	CERT_LEDGER_OPTS,
	WP_OUTPUT_OPTS,
	WP_COMMON_OPTS,
	{ 0 },
};

static const struct wp_prog prog = {
	"rec-list", "list renewable energy certificates held in the REC ledger", "[options]",
	opts, "rec",
};

static int run(struct wp_cli *cli, struct wp_err *err)
{
	static const char *const cols[] = { "registry", "serial", "certificates", "mwh", "vintage",
					    "generator_name", "state", "fuel", "status",
					    "account_id", NULL };
	struct cert_select sel = CERT_SELECT_INIT;
	struct cert_ledger *l = NULL;
	struct wp_writer *w;
	int rc;

	if ((rc = cert_cmd_select(cli, &sel, err)))
		return rc;
	sel.status = wp_cli_get(cli, "status");
	sel.include_history = wp_cli_has(cli, "history");
	if (!(rc = wp_cli_writer(cli, cols, &w, err)) && !(rc = cert_cmd_ledger(cli, 1, &l, err)))
		rc = cert_list(l, &sel, cert_cmd_emit, w, err);
	cert_ledger_close(l);
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
