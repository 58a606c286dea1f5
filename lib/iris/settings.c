/* settings.c: the [iris] settings shared by the iris-* commands, by the
 * one precedence rule (command line > environment > config > default). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "wp.h"
#include "iris/iris.h"
#include "iris/settings.h"

int iris_dir_from_cli(struct wp_cli *cli, char **dir, struct wp_err *err)
{
	const char *d = wp_cli_setting(cli, "dir", "IRIS_DIR", "iris", "dir", NULL, err);
	char *data;
	int rc;

	*dir = NULL;
	if (err->code)
		return err->code;
	if (d)
		return (*dir = strdup(d)) ? 0 : wp_err_set(err, WP_EINTERNAL, "out of memory");
	if ((rc = wp_xdg_dir("data", 1, &data, err)))
		return rc;
	if (asprintf(dir, "%s/iris", data) < 0)
		*dir = NULL;
	free(data);
	return *dir ? 0 : wp_err_set(err, WP_EINTERNAL, "out of memory");
}

static int required(const char *v, const char *what, const char *opt, const char *env,
		    const char *key, struct wp_err *err)
{
	if (v && *v)
		return 0;
	return wp_err_set(err, WP_ECONFIG, "no %s: use --%s, set %s, or put '%s = ...' in [iris]",
			  what, opt, env, key);
}

/* The official clients' settings file (elexon.md 2): a JSON object with
 * ClientId, Secret, QueueName, ServiceBusNamespace, TenantId,
 * RelativeFileDownloadDirectory; older templates nest the first two in
 * AppRegistration and call the queue ServiceBusQueue. It holds the secret,
 * so it must not be readable by group or others. */
static int load_settings_file(const char *path, jv *out, struct wp_err *err)
{
	struct stat st;
	FILE *f = fopen(path, "r");
	char buf[65536];
	size_t n;

	if (!f)
		return wp_err_errno(err, WP_ENOINPUT, "cannot read settings file", path);
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077)) {
		fclose(f);
		return wp_err_set(err, WP_ECONFIG, "settings file %s holds a secret and is readable "
				  "by others: chmod 600 %s", path, path);
	}
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	*out = jv_parse_sized(buf, (int)n);
	if (jv_get_kind(*out) != JV_KIND_OBJECT) {
		jv_free(*out);
		*out = jv_invalid();
		return wp_err_set(err, WP_ECONFIG, "settings file %s: not a JSON object", path);
	}
	return 0;
}

/* A string setting of the file: key, else AppRegistration.key, else alias. */
static const char *file_get(jv file, const char *key, const char *alias)
{
	const char *names[] = { key, alias };

	if (jv_get_kind(file) != JV_KIND_OBJECT)
		return NULL;
	for (int i = 0; i < 2; i++) {
		jv v;

		if (!names[i])
			continue;
		v = jv_object_get(jv_copy(file), jv_string(names[i]));
		if (jv_get_kind(v) != JV_KIND_STRING) {
			jv_free(v);
			v = jv_object_get(jv_copy(file), jv_string("AppRegistration"));
			v = jv_get_kind(v) == JV_KIND_OBJECT ? jv_object_get(v, jv_string(names[i]))
							     : (jv_free(v), jv_invalid());
		}
		if (jv_get_kind(v) == JV_KIND_STRING && jv_string_length_bytes(jv_copy(v)) > 0) {
			const char *p = jv_string_value(v);

			jv_free(v); /* file still holds the string */
			return p;
		}
		jv_free(v);
	}
	return NULL;
}

