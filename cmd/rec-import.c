/* rec-import: registry exports (CSV or NDJSON) into the REC ledger. */
#include "wp.h"
#include "certs/cmd.h"
#include "certs/mrets.h"

static const struct wp_opt opts[] = {
	{ "format", 'f', "FORMAT", "registry export format (default: from the columns)",
	  WP_COMPLETE_WORDS("wattpipe mrets nar wregis pjm-gats") },
	{ "dry-run", 0, NULL, "check and count, change nothing", WP_COMPLETE_NONE },
	{ "mrets", 0, NULL, "import the holdings from the M-RETS API instead of files", WP_COMPLETE_NONE },
	{ "account", 0, "ID", "--mrets: only this M-RETS account", WP_COMPLETE_NONE },
	WP_NET_OPTS,
	CERT_LEDGER_OPTS,
	{ "input", 'i', "FORMAT", "input format: ndjson or csv (default: detect)", WP_COMPLETE_WORDS("ndjson csv") },
	WP_OUTPUT_OPTS,
	WP_COMMON_OPTS,
	{ 0 },
};

static const struct wp_prog prog = {
	"rec-import", "import registry certificate exports into the REC ledger", "[options] [FILE...]",
	opts, "rec",
};

/* The summary record of one source: what it added since the counts were
 * added0/unchanged0. */
static jv summary(struct wp_cli *cli, const char *source, const char *format,
		  const struct cert_import *imp, long added0, long unchanged0)
{
	jv sum = jv_object();

	sum = jv_object_set(sum, jv_string("source"), jv_string(source));
	sum = jv_object_set(sum, jv_string("format"), format ? jv_string(format) : jv_null());
	sum = jv_object_set(sum, jv_string("added"), jv_number((double)(imp->added - added0)));
	sum = jv_object_set(sum, jv_string("unchanged"),
			    jv_number((double)(imp->unchanged - unchanged0)));
	return jv_object_set(sum, jv_string("dry_run"), jv_bool(wp_cli_has(cli, "dry-run")));
}

struct file_import {
	struct cert_import *imp;
	const struct cert_format *f; /* --format, else detected from the first row */
};

/* One registry export row into the open import. */
static int import_row(void *ctx, jv rec, const char *name, long line, struct wp_err *err)
{
	struct file_import *fi = ctx;
	jv b;
	int rc;

	if (!fi->f && (rc = cert_format_detect(jv_copy(rec), &fi->f, err)))
		jv_free(rec);
	else if (!(rc = cert_format_map(fi->f, rec, &b, err)))
		rc = cert_import_add(fi->imp, b, err);
	return rc ? wp_err_prefix(err, "%s:%ld", name, line) : 0;
}

/* One file into the open import. */
static int import_file(struct wp_cli *cli, struct cert_import *imp, const char *path,
		       jv *done, struct wp_err *err)
{
	struct file_import fi = { imp, NULL };
	const char *fname = wp_cli_get(cli, "format");
	long added = imp->added, unchanged = imp->unchanged;
	int rc;

	if (fname && (rc = cert_format_find(fname, &fi.f, err)))
		return rc;
	if ((rc = wp_cli_read(cli, path, import_row, &fi, err)))
		return rc;
	*done = jv_array_append(*done, summary(cli, path ? path : "-", fi.f ? fi.f->name : NULL,
					       imp, added, unchanged));
	return 0;
}

static int add(void *imp, jv batch, struct wp_err *err)
{
	return cert_import_add(imp, batch, err);
}

/* The M-RETS API as one more source. */
static int import_mrets(struct wp_cli *cli, struct cert_import *imp, jv *done, struct wp_err *err)
{
	struct cert_mrets m = CERT_MRETS_INIT;
	long added = imp->added, unchanged = imp->unchanged;
	int rc;

	if (!(rc = cert_mrets_open(&m, cli, err)))
		rc = cert_mrets_holdings(&m, wp_cli_get(cli, "account"), NULL, add, imp, err);
	if (!rc)
		*done = jv_array_append(*done, summary(cli, m.base, "mrets-api", imp, added,
						       unchanged));
	cert_mrets_close(&m);
	return rc;
}

static int run(struct wp_cli *cli, struct wp_err *err)
{
	static const char *const cols[] = { "source", "format", "added", "unchanged", "dry_run",
					    NULL };
	struct cert_ledger *l = NULL;
	struct cert_import imp = CERT_IMPORT_INIT;
	struct wp_writer *w;
	jv done = jv_array(), sources = jv_string("");
	int rc, i, n = cli->argc ? cli->argc : 1;

	if (wp_cli_has(cli, "mrets") && cli->argc)
		return wp_err_set(err, WP_EUSAGE, "--mrets reads the API, not files");
	for (i = 0; i < n; i++)
		sources = jv_string_concat(sources, jv_string_fmt("%s%s", i ? " " : "",
								  cli->argc ? cli->argv[i] : "stdin"));
	if (wp_cli_has(cli, "mrets")) {
		jv_free(sources);
		sources = jv_string("M-RETS API");
	}
	if ((rc = wp_cli_writer(cli, cols, &w, err)) || (rc = cert_cmd_ledger(cli, 0, &l, err)) ||
	    (rc = cert_import_begin(l, jv_string_value(sources), &imp, err)))
		goto out;
	if (wp_cli_has(cli, "mrets"))
		rc = import_mrets(cli, &imp, &done, err);
	for (i = 0; i < n && !rc && !wp_cli_has(cli, "mrets"); i++)
		rc = import_file(cli, &imp, cli->argc ? cli->argv[i] : NULL, &done, err);
	if (rc) {
		cert_import_end(&imp, 0, NULL);
		wp_err_prefix(err, "nothing imported");
		goto out;
	}
	if ((rc = cert_import_end(&imp, !wp_cli_has(cli, "dry-run"), err)))
		goto out;
	/* Summaries only once the transaction is committed. */
	jv_array_foreach(done, k, sum)
	{
		if (!rc)
			rc = wp_writer_put(w, sum, err);
		else
			jv_free(sum);
	}
out:
	jv_free(done);
	jv_free(sources);
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
