/* config.c: the INI config file, secret files and XDG directories. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wp.h"

#define CONFIG_MAX (1 << 20)   /* a config file is small; refuse anything else */
#define SECRET_MAX (64 << 10)

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int name_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_-.", *s))
			return 0;
	return 1;
}

/* A double-quoted value in place: \" and \\ escape; only blanks or a
 * comment may follow the closing quote. */
static const char *unquote(char *s)
{
	char *w = s, *r = s + 1;

	for (; *r && *r != '"'; r++) {
		if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
			r++;
		*w++ = *r;
	}
	if (*r != '"')
		return "unterminated quoted value";
	*w = '\0';
	for (r++; *r == ' ' || *r == '\t' || *r == '\r'; r++)
		;
	if (*r && *r != '#' && *r != ';')
		return "text after the closing quote";
	return NULL;
}

static int add_entry(struct wp_config *cfg, const char *section, const char *key,
		     const char *value, int line)
{
	struct wp_config_entry *v = realloc(cfg->v, (size_t)(cfg->n + 1) * sizeof *v);

	if (!v)
		return -1;
	cfg->v = v;
	v += cfg->n;
	v->section = strdup(section);
	v->key = strdup(key);
	v->value = strdup(value);
	v->line = line;
	cfg->n++;
	if (!v->section || !v->key || !v->value)
		return -1;
	return 0;
}

/* Parse text (NUL-terminated, modified in place). */
static int parse(struct wp_config *cfg, char *text, struct wp_err *err)
{
	char *section = "", *line = text, *next;
	int lineno = 0;

	for (; line; line = next) {
		char *s, *eq, *key, *val, *rest;
		const char *why;

		lineno++;
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *e = strchr(s, ']');
			if (!e)
				return wp_err_set(err, WP_ECONFIG, "%s:%d: missing ']' in section header",
						  cfg->path, lineno);
			*e = '\0';
			rest = trim(e + 1);
			if (*rest && *rest != '#' && *rest != ';')
				return wp_err_set(err, WP_ECONFIG,
						  "%s:%d: text after the section header", cfg->path,
						  lineno);
			section = trim(s + 1);
			if (!name_ok(section))
				return wp_err_set(err, WP_ECONFIG, "%s:%d: bad section name '%s'",
						  cfg->path, lineno, section);
			continue;
		}
		if (!(eq = strchr(s, '=')))
			return wp_err_set(err, WP_ECONFIG,
					  "%s:%d: expected 'key = value' or '[section]'", cfg->path,
					  lineno);
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		if (!name_ok(key))
			return wp_err_set(err, WP_ECONFIG, "%s:%d: bad key name '%s'", cfg->path,
					  lineno, key);
		if (*val == '"') {
			if ((why = unquote(val)))
				return wp_err_set(err, WP_ECONFIG, "%s:%d: %s", cfg->path,
						  lineno, why);
		} else if ((rest = strpbrk(val, "#;"))) {
			/* A comment after a value starts at a blank before '#'/';';
			 * "a#b" stays whole, so quote a value holding " #". */
			for (; rest; rest = strpbrk(rest + 1, "#;"))
				if (rest > val && (rest[-1] == ' ' || rest[-1] == '\t')) {
					*rest = '\0';
					val = trim(val);
					break;
				}
		}
		if (add_entry(cfg, section, key, val, lineno) != 0)
			return wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	return 0;
}

