/* brm-login: log in to BRM's auction API and cache the token, or check
 * that the credentials work. */
#include <stdlib.h>
#include <time.h>

#include "wp.h"
#include "brm/brm.h"

static const struct wp_opt opts[] = {
	{ "check", 0, NULL, "always ask for a fresh token; print nothing, exit 0 or 77", WP_COMPLETE_NONE },
	BRM_OPTS,
	{ 0 },
};

static int run(struct wp_cli *cli, struct brm_ctx *c, void *arg, struct wp_err *err)
{
	static const char *const columns[] = { "environment", "user", "token_url", "api_url",
					       "fresh_login", "refresh_at_utc", NULL };
	char t[WP_TIME_MAX];
	struct wp_writer *w;
	int check = wp_cli_has(cli, "check"), rc;

	if ((rc = brm_login(&c->s, check, err)) || check)
		return rc;
	if ((rc = wp_cli_writer(cli, columns, &w, err)))
		return rc;
	wp_fmt_utc(c->s.refresh_at, t);
	jv r = jv_object();
	r = jv_object_set(r, jv_string("environment"), jv_string(c->s.env));
	r = jv_object_set(r, jv_string("user"), jv_string(c->s.user));
	r = jv_object_set(r, jv_string("token_url"), jv_string(c->s.token_url));
	r = jv_object_set(r, jv_string("api_url"), jv_string(c->s.api_url));
	r = jv_object_set(r, jv_string("fresh_login"), jv_bool(c->s.logins > 0));
	r = jv_object_set(r, jv_string("refresh_at_utc"), jv_string(t));
	return wp_writer_put(w, r, err);
}

static const struct brm_prog prog = {
	{ "brm-login", "log in to BRM's day-ahead auction API and cache the token", "[options]",
	  opts, "brm" },
	BRM_READ, NULL, run,
};

int main(int argc, char **argv)
{
	return brm_main(&prog, argc, argv, NULL);
}
