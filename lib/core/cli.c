/* cli.c: option tables to getopt_long, help, version, completions, and the
 * precedence rules (command line > environment > config > default). */
#include <errno.h>
#include <math.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wp.h"

#ifndef WP_VERSION
#define WP_VERSION "0"
#endif

/* getopt_long codes for options without a short letter, and hidden ones. */
#define LONG_BASE 256
#define OPT_COMPLETION (LONG_BASE - 1)

static int opt_index(const struct wp_cli *cli, const char *name)
{
	for (int i = 0; i < cli->nopts; i++)
		if (strcmp(cli->prog->opts[i].name, name) == 0)
			return i;
	return -1;
}

static void add_value(struct wp_cli *cli, int i, char *v)
{
	char **vals = realloc(cli->vals[i], (cli->nvals[i] + 1) * sizeof *vals);

	if (!vals)
		abort(); /* out of memory on a few pointers: nothing sane to do */
	vals[cli->nvals[i]++] = v;
	cli->vals[i] = vals;
}

/* ---- help and completions --------------------------------------------- */

static void write_help(const struct wp_cli *cli)
{
	const struct wp_prog *p = cli->prog;
	FILE *f = cli->out;

	fprintf(f, "Usage: %s %s\n%s.\n\nOptions:\n", p->name, p->usage ? p->usage : "[options]",
		p->summary);
	for (const struct wp_opt *o = p->opts; o->name; o++) {
		char left[64];
		int n;

		if (o->key)
			n = snprintf(left, sizeof left, "-%c, --%s", o->key, o->name);
		else
			n = snprintf(left, sizeof left, "    --%s", o->name);
		if (o->arg && n > 0 && (size_t)n < sizeof left)
			snprintf(left + n, sizeof left - n, " %s", o->arg);
		if (strlen(left) > 24)
			fprintf(f, "  %s\n  %-24s  %s\n", left, "", o->help);
		else
			fprintf(f, "  %-24s  %s\n", left, o->help);
	}
	fprintf(f, "\nSee %s(1) and wattpipe(7).\n", p->name);
}

/* Print s inside single quotes: characters in `backslashed` get a
 * backslash, a single quote is written as `squote`. */
static void put_quoted(FILE *f, const char *s, const char *backslashed, const char *squote)
{
	for (; *s; s++) {
		if (*s == '\'') {
			fputs(squote, f);
			continue;
		}
		if (strchr(backslashed, *s))
			fputc('\\', f);
		fputc(*s, f);
	}
}

static int operands_are_files(const struct wp_prog *p)
{
	return p->usage && strstr(p->usage, "FILE");
}

static void completion_bash(const struct wp_cli *cli)
{
	const struct wp_prog *p = cli->prog;
	FILE *f = cli->out;
	char fn[128];

	snprintf(fn, sizeof fn, "_%s", p->name);
	for (char *c = fn; *c; c++)
		if (*c == '-')
			*c = '_';
	fprintf(f, "# bash completion for %s, generated from its option table\n", p->name);
	fprintf(f, "%s()\n{\n\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n",
		fn);
	fprintf(f, "\tcase $prev in\n");
	for (const struct wp_opt *o = p->opts; o->name; o++) {
		if (!o->arg)
			continue;
		fprintf(f, "\t--%s", o->name);
		if (o->key)
			fprintf(f, "|-%c", o->key);
		switch (o->complete) {
		case WP_CPL_WORDS:
			fprintf(f, ") COMPREPLY=($(compgen -W '%s' -- \"$cur\")); return ;;\n", o->words);
			break;
		case WP_CPL_FILE:
			fprintf(f, ") COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n");
			break;
		case WP_CPL_DIR:
			fprintf(f, ") COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n");
			break;
		default:
			fprintf(f, ") return ;;\n");
		}
	}
	fprintf(f, "\tesac\n\tif [[ $cur == -* ]]; then\n\t\tCOMPREPLY=($(compgen -W '");
	for (const struct wp_opt *o = p->opts; o->name; o++) {
		fprintf(f, "%s--%s", o == p->opts ? "" : " ", o->name);
		if (o->key)
			fprintf(f, " -%c", o->key);
	}
	fprintf(f, "' -- \"$cur\"))\n\t\treturn\n\tfi\n");
	if (operands_are_files(p))
		fprintf(f, "\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n");
	fprintf(f, "}\ncomplete -F %s %s\n", fn, p->name);
}

