/* Unit tests for lib/core/cli.c: parsing, help, completions, precedence. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wp.h"
#include "tap.h"

static const struct wp_opt opts[] = {
	{ "market", 'm', "MARKET", "da, rt or rt5 [default: da]", WP_COMPLETE_WORDS("da rt rt5") },
	{ "node", 0, "ID", "node id or name (repeatable)", WP_COMPLETE_NONE },
	{ "dry-run", 0, NULL, "don't send anything", WP_COMPLETE_NONE },
	WP_NET_OPTS,
	WP_COMMON_OPTS,
	{ 0 }
};
static const struct wp_prog prog = { "wp-test", "a test program", "[options] [FILE...]", opts,
				     "test" };

/* Parse a NULL-terminated argument list with output captured in a memstream. */
static int parse(struct wp_cli *cli, char **buf, size_t *len, struct wp_err *err, ...)
{
	static char *argv[32]; /* cli.argv points into it after return */
	int argc = 0;
	va_list ap;

	argv[argc++] = "wp-test";
	va_start(ap, err);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	*cli = (struct wp_cli)WP_CLI_INIT;
	cli->out = open_memstream(buf, len);
	cli->errs = cli->out;
	return wp_cli_init(cli, &prog, argc, argv, err);
}

static void finish(struct wp_cli *cli, int rc, struct wp_err *err)
{
	FILE *f = cli->out;

	cli->out = NULL; /* finish must not flush our memstream into stdout */
	fclose(f);
	wp_cli_finish(cli, rc, err);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

int main(void)
{
	struct wp_cli cli;
	struct wp_err err = WP_ERR_INIT;
	char *buf = NULL, *secret;
	size_t len;
	int rc;
	char dir[] = "/tmp/wp-cli-XXXXXX", cfgpath[64], keypath[64];

	if (!mkdtemp(dir))
		return 1;
	setenv("XDG_CONFIG_HOME", dir, 1);
	setenv("XDG_CACHE_HOME", dir, 1);
	unsetenv("WP_TEST_KEY");

	rc = parse(&cli, &buf, &len, &err, "-m", "rt", "--node", "1", "--node=WESTERN HUB",
		   "--dry-run", "a.csv", NULL);
	is_int(rc, 0, "options parse");
	is_str(wp_cli_get(&cli, "market"), "rt", "short option value");
	is_int(wp_cli_count(&cli, "node"), 2, "repeatable option counted");
	is_str(wp_cli_nth(&cli, "node", 1), "WESTERN HUB", "second value kept in order");
	ok(wp_cli_has(&cli, "dry-run"), "flag seen");
	ok(!wp_cli_has(&cli, "verbose"), "absent flag not seen");
	is_int(cli.argc, 1, "one operand left");
	is_str(cli.argv[0], "a.csv", "operand");
	finish(&cli, 0, &err);
	free(buf);

	rc = parse(&cli, &buf, &len, &err, "--timeout", "nan", "--market", "1e3", NULL);
	{
		double d;
		long l;

		is_int(wp_cli_double(&cli, "timeout", 0, &d, &err), WP_EUSAGE, "nan is not a number");
		is_str(err.msg, "--timeout: 'nan' is not a number", "message names option and value");
		is_int(wp_cli_long(&cli, "market", 0, &l, &err), 0, "1e3 is a whole number");
		is_int(l, 1000, "1e3 read as 1000");
		is_int(wp_cli_long(&cli, "node", 7, &l, &err), 0, "absent option");
		is_int(l, 7, "absent option gives the default");
	}
	finish(&cli, 0, &err);
	free(buf);
	rc = parse(&cli, &buf, &len, &err, "--timeout", "2.5", NULL);
	{
		long l;

		is_int(wp_cli_long(&cli, "timeout", 0, &l, &err), WP_EUSAGE, "2.5 is not a whole number");
		is_str(err.msg, "--timeout: '2.5' is not a whole number", "message says whole");
	}
	finish(&cli, 0, &err);
	free(buf);

	rc = parse(&cli, &buf, &len, &err, "--bogus", NULL);
	is_int(rc, WP_EUSAGE, "unknown long option is a usage error");
	is_str(err.msg, "unknown option '--bogus'", "message names it");
	finish(&cli, 0, &err);
	free(buf);

	rc = parse(&cli, &buf, &len, &err, "-x", NULL);
	is_str(err.msg, "unknown option '-x'", "unknown short option named");
	finish(&cli, 0, &err);
	free(buf);

	rc = parse(&cli, &buf, &len, &err, "--market", NULL);
	is_int(rc, WP_EUSAGE, "missing argument is a usage error");
	is_str(err.msg, "option '--market' needs an argument", "message names the option");
	finish(&cli, 0, &err);
	free(buf);

	rc = parse(&cli, &buf, &len, &err, "--help", NULL);
	is_int(rc, WP_DONE, "--help finishes early");
	fflush(cli.out);
	ok(strstr(buf, "Usage: wp-test [options] [FILE...]\n") != NULL, "help has usage line");
	ok(strstr(buf, "  -m, --market MARKET       da, rt or rt5") != NULL, "help lists -m");
	ok(strstr(buf, "      --secret-file FILE") != NULL, "help lists common options");
	finish(&cli, rc, &err);
	free(buf);

	rc = parse(&cli, &buf, &len, &err, "--wp-completion", "zsh", NULL);
	fflush(cli.out);
	ok(strstr(buf, "'(-m --market)'{-m,--market}'[da, rt or rt5 \\[default\\: da\\]]:MARKET:(da rt rt5)'") != NULL,
	   "zsh completion escapes brackets and colons");
	ok(strstr(buf, "'--dry-run[don'\\''t send anything]'") != NULL, "zsh quotes apostrophes");
	finish(&cli, rc, &err);
	free(buf);

	rc = parse(&cli, &buf, &len, &err, "--wp-completion", "fish", NULL);
	fflush(cli.out);
	ok(strstr(buf, "complete -c wp-test -l market -s m -r -f -a 'da rt rt5'") != NULL,
	   "fish completion offers words");
	ok(strstr(buf, "-l dry-run -d 'don\\'t send anything'") != NULL, "fish escapes quotes");
	finish(&cli, rc, &err);
	free(buf);

	rc = parse(&cli, &buf, &len, &err, "--wp-completion", "bash", NULL);
	fflush(cli.out);
	ok(strstr(buf, "--market|-m) COMPREPLY=($(compgen -W 'da rt rt5' -- \"$cur\")); return ;;") != NULL,
	   "bash completion offers words after --market");
	ok(strstr(buf, "complete -F _wp_test wp-test") != NULL, "bash function registered");
	finish(&cli, rc, &err);
	free(buf);

	/* Precedence: option > environment > config > default. */
	snprintf(cfgpath, sizeof cfgpath, "%s/wattpipe", dir);
	mkdir(cfgpath, 0700);
	snprintf(cfgpath, sizeof cfgpath, "%s/wattpipe/config", dir);
	write_file(cfgpath, "[test]\nbase_url = http://config\napi_key = cfg-secret\n", 0644);
	rc = parse(&cli, &buf, &len, &err, NULL);
	is_str(wp_cli_setting(&cli, "base-url", "WP_TEST_URL", NULL, "base_url", "http://def", &err),
	       "http://config", "config beats default");
	setenv("WP_TEST_URL", "http://env", 1);
	is_str(wp_cli_setting(&cli, "base-url", "WP_TEST_URL", NULL, "base_url", "http://def", &err),
	       "http://env", "environment beats config");
	is_str(wp_cli_setting(&cli, "base-url", NULL, NULL, "nothing", "http://def", &err),
	       "http://def", "default when nothing is set");
	rc = wp_cli_secret(&cli, "WP_TEST_KEY", NULL, "api_key", &secret, &err);
	is_int(rc, WP_ECONFIG, "secret in a world-readable config refused");
	ok(strstr(err.msg, "chmod 600") != NULL, "message says how to fix the mode");
	ok(strstr(err.msg, "cfg-secret") == NULL, "message does not show the secret");
	finish(&cli, 0, &err);
	free(buf);
	chmod(cfgpath, 0600); /* the mode is read with the file: parse again */
	rc = parse(&cli, &buf, &len, &err, NULL);
	rc = wp_cli_secret(&cli, "WP_TEST_KEY", NULL, "api_key", &secret, &err);
	is_str(secret, "cfg-secret", "secret from a 0600 config");
	wp_secret_free(secret);
	setenv("WP_TEST_KEY", "env-secret", 1);
	wp_cli_secret(&cli, "WP_TEST_KEY", NULL, "api_key", &secret, &err);
	is_str(secret, "env-secret", "environment beats config for secrets");
	wp_secret_free(secret);
	finish(&cli, 0, &err);
	free(buf);

	snprintf(keypath, sizeof keypath, "%s/key", dir);
	write_file(keypath, "file-secret\n", 0600);
	rc = parse(&cli, &buf, &len, &err, "--base-url", "http://opt", "--secret-file", keypath, NULL);
	is_str(wp_cli_setting(&cli, "base-url", "WP_TEST_URL", NULL, "base_url", "http://def", &err),
	       "http://opt", "option beats environment");
	wp_cli_secret(&cli, "WP_TEST_KEY", NULL, "api_key", &secret, &err);
	is_str(secret, "file-secret", "--secret-file beats environment");
	wp_secret_free(secret);
	finish(&cli, 0, &err);
	free(buf);

	unsetenv("WP_TEST_KEY");
	write_file(cfgpath, "[test]\n", 0600);
	rc = parse(&cli, &buf, &len, &err, NULL);
	rc = wp_cli_secret(&cli, "WP_TEST_KEY", NULL, "api_key", &secret, &err);
	is_int(rc, WP_ECONFIG, "missing secret is a config error");
	ok(strstr(err.msg, "set WP_TEST_KEY") && strstr(err.msg, "--secret-file"),
	   "message says how to set it");
	finish(&cli, 0, &err);
	free(buf);

	write_file(cfgpath, "[test\n", 0600);
	rc = parse(&cli, &buf, &len, &err, NULL);
	is_int(rc, WP_ECONFIG, "a broken config file stops the program early");
	finish(&cli, 0, &err);
	free(buf);

	unlink(keypath);
	unlink(cfgpath);
	return done_testing();
}
