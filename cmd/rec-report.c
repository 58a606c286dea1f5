/* rec-report: compliance position per state and year, CO2 avoided, and
 * the deadline table, as records for a spreadsheet. */
#include <stdlib.h>
#include <time.h>

#include "wp.h"
#include "certs/cmd.h"

static const struct wp_opt opts[] = {
	{ "obligations", 0, "FILE", "records with state, year, obligation_mwh (NDJSON or CSV)", WP_COMPLETE_FILE },
	{ "deadlines", 0, "FILE", "deadline table (default share/wattpipe/rec-deadlines.csv)", WP_COMPLETE_FILE },
	{ "co2-rates", 0, "FILE", "emission rates (default share/wattpipe/rec-co2-rates.csv)", WP_COMPLETE_FILE },
	{ "plants", 0, "FILE", "eGRID plant sheet as CSV (ORISPL, SUBRGN): subregion by EIA plant id", WP_COMPLETE_FILE },
	{ "method", 0, "METHOD", "emission rate method (default egrid-nonbaseload)", WP_COMPLETE_WORDS("egrid-nonbaseload egrid-total") },
	{ "region", 0, "SUBREGION", "eGRID subregion for certificates without one", WP_COMPLETE_NONE },
	{ "rate-year", 0, "YEAR", "use rates of this year or earlier (default: latest)", WP_COMPLETE_NONE },
	{ "today", 0, "DAY", "count days left from DAY (default: today, UTC)", WP_COMPLETE_NONE },
	{ "upcoming", 0, NULL, "list the deadline table for --year (and --state) instead", WP_COMPLETE_NONE },
	{ "state", 0, "XX", "--upcoming: only this state", WP_COMPLETE_NONE },
	{ "year", 0, "YEAR", "--upcoming: compliance year (default: last year)", WP_COMPLETE_NONE },
	{ "input", 'i', "FORMAT", "obligations format: ndjson or csv (default: detect)", WP_COMPLETE_WORDS("ndjson csv") },
	CERT_LEDGER_OPTS,
	WP_OUTPUT_OPTS,
	WP_COMMON_OPTS,
	{ 0 },
};

static const struct wp_prog prog = {
	"rec-report", "REC compliance position, CO2 avoided and deadlines as records", "[options]",
	opts, "rec",
};

static int collect(void *arr, jv rec, const char *name, long line, struct wp_err *err)
{
	*(jv *)arr = jv_array_append(*(jv *)arr, rec);
	return 0;
}

static int run(struct wp_cli *cli, struct wp_err *err)
{
	static const char *const cols[] = { "state", "compliance_year", "obligation_mwh",
					    "retired_mwh", "shortfall_mwh", "next_deadline",
					    "days_left", "co2_avoided_t", NULL };
	static const char *const dcols[] = { "state", "registry", "event", "deadline", "days_left",
					     "grade", NULL };
	struct cert_refdata d = CERT_REFDATA_INIT;
	struct cert_report_opts o = { "egrid-nonbaseload", NULL, 0, NULL };
	struct cert_ledger *l = NULL;
	struct wp_writer *w;
	struct wp_date today;
	char *dl = NULL, *rates = NULL, day[WP_TIME_MAX];
	const char *plants;
	long year, ry;
	jv ob = jv_null();
	struct wp_tz *utc;
	int rc, upcoming = wp_cli_has(cli, "upcoming");

	if ((rc = wp_tz_load(&utc, "UTC", NULL, err)))
		return rc;
	rc = wp_date_parse(wp_cli_get(cli, "today") ? wp_cli_get(cli, "today") : "today", utc,
			   time(NULL), &today, err);
	wp_tz_free(utc);
	if (rc)
		return rc;
	wp_fmt_date(today, day);
	o.today = day;
	if ((rc = wp_cli_long(cli, "year", today.y - 1, &year, err)) ||
	    (rc = wp_cli_long(cli, "rate-year", 0, &ry, err)))
		return rc;
	o.rate_year = (int)ry;
	o.method = wp_cli_setting(cli, "method", NULL, "rec", "co2_method", o.method, err);
	o.region = wp_cli_setting(cli, "region", NULL, "rec", "co2_region", NULL, err);
	if ((rc = cert_cmd_datafile(cli, "deadlines", "deadlines", "rec-deadlines.csv", &dl, err)) ||
	    (rc = cert_cmd_datafile(cli, "co2-rates", "co2_rates", "rec-co2-rates.csv", &rates, err)) ||
	    (rc = cert_refdata_load(&d, dl, upcoming ? NULL : rates, err)) ||
	    (!upcoming && (plants = wp_cli_setting(cli, "plants", NULL, "rec", "plants", NULL, err)) &&
	     (rc = cert_plants_load(&d, plants, err))) ||
	    (rc = wp_cli_writer(cli, upcoming ? dcols : cols, &w, err)))
		goto out;
	if (upcoming) {
		rc = cert_report_deadlines(&d, wp_cli_get(cli, "state"), (int)year, day, cert_cmd_emit,
					   w, err);
		goto out;
	}
	if (wp_cli_get(cli, "obligations")) {
		ob = jv_array();
		if ((rc = wp_cli_read(cli, wp_cli_get(cli, "obligations"), collect, &ob, err)))
			goto out;
	}
	if ((rc = cert_cmd_ledger(cli, 1, &l, err)))
		goto out;
	rc = cert_report_position(l, &d, &o, ob, cert_cmd_emit, w, err);
	ob = jv_invalid();
out:
	jv_free(ob);
	cert_ledger_close(l);
	cert_refdata_release(&d);
	free(dl);
	free(rates);
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