static void completion_zsh(const struct wp_cli *cli)
{
	const struct wp_prog *p = cli->prog;
	FILE *f = cli->out;

	fprintf(f, "#compdef %s\n# zsh completion for %s, generated from its option table\n",
		p->name, p->name);
	fprintf(f, "_arguments -s");
	for (const struct wp_opt *o = p->opts; o->name; o++) {
		fprintf(f, " \\\n\t");
		if (o->key)
			fprintf(f, "'(-%c --%s)'{-%c,--%s}'", o->key, o->name, o->key, o->name);
		else
			fprintf(f, "'--%s", o->name);
		fputc('[', f);
		put_quoted(f, o->help, "[]:\\", "'\\''");
		fputc(']', f);
		if (o->arg) {
			fprintf(f, ":%s:", o->arg);
			if (o->complete == WP_CPL_WORDS)
				fprintf(f, "(%s)", o->words);
			else if (o->complete == WP_CPL_FILE)
				fputs("_files", f);
			else if (o->complete == WP_CPL_DIR)
				fputs("_files -/", f);
		}
		fputc('\'', f);
	}
	if (operands_are_files(p))
		fprintf(f, " \\\n\t'*:file:_files'");
	fputc('\n', f);
}

static void completion_fish(const struct wp_cli *cli)
{
	const struct wp_prog *p = cli->prog;
	FILE *f = cli->out;

	fprintf(f, "# fish completion for %s, generated from its option table\n", p->name);
	if (!operands_are_files(p))
		fprintf(f, "complete -c %s -f\n", p->name);
	for (const struct wp_opt *o = p->opts; o->name; o++) {
		fprintf(f, "complete -c %s -l %s", p->name, o->name);
		if (o->key)
			fprintf(f, " -s %c", o->key);
		if (o->arg) {
			fputs(" -r", f);
			if (o->complete == WP_CPL_WORDS)
				fprintf(f, " -f -a '%s'", o->words);
			else if (o->complete == WP_CPL_FILE || o->complete == WP_CPL_DIR)
				fputs(" -F", f);
			else
				fputs(" -f", f);
		}
		fputs(" -d '", f);
		put_quoted(f, o->help, "\\", "\\'");
		fputs("'\n", f);
	}
}

static int write_completion(const struct wp_cli *cli, const char *shell, struct wp_err *err)
{
	if (strcmp(shell, "bash") == 0)
		completion_bash(cli);
	else if (strcmp(shell, "zsh") == 0)
		completion_zsh(cli);
	else if (strcmp(shell, "fish") == 0)
		completion_fish(cli);
	else
		return wp_err_set(err, WP_EUSAGE, "unknown shell '%s' (bash, zsh or fish)", shell);
	return WP_DONE;
}

/* ---- parsing ------------------------------------------------------------ */

int wp_cli_init(struct wp_cli *cli, const struct wp_prog *prog, int argc, char **argv,
		struct wp_err *err)
{
	struct option *lo;
	char shorts[128] = ":";
	size_t ns = 1;
	int c, rc = 0;
	const char *completion = NULL;

