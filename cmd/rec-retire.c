/* rec-retire: retire certificates in the REC ledger, by serial range or by
 * quantity (oldest vintage first), with the retirement fields. */
#include "wp.h"
#include "certs/cmd.h"

static const struct wp_opt opts[] = {
	CERT_MOVE_OPTS,
	{ "type", 't', "TYPE", "compliance or voluntary (default compliance)", WP_COMPLETE_WORDS("compliance voluntary") },
	{ "reason", 0, "TEXT", "retirement reason (the registry's option name, e.g. RPS)", WP_COMPLETE_NONE },
	{ "quarter", 0, "QN", "compliance quarter, Q1 to Q4", WP_COMPLETE_WORDS("Q1 Q2 Q3 Q4") },
	{ "beneficiary", 0, "NAME", "beneficial owner named on the retirement", WP_COMPLETE_NONE },
	{ "note", 0, "TEXT", "free text kept with the retirement", WP_COMPLETE_NONE },
	{ "public", 0, NULL, "the beneficiary may be published", WP_COMPLETE_NONE },
	{ "commit", 0, NULL, "really retire (without it, a dry run)", WP_COMPLETE_NONE },
	{ "dry-run", 0, NULL, "show the ranges that would be retired, change nothing", WP_COMPLETE_NONE },
	{ "mrets", 0, NULL, "also retire them at M-RETS through its API (registry M-RETS only)", WP_COMPLETE_NONE },
	WP_NET_OPTS,
	CERT_FILTER_OPTS,
	CERT_LEDGER_OPTS,
	WP_OUTPUT_OPTS,
	WP_COMMON_OPTS,
	{ 0 },
};

static const struct wp_prog prog = {
	"rec-retire", "retire renewable energy certificates for a state and year", "[options]",
	opts, "rec",
};

static int run(struct wp_cli *cli, struct wp_err *err)
{
	static const char *const cols[] = { "registry", "serial", "certificates", "mwh", "vintage",
					    "generator_name", "status", "retirement", NULL };
	struct cert_select sel = CERT_SELECT_INIT;
	struct cert_retirement r = CERT_RETIREMENT_INIT;
	char year[16] = "-";
	int rc, dry = !wp_cli_has(cli, "commit") || wp_cli_has(cli, "dry-run");

	if ((rc = cert_cmd_move_select(cli, &sel, err)))
		return rc;
	r.type = wp_cli_get(cli, "type") ? wp_cli_get(cli, "type") : "compliance";
	r.reason = wp_cli_get(cli, "reason");
	r.state = sel.state;
	r.year = sel.year;
	r.quarter = wp_cli_get(cli, "quarter");
	r.beneficiary = wp_cli_get(cli, "beneficiary");
	r.note = wp_cli_get(cli, "note");
	r.public_ = wp_cli_has(cli, "public");
	if ((rc = cert_retirement_check(&r, err)))
		return rc;
	/* Retirement is final: say what is about to happen before doing it. */
	if (r.year > 0)
		snprintf(year, sizeof year, "%d", r.year);
	wp_cli_note(cli, "%s%s retirement, reason %s, state %s, year %s, beneficiary %s",
		    dry ? "dry run (add --commit to retire): " : "", r.type,
		    r.reason ? r.reason : "-", r.state ? r.state : "-", year,
		    r.beneficiary ? r.beneficiary : "-");
	return cert_cmd_move(cli, &sel, &r, NULL, dry, cols, err);
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