/* Read a whole small file from an open descriptor; NUL-terminated. */
static int slurp(int fd, size_t max, char **out, size_t *len)
{
	char *buf = malloc(max + 1);
	size_t got = 0;
	ssize_t n;

	if (!buf)
		return ENOMEM;
	while (got < max && (n = read(fd, buf + got, max - got)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = errno;
			free(buf);
			return (int)n;
		}
		got += (size_t)n;
	}
	if (got == max) {
		free(buf);
		return EFBIG;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return 0;
}

int wp_config_load(struct wp_config *cfg, const char *path, struct wp_err *err)
{
	char *dir = NULL, *text = NULL;
	struct stat st;
	size_t len;
	int fd, e, rc;

	*cfg = (struct wp_config)WP_CONFIG_INIT;
	if (!path) {
		if ((rc = wp_xdg_dir("config", 0, &dir, err)) != 0)
			return rc;
		if (asprintf(&cfg->path, "%s/config", dir) < 0)
			cfg->path = NULL;
		free(dir);
		if (!cfg->path)
			return wp_err_set(err, WP_EINTERNAL, "out of memory");
	} else if (!(cfg->path = strdup(path))) {
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	if ((fd = open(cfg->path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (!path && errno == ENOENT) { /* no default file: all defaults */
			free(cfg->path);
			cfg->path = NULL;
			return 0;
		}
		rc = wp_err_set(err, WP_ECONFIG, "config %s: %s", cfg->path, strerror(errno));
		wp_config_release(cfg);
		return rc;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		e = errno ? errno : EISDIR;
	else
		e = slurp(fd, CONFIG_MAX, &text, &len);
	close(fd);
	if (e) {
		rc = wp_err_set(err, WP_ECONFIG, "config %s: %s", cfg->path, strerror(e));
		wp_config_release(cfg);
		return rc;
	}
	cfg->mode = (int)(st.st_mode & 0777);
	if (strlen(text) != len) {
		rc = wp_err_set(err, WP_ECONFIG, "config %s: contains a NUL byte", cfg->path);
	} else {
		rc = parse(cfg, text, err);
	}
	/* The text may hold secrets; do not leave them in freed memory. */
	explicit_bzero(text, len);
	free(text);
	if (rc != 0)
		wp_config_release(cfg);
	return rc;
}

void wp_config_release(struct wp_config *cfg)
{
	for (int i = 0; i < cfg->n; i++) {
		free(cfg->v[i].section);
		free(cfg->v[i].key);
		if (cfg->v[i].value) {
			explicit_bzero(cfg->v[i].value, strlen(cfg->v[i].value));
			free(cfg->v[i].value);
		}
	}
	free(cfg->v);
	free(cfg->path);
	*cfg = (struct wp_config)WP_CONFIG_INIT;
}

static const struct wp_config_entry *find(const struct wp_config *cfg, const char *section,
					  const char *key)
{
	for (int i = cfg->n - 1; i >= 0; i--)
		if (strcmp(cfg->v[i].section, section ? section : "") == 0 &&
		    strcmp(cfg->v[i].key, key) == 0)
			return &cfg->v[i];
	return NULL;
}

const char *wp_config_get(const struct wp_config *cfg, const char *section, const char *key)
{
	const struct wp_config_entry *e = find(cfg, section, key);

	return e ? e->value : NULL;
}

static int refuse_mode(const char *what, const char *path, int mode, struct wp_err *err)
{
	return wp_err_set(err, WP_ECONFIG,
			  "%s %s is readable by group or others (mode %04o); run: chmod 600 %s",
			  what, path, mode, path);
}

int wp_config_secret(const struct wp_config *cfg, const char *section, const char *key,
		     const char **out, struct wp_err *err)
{
	const struct wp_config_entry *e = find(cfg, section, key);

	*out = NULL;
	if (!e)
		return 0;
	if (cfg->mode & 077) {
		char what[256];

		snprintf(what, sizeof what, "config holds [%s] %s but", section ? section : "",
			 key);
		return refuse_mode(what, cfg->path, cfg->mode, err);
	}
	*out = e->value;
	return 0;
}

int wp_secret_file_read(const char *path, char **out, struct wp_err *err)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	int fd, e, rc = 0;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return wp_err_set(err, errno == ENOENT ? WP_ENOINPUT : WP_ECONFIG,
				  "secret file %s: %s", path, strerror(errno));
	/* Check the file we opened, not the name, so nothing can swap it. */
	if (fstat(fd, &st) != 0) {
		e = errno;
		close(fd);
		return wp_err_set(err, WP_ECONFIG, "secret file %s: %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return wp_err_set(err, WP_ECONFIG, "secret file %s: not a regular file", path);
	}
	if (st.st_mode & 077) {
		close(fd);
		return refuse_mode("secret file", path, (int)(st.st_mode & 0777), err);
	}
	e = slurp(fd, SECRET_MAX, &text, &len);
	close(fd);
	if (e)
		return wp_err_set(err, WP_ECONFIG, "secret file %s: %s", path, strerror(e));
	text[strcspn(text, "\r\n")] = '\0';
	if (!*text)
		rc = wp_err_set(err, WP_ECONFIG, "secret file %s: first line is empty", path);
	else if (!(*out = strdup(text)))
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
	explicit_bzero(text, len);
	free(text);
	return rc;
}

/* mkdir -p with mode 0700 for every directory it creates. */
static int mkdirs(char *path)
{
	for (char *p = path + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdir(path, 0700) != 0 && errno != EEXIST) {
				*p = c;
				return -1;
			}
			*p = c;
			if (!c)
				return 0;
		}
	}
}

int wp_xdg_dir(const char *kind, int create, char **out, struct wp_err *err)
{
	static const struct {
		const char *kind, *env, *fallback;
	} dirs[] = {
		{ "config", "XDG_CONFIG_HOME", ".config" },
		{ "cache", "XDG_CACHE_HOME", ".cache" },
		{ "state", "XDG_STATE_HOME", ".local/state" },
		{ "data", "XDG_DATA_HOME", ".local/share" },
	};
	const char *base, *home;
	struct stat st;
	size_t i;
	int n;

	*out = NULL;
	for (i = 0; i < sizeof dirs / sizeof *dirs; i++)
		if (strcmp(dirs[i].kind, kind) == 0)
			break;
	if (i == sizeof dirs / sizeof *dirs)
		return wp_err_set(err, WP_EINTERNAL, "unknown XDG directory kind '%s'", kind);
	/* The spec says to ignore a relative XDG_*_HOME. */
	base = getenv(dirs[i].env);
	if (base && base[0] == '/') {
		n = asprintf(out, "%s/wattpipe", base);
	} else {
		home = getenv("HOME");
		if (!home || home[0] != '/')
			return wp_err_set(err, WP_ECONFIG,
					  "neither %s nor HOME is set to an absolute path",
					  dirs[i].env);
		n = asprintf(out, "%s/%s/wattpipe", home, dirs[i].fallback);
	}
	if (n < 0) {
		*out = NULL;
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	if (create && mkdirs(*out) != 0) {
		int rc = wp_err_set(err, WP_ECANTCREAT, "cannot create %s: %s", *out,
				    strerror(errno));
		free(*out);
		*out = NULL;
		return rc;
	}
	if (create && (stat(*out, &st) != 0 || !S_ISDIR(st.st_mode))) {
		int rc = wp_err_set(err, WP_ECANTCREAT, "%s is not a directory", *out);
		free(*out);
		*out = NULL;
		return rc;
	}
	return 0;
}

int wp_fsync_parent(const char *path)
{
	char dir[4096];
	char *slash;
	int fd, rc;

	if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((slash = strrchr(dir, '/')))
		slash[slash == dir] = '\0'; /* "/x" -> "/" */
	if ((fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}