int iris_listen_settings(struct wp_cli *cli, struct iris_settings *s, struct wp_err *err)
{
	const char *tenant, *ns, *path = wp_cli_get(cli, "settings");
	long credit;
	double idle, backoff;
	int rc;

	s->file = jv_invalid();
	if (path && (rc = load_settings_file(path, &s->file, err)))
		return rc;
	/* option > settings file > environment > config > default */
#define SET(opt, fkey, falias, env, key, def) \
	(wp_cli_get(cli, opt) ? wp_cli_get(cli, opt) \
	 : file_get(s->file, fkey, falias) ? file_get(s->file, fkey, falias) \
	 : wp_cli_setting(cli, NULL, env, "iris", key, def, err))
	s->client_id = SET("client-id", "ClientId", NULL, "IRIS_CLIENT_ID", "client_id", NULL);
	s->queue = SET("queue", "QueueName", "ServiceBusQueue", "IRIS_QUEUE", "queue", NULL);
	ns = SET("namespace", "ServiceBusNamespace", NULL, "IRIS_NAMESPACE", "namespace",
		 "elexon-insights-iris");
	tenant = SET("tenant", "TenantId", NULL, "IRIS_TENANT_ID", "tenant_id", NULL);
	s->amqp_url = SET("amqp-url", NULL, NULL, "IRIS_AMQP_URL", "amqp_url", NULL);
	s->token_url = SET("token-url", NULL, NULL, "IRIS_TOKEN_URL", "token_url", NULL);
#undef SET
	s->file_secret = file_get(s->file, "Secret", NULL);
	if (err->code)
		return err->code;
	if ((rc = required(s->client_id, "client id", "client-id", "IRIS_CLIENT_ID", "client_id", err)) ||
	    (rc = required(s->queue, "queue name", "queue", "IRIS_QUEUE", "queue", err)))
		return rc;
	if (!s->token_url && !tenant)
		return wp_err_set(err, WP_ECONFIG,
				  "no Entra tenant: use --tenant (the tenant id in Elexon's IRIS "
				  "client README), set IRIS_TENANT_ID, or put 'tenant_id = ...' in [iris]");
	snprintf(s->fqdn, sizeof s->fqdn, "%s.servicebus.windows.net", ns);
	snprintf(s->audience, sizeof s->audience, "sb://%s/%s", s->fqdn, s->queue);
	if (!s->amqp_url) {
		snprintf(s->amqp_buf, sizeof s->amqp_buf, "amqps://%s:5671", s->fqdn);
		s->amqp_url = s->amqp_buf;
	}
	if (!s->token_url) {
		snprintf(s->token_buf, sizeof s->token_buf,
			 "https://login.microsoftonline.com/%s/oauth2/v2.0/token", tenant);
		s->token_url = s->token_buf;
	}
	if ((rc = wp_cli_long(cli, "credit", 5, &credit, err)) ||
	    (rc = wp_cli_double(cli, "idle", 2.0, &idle, err)) ||
	    (rc = wp_cli_double(cli, "backoff", 1.0, &backoff, err)) ||
	    (rc = wp_cli_long(cli, "retries", 3, &s->retries, err)))
		return rc;
	if (credit < 1 || credit > 1000)
		return wp_err_set(err, WP_EUSAGE, "--credit %ld: must be 1 to 1000", credit);
	if (idle <= 0 || backoff <= 0 || s->retries < 1)
		return wp_err_set(err, WP_EUSAGE, "--idle, --backoff and --retries must be positive");
	s->credit = (int)credit;
	s->idle_s = idle;
	s->backoff_s = backoff;
	if (!wp_cli_get(cli, "dir") && file_get(s->file, "RelativeFileDownloadDirectory", NULL))
		return (s->dir = strdup(file_get(s->file, "RelativeFileDownloadDirectory", NULL)))
			? 0 : wp_err_set(err, WP_EINTERNAL, "out of memory");
	return iris_dir_from_cli(cli, &s->dir, err);
}

void iris_settings_release(struct iris_settings *s)
{
	free(s->dir);
	s->dir = NULL;
	jv_free(s->file);
	s->file = jv_invalid();
}

/* A --from/--to value: a GB delivery day (Europe/London, DST-aware) or
 * an RFC 3339 time. A day as --to includes that whole day. */
static int when(const char *s, int is_to, const struct wp_tz *tz, time_t *out,
		struct wp_err *err)
{
	struct wp_date d;
	int rc;

	if (strchr(s, 'T') || strchr(s, ' ') || strlen(s) > 10) {
		if ((rc = wp_parse_time(s, out, err)))
			return wp_err_set(err, WP_EUSAGE, "invalid time '%s'", s);
		return 0;
	}
	if ((rc = wp_date_parse(s, tz, time(NULL), &d, err)))
		return rc;
	*out = wp_day_start(tz, is_to ? wp_date_add(d, 1) : d);
	return 0;
}

int iris_range_from_cli(struct wp_cli *cli, time_t *from, time_t *to, struct wp_err *err)
{
	const char *f = wp_cli_get(cli, "from"), *t = wp_cli_get(cli, "to");
	struct wp_tz *tz = NULL;
	int rc;

	*from = *to = 0;
	if (!f && !t)
		return 0;
	if ((rc = wp_tz_load(&tz, "Europe/London", NULL, err)))
		return rc;
	if ((f && (rc = when(f, 0, tz, from, err))) || (t && (rc = when(t, 1, tz, to, err)))) {
		wp_tz_free(tz);
		return rc;
	}
	wp_tz_free(tz);
	if (*from && *to && *to <= *from)
		return wp_err_set(err, WP_EUSAGE, "--to %s is not after --from %s", t, f);
	return 0;
}

int iris_checkpoint_path(const char *name, char **path, struct wp_err *err)
{
	char safe[128], *state, *dir;
	int rc;

	*path = NULL;
	if (iris_sanitize(name, safe, sizeof safe) < 0 || strcmp(safe, name))
		return wp_err_set(err, WP_EUSAGE,
				  "checkpoint name '%s': use letters, digits, '.', '_' or '-'", name);
	if ((rc = wp_xdg_dir("state", 1, &state, err)))
		return rc;
	if (asprintf(&dir, "%s/iris-records", state) < 0) {
		free(state);
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	free(state);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		rc = wp_err_errno(err, WP_ECANTCREAT, "cannot create", dir);
		free(dir);
		return rc;
	}
	if (asprintf(path, "%s/%s", dir, safe) < 0)
		*path = NULL;
	free(dir);
	return *path ? 0 : wp_err_set(err, WP_EINTERNAL, "out of memory");
}
