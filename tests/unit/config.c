/* config: INI parsing, errors with line numbers, secret file modes, XDG dirs. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "wp.h"

static char tmp[] = "/tmp/wp-config-test.XXXXXX";

/* Write text to tmp/name with mode; returns the path (static buffer). */
static const char *put(const char *name, const char *text, mode_t mode)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", tmp, name);
	unlink(path);
	if (!(f = fopen(path, "w")) || fputs(text, f) < 0 || fclose(f) != 0 ||
	    chmod(path, mode) != 0) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
	return path;
}

static void parsing(void)
{
	struct wp_config cfg = WP_CONFIG_INIT;
	struct wp_err err = WP_ERR_INIT;
	const char *path = put("good.ini",
			       "top = level\n"
			       "# a comment\n"
			       "; another\n"
			       "\n"
			       "[pjm]\n"
			       "  api_key = abc123  \n"
			       "min_interval = 10   # seconds\n"
			       "rate_max=6\n"
			       "note = \"a value # with hash; and ; \\\"quotes\\\" \\\\ \"  # c\n"
			       "url = http://h/x#frag\n"
			       "empty =\n"
			       "[ brm ]\r\n"
			       "env = test\r\n"
			       "[pjm]\n"
			       "rate_max = 3\n",
			       0600);

	is_int(wp_config_load(&cfg, path, &err), 0, "a good file loads");
	is_str(cfg.path, path, "path kept");
	is_int(cfg.mode, 0600, "mode kept");
	is_str(wp_config_get(&cfg, NULL, "top"), "level", "key before any section is in \"\"");
	is_str(wp_config_get(&cfg, "", "top"), "level", "section \"\" by name too");
	is_str(wp_config_get(&cfg, "pjm", "api_key"), "abc123", "blanks trimmed");
	is_str(wp_config_get(&cfg, "pjm", "min_interval"), "10", "comment after a value dropped");
	is_str(wp_config_get(&cfg, "pjm", "note"), "a value # with hash; and ; \"quotes\" \\ ",
	       "quoted value kept whole, escapes undone");
	is_str(wp_config_get(&cfg, "pjm", "url"), "http://h/x#frag", "'#' inside a word kept");
	is_str(wp_config_get(&cfg, "pjm", "empty"), "", "empty value");
	is_str(wp_config_get(&cfg, "brm", "env"), "test", "CRLF lines, padded section name");
	is_str(wp_config_get(&cfg, "pjm", "rate_max"), "3", "the last value wins");
	ok(wp_config_get(&cfg, "brm", "api_key") == NULL, "sections are separate");
	ok(wp_config_get(&cfg, "pjm", "nope") == NULL, "absent key is NULL");
	is_int(cfg.v[1].line, 6, "entries keep their line number");
	wp_config_release(&cfg);
	ok(cfg.n == 0 && cfg.v == NULL && cfg.path == NULL, "release empties the config");
}

static void syntax_errors(void)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "[pjm]\nkey value\n", ":2: expected 'key = value' or '[section]'" },
		{ "\n\n[pjm\n", ":3: missing ']' in section header" },
		{ "[pjm] x\n", ":1: text after the section header" },
		{ "[]\n", ":1: bad section name ''" },
		{ "a b = c\n", ":1: bad key name 'a b'" },
		{ "= c\n", ":1: bad key name ''" },
		{ "[pjm]\nk = \"open\n", ":2: unterminated quoted value" },
		{ "k = \"a\" b\n", ":1: text after the closing quote" },
	};
	struct wp_config cfg = WP_CONFIG_INIT;
	struct wp_err err = WP_ERR_INIT;
	char want[600];

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		const char *path = put("bad.ini", bad[i].text, 0600);
		int rc = wp_config_load(&cfg, path, &err);

		snprintf(want, sizeof want, "%s%s", path, bad[i].msg);
		is_int(rc, WP_ECONFIG, bad[i].msg);
		is_str(err.msg, want, "  message names file and line");
		ok(cfg.n == 0 && cfg.path == NULL, "  nothing kept after an error");
	}
}

static void missing_and_default(void)
{
	struct wp_config cfg = WP_CONFIG_INIT;
	struct wp_err err = WP_ERR_INIT;
	char dir[600], path[700];

	snprintf(path, sizeof path, "%s/nope.ini", tmp);
	is_int(wp_config_load(&cfg, path, &err), WP_ECONFIG, "explicit missing file is 78");
	ok(strstr(err.msg, "nope.ini: No such file") != NULL, "and says so");

	snprintf(dir, sizeof dir, "%s/xdgconf", tmp);
	setenv("XDG_CONFIG_HOME", dir, 1);
	is_int(wp_config_load(&cfg, NULL, &err), 0, "absent default file is not an error");
	ok(cfg.path == NULL && cfg.n == 0, "and gives an empty config");
	wp_config_release(&cfg);

	mkdir(dir, 0700);
	snprintf(path, sizeof path, "%s/wattpipe", dir);
	mkdir(path, 0700);
	put("xdgconf/wattpipe/config", "[pjm]\nbase_url = http://127.0.0.1:1\n", 0644);
	is_int(wp_config_load(&cfg, NULL, &err), 0, "default file read from XDG_CONFIG_HOME");
	is_str(wp_config_get(&cfg, "pjm", "base_url"), "http://127.0.0.1:1", "its value");
	wp_config_release(&cfg);
	unsetenv("XDG_CONFIG_HOME");
}

