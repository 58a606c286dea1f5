/* iris-backfill: fill the IRIS spool from Elexon's Insights API. */
#include <stdlib.h>
#include <time.h>

#include "wp.h"
#include "iris/iris.h"
#include "iris/settings.h"

static const struct wp_opt opts[] = {
	{ "dataset", 0, "CODE", "dataset to fetch (FREQ, BOALF, FUELINST, ...)", WP_COMPLETE_WORDS("BOALF BOD DISBSAD FREQ FUELHH FUELINST IMBALNGC INDDEM INDGEN MELNGC MELS MID MILS NETBSAD REMIT") },
	{ "from", 0, "WHEN", "start: GB day or RFC 3339 time", WP_COMPLETE_NONE },
	{ "to", 0, "WHEN", "end: GB day (included) or time (default now)", WP_COMPLETE_NONE },
	{ "dir", 'd', "DIR", "spool directory (default $XDG_DATA_HOME/wattpipe/iris)", WP_COMPLETE_DIR },
	{ "base-url", 0, "URL", "Insights API base (default https://data.elexon.co.uk/bmrs/api/v1)", WP_COMPLETE_NONE },
	{ "cacert", 0, "FILE", "extra CA certificate bundle", WP_COMPLETE_FILE },
	{ "timeout", 0, "SECONDS", "overall timeout per request (default 120)", WP_COMPLETE_NONE },
	WP_OUTPUT_OPTS,
	WP_COMMON_OPTS,
	{ 0 }
};

static const struct wp_prog prog = {
	"iris-backfill", "Fill the IRIS spool from Elexon's Insights API", "--dataset CODE --from WHEN [options]",
	opts, "iris",
};

static int emit(void *w, const char *dataset, const char *name, jv rows, struct wp_err *err)
{
	return iris_write_records(w, dataset, name, rows, err);
}

static int run(struct wp_cli *cli, struct wp_err *err)
{
	struct wp_http_opts defaults = WP_HTTP_OPTS_INIT;
	struct iris_store store = IRIS_STORE_INIT;
	struct iris_backfill b = { 0 };
	struct wp_http http = { 0 };
	struct wp_writer *w;
	char *dir = NULL;
	int rc;

	b.dataset = wp_cli_get(cli, "dataset");
	b.base_url = wp_cli_setting(cli, "base-url", "IRIS_BASE_URL", "iris", "base_url",
				    "https://data.elexon.co.uk/bmrs/api/v1", err);
	if (err->code)
		return err->code;
	if (!b.dataset || !wp_cli_get(cli, "from"))
		return wp_err_set(err, WP_EUSAGE, "--dataset and --from are required");
	if ((rc = iris_range_from_cli(cli, &b.from, &b.to, err)))
		return rc;
	if (!b.to)
		b.to = time(NULL);
	if (b.to <= b.from)
		return wp_err_set(err, WP_EUSAGE, "--from is in the future");
	defaults.rate_name = "elexon";
	if ((rc = iris_dir_from_cli(cli, &dir, err)) ||
	    (rc = iris_store_open(&store, dir, 0, err)) ||
	    (rc = wp_cli_http(cli, &defaults, &http, err)) ||
	    (rc = wp_cli_writer(cli, NULL, &w, err)))
		goto out;
	b.store = &store;
	b.http = &http;
	b.emit = emit;
	b.ctx = w;
	rc = iris_backfill_run(&b, err);
	wp_cli_note(cli, "%ld file%s written, %ld already present, %ld rows", b.files_written,
		    b.files_written == 1 ? "" : "s", b.files_skipped, b.rows);
out:
	wp_http_release(&http);
	iris_store_release(&store);
	free(dir);
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
