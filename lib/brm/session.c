/* session.c: what every brm-* program does around its own work: pick the
 * environment (test unless prod is chosen explicitly), hosts, credentials,
 * HTTP options, token cache, journal, market clocks and risk limits; and
 * write its records. */
#include <stdlib.h>
#include <string.h>

#include "brm/brm.h"

#define TOKEN_PATH "/connect/token"
#define API_PATH "/api/v1"

/* Nord Pool's public client, the same for every member (brm.md section 2). */
#define CLIENT_ID "client_auction_api"

void brm_ctx_close(struct brm_ctx *c)
{
	brm_session_release(&c->s);
	if (c->http_ok)
		wp_http_release(&c->http);
	wp_secret_free(c->password);
	wp_tz_free(c->tz);
	wp_tz_free(c->day_tz);
	c->password = NULL;
	c->tz = c->day_tz = NULL;
	c->http_ok = 0;
}

static int join(char **out, const char *a, const char *b, struct wp_err *err)
{
	size_t n = strlen(a);

	while (n > 0 && a[n - 1] == '/')
		n--; /* "http://host/" + "/api/v1" */
	if (asprintf(out, "%.*s%s", (int)n, a, b) < 0) {
		*out = NULL;
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	return 0;
}

/* One endpoint: its own override, else the common base, else the
 * environment's. */
static int endpoint(char **out, const char *own, const char *base, const char *path,
		    const char *def, struct wp_err *err)
{
	if (own)
		return join(out, own, path, err);
	if (base)
		return join(out, base, path, err);
	return (*out = strdup(def)) ? 0 : wp_err_set(err, WP_EINTERNAL, "out of memory");
}

static int limit(struct wp_cli *cli, const char *key, double *out, struct wp_err *err)
{
	const char *v = wp_cli_setting(cli, NULL, NULL, "brm", key, NULL, err);
	char *end;

	*out = NAN;
	if (!v)
		return err->code;
	*out = strtod(v, &end);
	if (end == v || *end || !isfinite(*out))
		return wp_err_set(err, WP_ECONFIG, "[brm] %s = '%s' is not a number", key, v);
	return 0;
}

int brm_limits_from_cli(struct wp_cli *cli, struct brm_limits *lim, struct wp_err *err)
{
	int rc;

	if ((rc = limit(cli, "max_mw", &lim->max_mw, err)) ||
	    (rc = limit(cli, "max_notional", &lim->max_notional, err)) ||
	    (rc = limit(cli, "band_min", &lim->band_min, err)) ||
	    (rc = limit(cli, "band_max", &lim->band_max, err)))
		return rc;
	if (!isnan(lim->band_min) && !isnan(lim->band_max) && lim->band_min > lim->band_max)
		return wp_err_set(err, WP_ECONFIG, "[brm] band_min %g is above band_max %g",
				  lim->band_min, lim->band_max);
	return 0;
}

int brm_ctx_open(struct brm_ctx *c, struct wp_cli *cli, enum brm_mode mode, struct wp_err *err)
{
	struct wp_http_opts defaults = WP_HTTP_OPTS_INIT;
	struct brm_session *s = &c->s;
	const char *name, *base, *url;
	int rc;

	name = wp_cli_setting(cli, "env", "BRM_ENV", "brm", "env", "test", err);
	if (err->code)
		return err->code;
	if ((rc = brm_env_lookup(name, &c->env, err)))
		return rc;
	/* Production is never reached by accident: a write needs the choice
	 * on the command line itself, not only in the environment or config. */
	if (mode == BRM_WRITE && !strcmp(c->env->name, "prod") &&
	    !(wp_cli_get(cli, "env") && !strcmp(wp_cli_get(cli, "env"), "prod")))
		return wp_err_set(err, WP_ECONFIG,
				  "prod chosen by BRM_ENV or the config file; orders on prod need "
				  "--env prod on the command line");
	s->env = c->env->name;

	base = wp_cli_setting(cli, "base-url", "BRM_BASE_URL", "brm", "base_url", NULL, err);
	url = wp_cli_setting(cli, NULL, "BRM_SSO_URL", NULL, NULL, NULL, err);
	if ((rc = endpoint(&s->token_url, url, base, TOKEN_PATH, c->env->token_url, err)))
		return rc;
	url = wp_cli_setting(cli, NULL, "BRM_API_URL", NULL, NULL, NULL, err);
	if ((rc = endpoint(&s->api_url, url, base, API_PATH, c->env->api_url, err)))
		return rc;

	s->user = wp_cli_setting(cli, "user", "BRM_USERNAME", "brm", "username", NULL, err);
	if (err->code)
		return err->code;
	if (!s->user)
		return wp_err_set(err, WP_ECONFIG, "no BRM user: set BRM_USERNAME, use --user, or put "
						   "'username = ...' in [brm] of the config file");
	if ((rc = wp_cli_secret(cli, "BRM_PASSWORD", "brm", "password", &c->password, err)))
		return rc;
	s->password = c->password;
	s->client_id = wp_cli_setting(cli, NULL, NULL, "brm", "client_id", CLIENT_ID, err);
	s->client_secret = wp_cli_setting(cli, NULL, NULL, "brm", "client_secret", CLIENT_ID, err);

	/* Reads retry; writes are sent once whatever happens (api.c). */
	if ((rc = wp_cli_http(cli, &defaults, &c->http, err)))
		return rc;
	c->http_ok = 1;
	s->http = &c->http;
	if ((rc = wp_http_add_secret(&c->http, c->password, err)))
		return rc;
	if (cli->cache_dir && (rc = join(&s->token_cache, cli->cache_dir, "/brm-token.json", err)))
		return rc;
	if (mode == BRM_WRITE && (rc = brm_journal_path(1, &s->journal, err)))
		return rc;
	/* Contracts are shown on the Romanian clock; delivery days are CET days. */
	if ((rc = wp_tz_load(&c->tz, "Europe/Bucharest", NULL, err)) ||
	    (rc = wp_tz_load(&c->day_tz, "Europe/Brussels", NULL, err)))
		return rc;
	if (mode != BRM_READ)
		wp_cli_warn(cli, "environment %s (%s)", s->env, s->api_url);
	return 0;
}

int brm_journal_path(int create, char **out, struct wp_err *err)
{
	char *dir;
	int rc;

	if ((rc = wp_xdg_dir("state", create, &dir, err)))
		return rc;
	rc = join(out, dir, "/brm-journal.ndjson", err);
	free(dir);
	return rc;
}

int brm_put_writer(jv rec, void *w, struct wp_err *err)
{
	return wp_writer_put(w, rec, err);
}

int brm_put_outcome(struct wp_writer *w, jv out, int rc, struct wp_err *err)
{
	struct wp_err werr = WP_ERR_INIT;
	int wrc;

	if (jv_get_kind(out) != JV_KIND_OBJECT) {
		jv_free(out);
		return rc;
	}
	if ((wrc = wp_writer_put(w, out, &werr)) && !rc) {
		*err = werr;
		return wrc;
	}
	return rc;
}

int brm_main(const struct brm_prog *p, int argc, char **argv, void *arg)
{
	struct wp_cli cli = WP_CLI_INIT;
	struct wp_err err = WP_ERR_INIT;
	struct brm_ctx c = BRM_CTX_INIT;
	int rc;

	if ((rc = wp_cli_init(&cli, &p->cli, argc, argv, &err)) == 0 &&
	    (!p->check || (rc = p->check(&cli, arg, &err)) == 0)) {
		enum brm_mode mode = p->mode;
		if (mode == BRM_WRITE && wp_cli_has(&cli, "dry-run"))
			mode = BRM_DRY_RUN;
		if ((rc = brm_ctx_open(&c, &cli, mode, &err)) == 0)
			rc = p->run(&cli, &c, arg, &err);
	}
	brm_ctx_close(&c);
	return wp_cli_finish(&cli, rc, &err);
}
