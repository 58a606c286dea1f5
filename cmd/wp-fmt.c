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

/* Copy one input's records to the writer, record by record. */
static int convert(struct wp_cli *cli, const char *path, struct wp_writer *w,
		   struct wp_err *err)
{
	struct wp_reader *r;
	FILE *opened;
	jv rec;
	int rc;

	if ((rc = wp_cli_reader(cli, path, &r, &opened, err)))
		return rc;
	for (;;) {
		rc = wp_reader_next(r, &rec, err);
		if (rc == 0 && !jv_is_valid(rec))
			break;
		/* A jq error belongs to the record it was given. */
		if (rc == 0 && (rc = wp_writer_put(w, rec, err)) == WP_EDATA)
			wp_err_prefix(err, "%s:%ld", opened ? path : "stdin", wp_reader_line(r));
		if (rc && (rc = wp_cli_bad_record(cli, rc, err)))
			break;
	}
	wp_reader_free(r);
	if (opened)
		fclose(opened);
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
			rc = convert(&cli, cli.argc ? cli.argv[i] : "-", w, &err);
	return wp_cli_finish(&cli, rc, &err);
}
