/* cli.h: a program's command line, from one static option table.
 *
 * The table drives getopt_long, --help, --version and the generated
 * completions (--wp-completion bash|zsh|fish, used by
 * scripts/gen-completions). The helpers below turn the parsed options,
 * the environment and the config file into what lib needs (writer, reader,
 * HTTP context, secrets) with one precedence everywhere:
 * command line > environment > config file > built-in default.
 *
 * This module is the bridge between a process and lib: it writes only to
 * the streams in struct wp_cli (stdout/stderr by default) and never exits;
 * main() returns what wp_cli_finish returns.
 *
 *	int main(int argc, char **argv)
 *	{
 *		struct wp_cli cli = WP_CLI_INIT;
 *		struct wp_err err = WP_ERR_INIT;
 *		int rc;
 *
 *		if ((rc = wp_cli_init(&cli, &prog, argc, argv, &err)) == 0)
 *			rc = run(&cli, &err);
 *		return wp_cli_finish(&cli, rc, &err);
 *	}
 */
#ifndef WP_CLI_H
#define WP_CLI_H

#include <stdio.h>

#include "config.h"
#include "http.h"
#include "rec.h"

struct wp_err;

enum wp_complete { WP_CPL_NONE, WP_CPL_FILE, WP_CPL_DIR, WP_CPL_WORDS };

struct wp_opt {
	const char *name;           /* long name; NULL ends the table */
	int key;                    /* short letter, or 0 */
	const char *arg;            /* metavar ("DAY"); NULL for a flag */
	const char *help;
	enum wp_complete complete;
	const char *words;          /* WP_CPL_WORDS: space-separated */
};
#define WP_COMPLETE_NONE     WP_CPL_NONE, NULL
#define WP_COMPLETE_FILE     WP_CPL_FILE, NULL
#define WP_COMPLETE_DIR      WP_CPL_DIR, NULL
#define WP_COMPLETE_WORDS(w) WP_CPL_WORDS, (w)

/* Option groups; end every table with WP_COMMON_OPTS, { 0 }. */
#define WP_OUTPUT_OPTS \
	{ "output", 'o', "FORMAT", "ndjson, csv, tsv or table (default: table on a terminal, else ndjson)", WP_COMPLETE_WORDS("ndjson csv tsv table") }, \
	{ "fields", 0, "LIST", "comma-separated fields to output, in order", WP_COMPLETE_NONE }, \
	{ "jq", 0, "EXPR", "jq filter applied to every output record", WP_COMPLETE_NONE }, \
	{ "no-header", 0, NULL, "CSV/TSV without the header row", WP_COMPLETE_NONE }
#define WP_INPUT_OPTS \
	{ "input", 'i', "FORMAT", "input format: ndjson or csv (default: detect)", WP_COMPLETE_WORDS("ndjson csv") }, \
	{ "keep-going", 0, NULL, "skip bad records, count them, exit 65 at the end", WP_COMPLETE_NONE }
#define WP_NET_OPTS \
	{ "base-url", 0, "URL", "API base URL (a fake, a proxy, a training system)", WP_COMPLETE_NONE }, \
	{ "secret-file", 0, "FILE", "read the credential from FILE (mode 0600)", WP_COMPLETE_FILE }, \
	{ "no-cache", 0, NULL, "do not read or write the response cache", WP_COMPLETE_NONE }, \
	{ "cacert", 0, "FILE", "extra CA certificate bundle", WP_COMPLETE_FILE }, \
	{ "timeout", 0, "SECONDS", "overall timeout per request (default 120)", WP_COMPLETE_NONE }
#define WP_COMMON_OPTS \
	{ "config", 0, "FILE", "config file (default $XDG_CONFIG_HOME/wattpipe/config)", WP_COMPLETE_FILE }, \
	{ "verbose", 'v', NULL, "trace requests on stderr, secrets redacted", WP_COMPLETE_NONE }, \
	{ "quiet", 'q', NULL, "no progress or notices on stderr", WP_COMPLETE_NONE }, \
	{ "help", 'h', NULL, "show this help and exit", WP_COMPLETE_NONE }, \
	{ "version", 0, NULL, "show the version and exit", WP_COMPLETE_NONE }

struct wp_prog {
	const char *name;           /* "pjm-lmp" */
	const char *summary;        /* one line: "PJM locational marginal prices as records" */
	const char *usage;          /* after the name: "[options] [FILE...]" */
	const struct wp_opt *opts;
	const char *section;        /* config section ("pjm"), or NULL */
};

