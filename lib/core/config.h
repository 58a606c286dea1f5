/* config.h: the INI config file and secrets (DESIGN.md section 4).
 *
 * File: $XDG_CONFIG_HOME/wattpipe/config (~/.config/wattpipe/config), or
 * the --config path. Lines "[section]", "key = value", "# comment" or
 * "; comment"; values may be double-quoted (\" and \\ escape inside). A
 * '#' or ';' after a blank ends an unquoted value ("10  # seconds"), so a
 * value holding " #" must be quoted. Keys before any section are in
 * section "". Precedence is decided by the caller (see cli.h):
 * command line > environment > config file > built-in default.
 */
#ifndef WP_CONFIG_H
#define WP_CONFIG_H

struct wp_err;

struct wp_config_entry {
	char *section, *key, *value;
	int line;
};

struct wp_config {
	char *path;                 /* NULL when no file was read */
	int mode;                   /* st_mode & 0777 of the file */
	struct wp_config_entry *v;
	int n;
};
#define WP_CONFIG_INIT { 0, 0, 0, 0 }

/* Read path; if path is NULL, the XDG default, which may be absent (an
 * empty config, not an error). An explicit path that does not exist is
 * WP_ECONFIG; a syntax error is WP_ECONFIG "FILE:LINE: ...". */
int wp_config_load(struct wp_config *cfg, const char *path, struct wp_err *err);
void wp_config_release(struct wp_config *cfg);
/* Last value of section.key, or NULL. */
const char *wp_config_get(const struct wp_config *cfg, const char *section,
			  const char *key);

/* A secret kept in the config file: refuses (WP_ECONFIG, with the chmod to
 * run) when the file is group- or world-readable. *out is NULL and 0 is
 * returned when the key is absent. */
int wp_config_secret(const struct wp_config *cfg, const char *section,
		     const char *key, const char **out, struct wp_err *err);

/* Read a secret file: first line, trailing newline/CR stripped. Refuses a
 * group/world-readable file (WP_ECONFIG); missing file WP_ENOINPUT.
 * *out is malloc'd; the caller frees (and should wipe) it. */
int wp_secret_file_read(const char *path, char **out, struct wp_err *err);

/* XDG directories with the "wattpipe" leaf: kind is "config", "cache",
 * "state" or "data". Reads XDG_*_HOME and HOME. With create, makes the
 * directory (0700) and parents. *out is malloc'd. */
int wp_xdg_dir(const char *kind, int create, char **out, struct wp_err *err);

/* fsync the directory holding path, so a new entry there (a file just
 * created or renamed in) survives a crash. 0, or -1 with errno set. */
int wp_fsync_parent(const char *path);

#endif
