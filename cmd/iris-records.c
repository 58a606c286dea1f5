/* iris-records: stored Elexon IRIS files as records. */
#include <stdlib.h>
#include <time.h>

#include "wp.h"
#include "iris/iris.h"
#include "iris/settings.h"

static const struct wp_opt opts[] = {
	{ "dir", 'd', "DIR", "spool directory (default $XDG_DATA_HOME/wattpipe/iris)", WP_COMPLETE_DIR },
	{ "dataset", 0, "CODE", "one dataset (FREQ, BOALF, ...); default all", WP_COMPLETE_WORDS("BOALF BOD DISBSAD FREQ FUELHH FUELINST IMBALNGC INDDEM INDGEN MELNGC MELS MID MILS NETBSAD PN QPN REMIT") },
	{ "from", 0, "WHEN", "files from this GB day or RFC 3339 time (by file-name time)", WP_COMPLETE_NONE },
	{ "to", 0, "WHEN", "files up to this day (included) or before this time", WP_COMPLETE_NONE },
	{ "since-checkpoint", 0, "NAME", "only files stored since the last run with NAME", WP_COMPLETE_NONE },
	WP_OUTPUT_OPTS,
	WP_COMMON_OPTS,
	{ 0 }
};

static const struct wp_prog prog = {
	"iris-records", "Stored Elexon IRIS files as records", "[options]", opts, "iris",
};

struct out {
	struct wp_writer *w;
	long files;
};

static int put(void *p, const char *dataset, const char *name, jv records, struct wp_err *err)
{
	struct out *o = p;

	o->files++;
	return iris_write_records(o->w, dataset, name, records, err);
}

static int run(struct wp_cli *cli, struct wp_err *err)
{
	struct iris_scan q = { 0 };
	struct out o = { 0 };
	const char *ckname = wp_cli_get(cli, "since-checkpoint");
	char *dir = NULL, *ckpath = NULL;
	int rc;

	q.dataset = wp_cli_get(cli, "dataset");
	if ((rc = iris_range_from_cli(cli, &q.from, &q.to, err)) ||
	    (rc = iris_dir_from_cli(cli, &dir, err)))
		goto out;
	if (ckname) {
		if ((rc = iris_checkpoint_path(ckname, &ckpath, err)) ||
		    (rc = iris_checkpoint_read(ckpath, &q.after, err)))
			goto out;
		/* Files landing during this run (or in the same clock tick as
		 * its start) are left for the next one. */
		clock_gettime(CLOCK_REALTIME, &q.until);
		q.until.tv_sec -= 1;
	}
	if ((rc = wp_cli_writer(cli, NULL, &o.w, err)) ||
	    (rc = iris_scan_files(dir, &q, put, &o, err)))
		goto out;
	if (ckname) {
		/* The records must be out before the checkpoint moves on. */
		rc = wp_writer_close(cli->w, err);
		cli->w = NULL;
		if (!rc && (fflush(cli->out) != 0 || ferror(cli->out)))
			rc = wp_err_set(err, WP_ECANTCREAT, "write error on stdout");
		if (!rc)
			rc = iris_checkpoint_write(ckpath, q.until, err);
	}
	wp_cli_note(cli, "%ld file%s", o.files, o.files == 1 ? "" : "s");
out:
	free(dir);
	free(ckpath);
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
