/* settings.h: [iris] settings for the iris-* commands (needs cli.h). */
#ifndef IRIS_SETTINGS_H
#define IRIS_SETTINGS_H

#include <time.h>
#include <jq.h>

struct wp_cli;
struct wp_err;

struct iris_settings {
	const char *client_id, *queue, *amqp_url, *token_url; /* point into cli/config/file */
	const char *file_secret;   /* Secret of --settings FILE, or NULL */
	jv file;                   /* --settings FILE, parsed */
	char fqdn[256], audience[512], amqp_buf[300], token_buf[300];
	char *dir;                 /* malloc'd spool root */
	int credit;
	long retries;
	double idle_s, backoff_s;
};
#define IRIS_SETTINGS_INIT { 0 }   /* a zeroed jv is an invalid one */

/* The spool root: --dir, $IRIS_DIR, [iris] dir, else
 * $XDG_DATA_HOME/wattpipe/iris. *dir is malloc'd. */
int iris_dir_from_cli(struct wp_cli *cli, char **dir, struct wp_err *err);
/* Everything iris-listen needs but the secret (unless --settings FILE,
 * the official clients' JSON, has it: file_secret), by option > settings
 * file > environment > config > default; WP_ECONFIG naming what is
 * missing. */
int iris_listen_settings(struct wp_cli *cli, struct iris_settings *s, struct wp_err *err);
void iris_settings_release(struct iris_settings *s);
/* --from/--to: a GB delivery day (Europe/London; a --to day is included)
 * or an RFC 3339 time; absent = 0. WP_EUSAGE when malformed or empty. */
int iris_range_from_cli(struct wp_cli *cli, time_t *from, time_t *to, struct wp_err *err);
/* $XDG_STATE_HOME/wattpipe/iris-records/NAME (folder created); malloc'd. */
int iris_checkpoint_path(const char *name, char **path, struct wp_err *err);

#endif