struct wp_cli {
	const struct wp_prog *prog;
	FILE *out, *errs;           /* stdout, stderr unless a test swaps them */
	char ***vals;               /* per option: its values in order */
	int *nvals;
	int nopts;
	int argc;                   /* operands left after the options */
	char **argv;
	int verbose, quiet;
	int err_tty;                /* stderr is a terminal */
	long skipped;               /* --keep-going: bad records skipped */
	struct wp_config cfg;
	int cfg_loaded;
	struct wp_writer *w;        /* opened by wp_cli_writer, closed by finish */
	char *cache_dir;            /* set by wp_cli_http */
};
#define WP_CLI_INIT { 0 }

/* Parse argv. 0: run. WP_DONE: --help/--version/--wp-completion already
 * written to cli->out. WP_EUSAGE: err says what ("unknown option '--x'"). */
int wp_cli_init(struct wp_cli *cli, const struct wp_prog *prog, int argc,
		char **argv, struct wp_err *err);
/* Close the writer (if any) and stdout, checking for write errors (73),
 * print "prog: message" for a failure, add "N bad records skipped" when
 * --keep-going skipped any, release everything; returns the exit code. */
int wp_cli_finish(struct wp_cli *cli, int rc, struct wp_err *err);

/* Option values: the last one given, or NULL. Flags: "" when given. */
const char *wp_cli_get(const struct wp_cli *cli, const char *name);
int wp_cli_has(const struct wp_cli *cli, const char *name);
int wp_cli_count(const struct wp_cli *cli, const char *name);
const char *wp_cli_nth(const struct wp_cli *cli, const char *name, int i);
/* Numeric options: absent -> *out = def; malformed -> WP_EUSAGE naming it. */
int wp_cli_double(const struct wp_cli *cli, const char *name, double def,
		  double *out, struct wp_err *err);
int wp_cli_long(const struct wp_cli *cli, const char *name, long def,
		long *out, struct wp_err *err);

/* The config file (--config, else XDG), loaded once on first use. */
int wp_cli_config(struct wp_cli *cli, const struct wp_config **cfg, struct wp_err *err);
/* A setting by precedence: option `opt` (may be NULL) > environment `env`
 * (may be NULL) > config [section] key (section NULL = prog->section) >
 * def. Returns the value or def; a config error is reported via err. */
const char *wp_cli_setting(struct wp_cli *cli, const char *opt, const char *env,
			   const char *section, const char *key, const char *def,
			   struct wp_err *err);
/* A secret by precedence: --secret-file > environment env > config
 * [section] key (0600 only). Missing: WP_ECONFIG "no API key: set ENV, or
 * put KEY in [SECTION] of CONFIG (mode 0600), or use --secret-file".
 * *out is malloc'd; free it with wp_secret_free (wipes it). */
int wp_cli_secret(struct wp_cli *cli, const char *env, const char *section,
		  const char *key, char **out, struct wp_err *err);
void wp_secret_free(char *s);

/* The output writer from -o/$WATTPIPE_FORMAT, --fields, --jq, --no-header,
 * writing to cli->out; wp_cli_finish closes it. columns as in rec.h. */
int wp_cli_writer(struct wp_cli *cli, const char *const *columns,
		  struct wp_writer **w, struct wp_err *err);
/* A reader on an operand path ("-" or NULL = stdin) honouring -i. */
int wp_cli_reader(struct wp_cli *cli, const char *path, struct wp_reader **r,
		  FILE **opened, struct wp_err *err);
/* --keep-going handling for a reader error: when --keep-going is given,
 * print the message, count it and return 0 (skip); else return rc. */
int wp_cli_bad_record(struct wp_cli *cli, int rc, struct wp_err *err);

/* Called for each record; consumes rec. name and line locate it for
 * messages ("stdin", 14). WP_EDATA marks the record bad. */
typedef int (*wp_record_fn)(void *ctx, jv rec, const char *name, long line,
			    struct wp_err *err);
/* Read every record of path ("-" or NULL = stdin) with wp_cli_reader and
 * hand it to fn; bad records (from the reader or fn) go through
 * wp_cli_bad_record, so --keep-going skips and counts them. */
int wp_cli_read(struct wp_cli *cli, const char *path, wp_record_fn fn, void *ctx,
		struct wp_err *err);

/* HTTP options from --timeout, --cacert, --no-cache, -v and the config
 * [section] keys timeout, retries, backoff, rate_max, rate_window,
 * min_interval (defaults come from *defaults), with the cache dir. */
int wp_cli_http(struct wp_cli *cli, const struct wp_http_opts *defaults,
		struct wp_http *h, struct wp_err *err);
/* Progress stream: stderr when it is a terminal and -q is not given. */
FILE *wp_cli_progress(const struct wp_cli *cli);
/* "prog: message" on stderr unless -q (notices such as "environment: test"). */
void wp_cli_note(const struct wp_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Always printed (warnings that matter even with -q). */
void wp_cli_warn(const struct wp_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