	cli->prog = prog;
	if (!cli->out)
		cli->out = stdout;
	if (!cli->errs)
		cli->errs = stderr;
	cli->err_tty = isatty(fileno(cli->errs));
	while (prog->opts[cli->nopts].name)
		cli->nopts++;
	cli->vals = calloc(cli->nopts, sizeof *cli->vals);
	cli->nvals = calloc(cli->nopts, sizeof *cli->nvals);
	lo = calloc(cli->nopts + 2, sizeof *lo);
	if (!cli->vals || !cli->nvals || !lo) {
		free(lo);
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	for (int i = 0; i < cli->nopts; i++) {
		const struct wp_opt *o = &prog->opts[i];

		lo[i].name = o->name;
		lo[i].has_arg = o->arg ? required_argument : no_argument;
		lo[i].val = o->key ? o->key : LONG_BASE + i;
		if (o->key && ns + 3 < sizeof shorts) {
			shorts[ns++] = (char)o->key;
			if (o->arg)
				shorts[ns++] = ':';
		}
	}
	lo[cli->nopts] = (struct option){ "wp-completion", required_argument, 0, OPT_COMPLETION };
	shorts[ns] = '\0';

	optind = 0; /* glibc: full reinitialisation, so tests may parse twice */
	opterr = 0;
	while (rc == 0 && (c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		int i = -1;

		if (c == OPT_COMPLETION) {
			completion = optarg;
			continue;
		}
		if (c == '?' || c == ':') {
			const char *bad = argv[optind - 1];

			if (c == ':')
				rc = wp_err_set(err, WP_EUSAGE, "option '%s' needs an argument", bad);
			else if (optopt && strncmp(bad, "--", 2) != 0)
				rc = wp_err_set(err, WP_EUSAGE, "unknown option '-%c'", optopt);
			else
				rc = wp_err_set(err, WP_EUSAGE, "unknown option '%s'", bad);
			break;
		}
		if (c >= LONG_BASE)
			i = c - LONG_BASE;
		else
			for (int k = 0; k < cli->nopts; k++)
				if (prog->opts[k].key == c)
					i = k;
		if (i < 0) {
			rc = wp_err_set(err, WP_EINTERNAL, "option table and getopt disagree");
			break;
		}
		add_value(cli, i, optarg ? optarg : "");
	}
	free(lo);
	if (rc)
		return rc;
	cli->argc = argc - optind;
	cli->argv = argv + optind;
	cli->verbose = wp_cli_has(cli, "verbose");
	cli->quiet = wp_cli_has(cli, "quiet");

	if (completion)
		return write_completion(cli, completion, err);
	if (wp_cli_has(cli, "help")) {
		write_help(cli);
		return WP_DONE;
	}
	if (wp_cli_has(cli, "version")) {
		fprintf(cli->out, "%s (wattpipe) %s\n", prog->name, WP_VERSION);
		return WP_DONE;
	}
	/* A broken config file is reported before any work starts. */
	return wp_cli_config(cli, NULL, err);
}

int wp_cli_finish(struct wp_cli *cli, int rc, struct wp_err *err)
{
	struct wp_err werr = WP_ERR_INIT;
	const char *name = cli->prog ? cli->prog->name : "wattpipe";
	int wrc;

	if (rc == WP_DONE)
		rc = 0;
	wrc = wp_writer_close(cli->w, &werr);
	cli->w = NULL;
	if (wrc && !rc) {
		rc = wrc;
		*err = werr;
	}
	if (cli->skipped > 0) {
		fprintf(cli->errs, "%s: %ld bad record%s skipped\n", name, cli->skipped,
			cli->skipped == 1 ? "" : "s");
		if (!rc)
			rc = WP_EDATA, err->msg[0] = '\0';
	}
	/* A full disk shows up only when the last buffer is flushed. */
	if (cli->out && (fflush(cli->out) != 0 || ferror(cli->out)) && !rc)
		rc = wp_err_set(err, WP_ECANTCREAT, "write error: %s", strerror(errno));
	if (rc < 0)
		rc = WP_EINTERNAL;
	if (rc && err->msg[0])
		fprintf(cli->errs, "%s: %s\n", name, err->msg);

	for (int i = 0; i < cli->nopts; i++)
		free(cli->vals[i]);
	free(cli->vals);
	free(cli->nvals);
	free(cli->cache_dir);
	wp_config_release(&cli->cfg);
	cli->vals = NULL;
	cli->nvals = NULL;
	cli->cache_dir = NULL;
	cli->nopts = 0;
	return rc;
}

/* ---- option values ------------------------------------------------------ */

const char *wp_cli_get(const struct wp_cli *cli, const char *name)
{
	int i = opt_index(cli, name);

	return i < 0 || cli->nvals[i] == 0 ? NULL : cli->vals[i][cli->nvals[i] - 1];
}

int wp_cli_has(const struct wp_cli *cli, const char *name)
{
	return wp_cli_get(cli, name) != NULL;
}

int wp_cli_count(const struct wp_cli *cli, const char *name)
{
	int i = opt_index(cli, name);

	return i < 0 ? 0 : cli->nvals[i];
}

const char *wp_cli_nth(const struct wp_cli *cli, const char *name, int n)
{
	int i = opt_index(cli, name);

	return i < 0 || n < 0 || n >= cli->nvals[i] ? NULL : cli->vals[i][n];
}

/* A finite number in the option's text (strtod: ".99" and "1e3" are
 * fine; "nan", "inf" and trailing junk are not). */
static int option_number(const struct wp_cli *cli, const char *name, int whole, double *out,
			 struct wp_err *err)
{
	const char *s = wp_cli_get(cli, name);
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(*out) || (whole && *out != floor(*out)) ||
	    (whole && fabs(*out) > 9007199254740992.0))
		return wp_err_set(err, WP_EUSAGE, "--%s: '%s' is not a %s", name, s,
				  whole ? "whole number" : "number");
	return 0;
}

int wp_cli_double(const struct wp_cli *cli, const char *name, double def, double *out,
		  struct wp_err *err)
{
	*out = def;
	return wp_cli_get(cli, name) ? option_number(cli, name, 0, out, err) : 0;
}

int wp_cli_long(const struct wp_cli *cli, const char *name, long def, long *out,
		struct wp_err *err)
{
	double d;
	int rc;

