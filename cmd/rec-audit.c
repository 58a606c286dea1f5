/* rec-audit: the REC ledger's audit trail, and its verification. */
#include "wp.h"
#include "certs/cmd.h"

static const struct wp_opt opts[] = {
	{ "verify", 0, NULL, "check the hash chain and the conservation of every range", WP_COMPLETE_NONE },
	CERT_LEDGER_OPTS,
	WP_OUTPUT_OPTS,
	WP_COMMON_OPTS,
	{ 0 },
};

static const struct wp_prog prog = {
	"rec-audit", "show or verify the REC ledger's hash-chained audit trail", "[--verify] [options]",
	opts, "rec",
};

static int run(struct wp_cli *cli, struct wp_err *err)
{
	static const char *const cols[] = { "seq", "time_utc", "actor", "operation", "hash", NULL };
	static const char *const vcols[] = { "rows", "verified", NULL };
	struct cert_ledger *l = NULL;
	struct wp_writer *w;
	long rows = 0;
	int rc, verify = wp_cli_has(cli, "verify");

	if ((rc = wp_cli_writer(cli, verify ? vcols : cols, &w, err)) ||
	    (rc = cert_cmd_ledger(cli, 1, &l, err)))
		goto out;
	if (!verify) {
		rc = cert_audit_list(l, cert_cmd_emit, w, err);
		goto out;
	}
	if ((rc = cert_audit_verify(l, &rows, err)) == 0) {
		jv r = jv_object();

		r = jv_object_set(r, jv_string("rows"), jv_number((double)rows));
		r = jv_object_set(r, jv_string("verified"), jv_true());
		rc = wp_writer_put(w, r, err);
	}
out:
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
