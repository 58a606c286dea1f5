/* setup.c: what the hh-* commands share: the EIA source (key, base URL,
 * HTTP context) and the NG calendar, from the command line, environment
 * and config section [gas]. */
#include <stdlib.h>

#include "gas/gas.h"

int gas_source_open(struct wp_cli *cli, struct gas_source *src, struct wp_err *err)
{
	/* EIA: stay under ~5 requests a second and 9,000 an hour per key. */
	struct wp_http_opts o = WP_HTTP_OPTS_INIT;
	char *key = NULL;
	int rc;

	o.rate_name = "eia";
	o.rate_max = 9000;
	o.rate_window_s = 3600;
	o.rate_min_interval_s = 0.2;
	src->base = wp_cli_setting(cli, "base-url", "EIA_BASE_URL", NULL, "base_url", EIA_BASE_URL,
				   err);
	if ((rc = wp_cli_secret(cli, "EIA_API_KEY", NULL, "api_key", &key, err)))
		return rc;
	/* The key rides in the query string: keep it out of traces. */
	o.secrets[0] = key;
	if (!(src->h = calloc(1, sizeof *src->h))) {
		wp_secret_free(key);
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	if ((rc = wp_cli_http(cli, &o, src->h, err))) {
		free(src->h);
		src->h = NULL;
		wp_secret_free(key);
		return rc;
	}
	src->key = key;
	return 0;
}

void gas_source_close(struct gas_source *src)
{
	if (src->h) {
		wp_http_release(src->h);
		free(src->h);
	}
	wp_secret_free((char *)src->key);
	*src = (struct gas_source){ 0 };
}

int gas_calendar_open(struct wp_cli *cli, struct ng_calendar *cal, struct wp_err *err)
{
	const char *hol = wp_cli_setting(cli, NULL, NULL, NULL, "holidays", NULL, err);
	const char *exp = wp_cli_setting(cli, NULL, NULL, NULL, "expiries", NULL, err);

	return ng_calendar_config(cal, hol, exp, err);
}

int gas_day(struct wp_cli *cli, const char *opt, const char *def, struct wp_date *d,
	    struct wp_err *err)
{
	const char *s = wp_cli_get(cli, opt);
	struct wp_tz *tz;
	int rc;

	/* Gas days and NYMEX dates follow New York. */
	if ((rc = wp_tz_load(&tz, "America/New_York", NULL, err)))
		return rc;
	rc = wp_date_parse(s ? s : def, tz, time(NULL), d, err);
	wp_tz_free(tz);
	if (rc)
		wp_err_prefix(err, "--%s", opt);
	return rc;
}