	*out = def;
	if (!wp_cli_get(cli, name))
		return 0;
	if ((rc = option_number(cli, name, 1, &d, err)) == 0)
		*out = (long)d;
	return rc;
}

/* ---- config, settings, secrets ----------------------------------------- */

int wp_cli_config(struct wp_cli *cli, const struct wp_config **cfg, struct wp_err *err)
{
	int rc = 0;

	if (!cli->cfg_loaded) {
		rc = wp_config_load(&cli->cfg, wp_cli_get(cli, "config"), err);
		cli->cfg_loaded = rc == 0;
	}
	if (cfg)
		*cfg = &cli->cfg;
	return rc;
}

static const char *env_value(const char *name)
{
	const char *v = name ? getenv(name) : NULL;

	return v && *v ? v : NULL;
}

const char *wp_cli_setting(struct wp_cli *cli, const char *opt, const char *env,
			   const char *section, const char *key, const char *def,
			   struct wp_err *err)
{
	const char *v;

	if (opt && (v = wp_cli_get(cli, opt)))
		return v;
	if ((v = env_value(env)))
		return v;
	if (key && wp_cli_config(cli, NULL, err) == 0 &&
	    (v = wp_config_get(&cli->cfg, section ? section : cli->prog->section, key)))
		return v;
	return def;
}

int wp_cli_secret(struct wp_cli *cli, const char *env, const char *section, const char *key,
		  char **out, struct wp_err *err)
{
	const char *file = wp_cli_get(cli, "secret-file"), *v;
	int rc;

	*out = NULL;
	if (!section)
		section = cli->prog->section;
	if (file)
		return wp_secret_file_read(file, out, err);
	if ((v = env_value(env))) {
		*out = strdup(v);
		return *out ? 0 : wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	if ((rc = wp_cli_config(cli, NULL, err)) ||
	    (rc = wp_config_secret(&cli->cfg, section, key, &v, err)))
		return rc;
	if (v) {
		*out = strdup(v);
		return *out ? 0 : wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	return wp_err_set(err, WP_ECONFIG,
			  "no %s: set %s, put '%s = ...' in [%s] of %s (mode 0600), "
			  "or use --secret-file FILE",
			  key, env, key, section,
			  cli->cfg.path ? cli->cfg.path : "~/.config/wattpipe/config");
}

void wp_secret_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* ---- records ------------------------------------------------------------ */

int wp_cli_writer(struct wp_cli *cli, const char *const *columns, struct wp_writer **w,
		  struct wp_err *err)
{
	struct wp_writer_opts o = { 0 };
	const char *fmt = wp_cli_setting(cli, "output", "WATTPIPE_FORMAT", NULL, NULL, NULL, err);
	int rc;

	if (fmt && (rc = wp_format_parse(fmt, &o.format, err)))
		return rc;
	if (o.format == WP_FMT_AUTO)
		o.format = isatty(fileno(cli->out)) ? WP_FMT_TABLE : WP_FMT_NDJSON;
	o.fields = wp_cli_get(cli, "fields");
	o.jq = wp_cli_get(cli, "jq");
	o.columns = columns;
	o.no_header = wp_cli_has(cli, "no-header");
	if ((rc = wp_writer_open(&cli->w, cli->out, &o, err)))
		return rc;
	*w = cli->w;
	return 0;
}

int wp_cli_reader(struct wp_cli *cli, const char *path, struct wp_reader **r, FILE **opened,
		  struct wp_err *err)
{
	enum wp_format fmt = WP_FMT_AUTO;
	const char *in = wp_cli_get(cli, "input");
	FILE *f = stdin;
	int rc;

	*opened = NULL;
	if (in && (rc = wp_format_parse(in, &fmt, err)))
		return rc;
	if (fmt != WP_FMT_AUTO && fmt != WP_FMT_NDJSON && fmt != WP_FMT_CSV)
		return wp_err_set(err, WP_EUSAGE, "--input: '%s' cannot be read (ndjson or csv)", in);
	if (path && strcmp(path, "-") != 0) {
		if (!(f = fopen(path, "r")))
			return wp_err_errno(err, WP_ENOINPUT, "cannot open", path);
		*opened = f;
	}
	if ((rc = wp_reader_open(r, f, *opened ? path : "stdin", fmt, err)) && *opened) {
		fclose(*opened);
		*opened = NULL;
	}
	return rc;
}

int wp_cli_bad_record(struct wp_cli *cli, int rc, struct wp_err *err)
{
	if (rc != WP_EDATA || !wp_cli_has(cli, "keep-going"))
		return rc;
	fprintf(cli->errs, "%s: %s\n", cli->prog->name, err->msg);
	wp_err_clear(err);
	cli->skipped++;
	return 0;
}

int wp_cli_read(struct wp_cli *cli, const char *path, wp_record_fn fn, void *ctx,
		struct wp_err *err)
{
	struct wp_reader *r;
	FILE *opened;
	const char *name;
	jv rec;
	int rc;

	if ((rc = wp_cli_reader(cli, path, &r, &opened, err)))
		return rc;
	name = opened ? path : "stdin";
	for (;;) {
		rc = wp_reader_next(r, &rec, err);
		if (rc == 0 && !jv_is_valid(rec))
			break;
		if (rc == 0)
			rc = fn(ctx, rec, name, wp_reader_line(r), err);
		if (rc && (rc = wp_cli_bad_record(cli, rc, err)))
			break;
	}
	wp_reader_free(r);
	if (opened)
		fclose(opened);
	return rc;
}

/* ---- network ------------------------------------------------------------ */

/* Overlay one config section's HTTP keys on o. */
static int http_from_config(struct wp_cli *cli, const char *section, struct wp_http_opts *o,
			    struct wp_err *err)
{
	static const struct {
		const char *key;
		char kind; /* l long, i int, d double */
		size_t off;
	} keys[] = {
		{ "timeout", 'l', offsetof(struct wp_http_opts, timeout_s) },
		{ "connect_timeout", 'l', offsetof(struct wp_http_opts, connect_timeout_s) },
		{ "retries", 'i', offsetof(struct wp_http_opts, retries) },
		{ "backoff", 'd', offsetof(struct wp_http_opts, backoff_s) },
		{ "backoff_max", 'd', offsetof(struct wp_http_opts, backoff_max_s) },
		{ "rate_max", 'i', offsetof(struct wp_http_opts, rate_max) },
		{ "rate_window", 'd', offsetof(struct wp_http_opts, rate_window_s) },
		{ "min_interval", 'd', offsetof(struct wp_http_opts, rate_min_interval_s) },
	};

	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		const char *v = wp_config_get(&cli->cfg, section, keys[k].key);
		char *end;
		double d;

		if (!v)
			continue;
		errno = 0;
		d = strtod(v, &end);
		if (errno || end == v || *end || d < 0)
			return wp_err_set(err, WP_ECONFIG, "%s: [%s] %s = '%s' is not a number >= 0",
					  cli->cfg.path, section, keys[k].key, v);
		switch (keys[k].kind) {
		case 'l':
			*(long *)((char *)o + keys[k].off) = (long)d;
			break;
		case 'i':
			*(int *)((char *)o + keys[k].off) = (int)d;
			break;
		default:
			*(double *)((char *)o + keys[k].off) = d;
		}
	}
	return 0;
}

int wp_cli_http(struct wp_cli *cli, const struct wp_http_opts *defaults, struct wp_http *h,
		struct wp_err *err)
{
	struct wp_http_opts o = *defaults;
	long timeout;
	int rc;

	if ((rc = wp_cli_config(cli, NULL, err)) ||
	    (rc = http_from_config(cli, "http", &o, err)) ||
	    (cli->prog->section && (rc = http_from_config(cli, cli->prog->section, &o, err))) ||
	    (rc = wp_cli_long(cli, "timeout", o.timeout_s, &timeout, err)))
		return rc;
	o.timeout_s = timeout;
	if (wp_cli_get(cli, "cacert"))
		o.cacert = wp_cli_get(cli, "cacert");
	if (cli->verbose)
		o.trace = cli->errs;
	o.no_cache = wp_cli_has(cli, "no-cache");
	if (!cli->cache_dir && (rc = wp_xdg_dir("cache", 1, &cli->cache_dir, err)))
		return rc;
	o.cache_dir = cli->cache_dir;
	return wp_http_init(h, &o, err);
}

FILE *wp_cli_progress(const struct wp_cli *cli)
{
	return cli->err_tty && !cli->quiet ? cli->errs : NULL;
}

static void vnote(const struct wp_cli *cli, const char *fmt, va_list ap)
{
	fprintf(cli->errs, "%s: ", cli->prog->name);
	vfprintf(cli->errs, fmt, ap);
	fputc('\n', cli->errs);
}

void wp_cli_note(const struct wp_cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli->quiet)
		return;
	va_start(ap, fmt);
	vnote(cli, fmt, ap);
	va_end(ap);
}

void wp_cli_warn(const struct wp_cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vnote(cli, fmt, ap);
	va_end(ap);
}