static void secrets_in_config(void)
{
	static const int modes[] = { 0600, 0400, 0640, 0644, 0604 };
	struct wp_config cfg = WP_CONFIG_INIT;
	struct wp_err err = WP_ERR_INIT;
	const char *v;
	char want[600], what[64];

	for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
		const char *path = put("secret.ini", "[pjm]\napi_key = k-123456\n", modes[i]);
		int safe = !(modes[i] & 077);

		wp_config_load(&cfg, path, &err);
		err.msg[0] = '\0';
		v = "unset";
		snprintf(what, sizeof what, "mode %04o: secret %s", modes[i],
			 safe ? "read" : "refused with 78");
		is_int(wp_config_secret(&cfg, "pjm", "api_key", &v, &err),
		       safe ? 0 : WP_ECONFIG, what);
		if (safe) {
			is_str(v, "k-123456", "  the value");
		} else {
			ok(v == NULL, "  no value");
			snprintf(want, sizeof want, "run: chmod 600 %s", path);
			ok(strstr(err.msg, want) != NULL, "  message gives the chmod to run");
			ok(strstr(err.msg, "[pjm] api_key") != NULL, "  and names the key");
			ok(strstr(err.msg, "k-123456") == NULL, "  but not the secret");
		}
		is_int(wp_config_secret(&cfg, "pjm", "other", &v, &err), 0,
		       "  absent secret is not an error, whatever the mode");
		ok(v == NULL, "  and is NULL");
		wp_config_release(&cfg);
	}
}

static void secret_files(void)
{
	struct wp_err err = WP_ERR_INIT;
	char *s = NULL, want[600];
	const char *path;

	path = put("key", "s3cr3t\r\nsecond line\n", 0600);
	is_int(wp_secret_file_read(path, &s, &err), 0, "0600 secret file read");
	is_str(s, "s3cr3t", "first line, CR LF stripped");
	free(s);
	path = put("key", "no-newline", 0400);
	is_int(wp_secret_file_read(path, &s, &err), 0, "0400 secret file read");
	is_str(s, "no-newline", "a file without a newline");
	free(s);

	path = put("key", "s3cr3t\n", 0640);
	s = (char *)"x";
	is_int(wp_secret_file_read(path, &s, &err), WP_ECONFIG, "0640 secret file refused");
	ok(s == NULL, "  nothing returned");
	snprintf(want, sizeof want, "secret file %s is readable by group or others (mode 0640); "
				    "run: chmod 600 %s", path, path);
	is_str(err.msg, want, "  message with the chmod");
	path = put("key", "s3cr3t\n", 0644);
	is_int(wp_secret_file_read(path, &s, &err), WP_ECONFIG, "0644 secret file refused");
	ok(strstr(err.msg, "s3cr3t") == NULL, "  the secret is not in the message");

	path = put("key", "\n", 0600);
	is_int(wp_secret_file_read(path, &s, &err), WP_ECONFIG, "empty first line refused");
	snprintf(want, sizeof want, "%s/absent", tmp);
	is_int(wp_secret_file_read(want, &s, &err), WP_ENOINPUT, "missing secret file is 66");
	is_int(wp_secret_file_read(tmp, &s, &err), WP_ECONFIG, "a directory is refused");
}

static void xdg(void)
{
	struct wp_err err = WP_ERR_INIT;
	char *d = NULL, want[600];
	struct stat st;

	setenv("HOME", tmp, 1);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("XDG_CACHE_HOME");
	unsetenv("XDG_STATE_HOME");
	unsetenv("XDG_DATA_HOME");
	static const struct {
		const char *kind, *leaf;
	} defaults[] = {
		{ "config", ".config/wattpipe" },
		{ "cache", ".cache/wattpipe" },
		{ "state", ".local/state/wattpipe" },
		{ "data", ".local/share/wattpipe" },
	};
	for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++) {
		snprintf(want, sizeof want, "%s/%s", tmp, defaults[i].leaf);
		is_int(wp_xdg_dir(defaults[i].kind, 0, &d, &err), 0, defaults[i].kind);
		is_str(d, want, "  default under HOME");
		free(d);
	}
	ok(stat(want, &st) != 0, "without create nothing is made");

	snprintf(want, sizeof want, "%s/xc/deep/wattpipe", tmp);
	snprintf(want + 300, 300, "%s/xc/deep", tmp);
	setenv("XDG_CACHE_HOME", want + 300, 1);
	is_int(wp_xdg_dir("cache", 1, &d, &err), 0, "cache dir with create");
	is_str(d, want, "  from XDG_CACHE_HOME");
	ok(stat(d, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700,
	   "  created with mode 0700, parents too");
	free(d);
	setenv("XDG_CACHE_HOME", "relative/dir", 1);
	snprintf(want, sizeof want, "%s/.cache/wattpipe", tmp);
	wp_xdg_dir("cache", 0, &d, &err);
	is_str(d, want, "a relative XDG_CACHE_HOME is ignored");
	free(d);

	unsetenv("XDG_CACHE_HOME");
	unsetenv("HOME");
	d = (char *)"x";
	is_int(wp_xdg_dir("cache", 0, &d, &err), WP_ECONFIG, "no HOME and no XDG: 78");
	ok(d == NULL && strstr(err.msg, "XDG_CACHE_HOME") != NULL, "  naming the variable");
	setenv("HOME", tmp, 1);
	is_int(wp_xdg_dir("runtime", 0, &d, &err), WP_EINTERNAL, "unknown kind is a bug");
	put("file", "", 0600);
	snprintf(want, sizeof want, "%s/file", tmp);
	setenv("XDG_STATE_HOME", want, 1);
	is_int(wp_xdg_dir("state", 1, &d, &err), WP_ECANTCREAT, "cannot create under a file: 73");
}

int main(void)
{
	if (!mkdtemp(tmp)) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	parsing();
	syntax_errors();
	missing_and_default();
	secrets_in_config();
	secret_files();
	xdg();
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmp);
	return done_testing();
}
