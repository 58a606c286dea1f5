/* wp-fmt: convert records between NDJSON, CSV, TSV and a table. */
#include "wp.h"

static const struct wp_opt opts[] = {
	WP_INPUT_OPTS,
	WP_OUTPUT_OPTS,
	WP_COMMON_OPTS,
	{ 0 },
};

static const struct wp_prog prog = {
	.name = "wp-fmt",
	.summary = "convert records between NDJSON, CSV, TSV and an aligned table",
	.usage = "[options] [FILE...]",
	.opts = opts,
};

/* A jq error belongs to the record it was given. */
static int put(void *w, jv rec, const char *name, long line, struct wp_err *err)
{
	int rc = wp_writer_put(w, rec, err);

	if (rc == WP_EDATA)
		wp_err_prefix(err, "%s:%ld", name, line);
	return rc;
}

int main(int argc, char **argv)
{
	struct wp_cli cli = WP_CLI_INIT;
	struct wp_err err = WP_ERR_INIT;
	struct wp_writer *w;
	int rc, i;

	if ((rc = wp_cli_init(&cli, &prog, argc, argv, &err)) == 0 &&
	    (rc = wp_cli_writer(&cli, NULL, &w, &err)) == 0)
		for (i = 0; rc == 0 && i < (cli.argc ? cli.argc : 1); i++)
			rc = wp_cli_read(&cli, cli.argc ? cli.argv[i] : "-", put, w, &err);
	return wp_cli_finish(&cli, rc, &err);
}
