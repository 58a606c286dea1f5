/* token.c: an Entra ID access token for Service Bus (client credentials). */
#include <stdlib.h>
#include <string.h>

#include "wp.h"
#include "iris/iris.h"

static char *form_add(char *form, const char *key, const char *val)
{
	char *v = wp_url_escape(val), *out = NULL;

	if (v && asprintf(&out, "%s%s%s=%s", form ? form : "", form ? "&" : "", key, v) < 0)
		out = NULL;
	free(v);
	wp_secret_free(form); /* it held the secret */
	return out;
}

static const char *str_field(jv o, const char *key)
{
	jv v = jv_object_get(jv_copy(o), jv_string(key));
	const char *s = jv_get_kind(v) == JV_KIND_STRING ? jv_string_value(v) : NULL;

	jv_free(v); /* o still holds the string */
	return s;
}

int iris_token_fetch(struct wp_http *h, const char *url, const char *client_id,
		     const char *secret, char **token, double *expires_in,
		     struct wp_err *err)
{
	static const char *const headers[] = {
		"Content-Type: application/x-www-form-urlencoded", "Accept: application/json", NULL
	};
	struct wp_http_resp resp = WP_HTTP_RESP_INIT;
	struct wp_http_req req = { "POST", url, headers, NULL, 0, 1, 0 };
	char *form = NULL;
	const char *tok, *e;
	jv body, ttl;
	int rc;

	*token = NULL;
	form = form_add(form, "grant_type", "client_credentials");
	form = form_add(form, "client_id", client_id);
	form = form_add(form, "client_secret", secret);
	form = form_add(form, "scope", "https://servicebus.azure.net/.default");
	if (!form)
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	req.body = form;
	req.body_len = strlen(form);
	rc = wp_http_do(h, &req, &resp, err);
	wp_secret_free(form);
	if (rc)
		return wp_err_prefix(err, "token");
	body = jv_parse_sized(resp.body ? resp.body : "", (int)resp.len);
	if (resp.status / 100 != 2) {
		e = jv_get_kind(body) == JV_KIND_OBJECT ? str_field(body, "error") : NULL;
		if (e && (!strcmp(e, "invalid_client") || !strcmp(e, "unauthorized_client")))
			rc = wp_err_set(err, WP_EPERM,
					"token: Entra ID refused client %s (%s): wrong or expired "
					"secret? (IRIS secrets expire after 2 years)", client_id, e);
		else if (e)
			rc = wp_err_set(err, resp.status >= 500 ? WP_ETEMP : WP_EPROTO,
					"token: HTTP %ld %s: %s", resp.status, e,
					str_field(body, "error_description") ? str_field(body, "error_description") : "");
		else
			rc = wp_http_status_err(h, &resp, "token", err);
		jv_free(body);
		wp_http_resp_release(&resp);
		return rc;
	}
	tok = jv_get_kind(body) == JV_KIND_OBJECT ? str_field(body, "access_token") : NULL;
	ttl = jv_get_kind(body) == JV_KIND_OBJECT
		? jv_object_get(jv_copy(body), jv_string("expires_in")) : jv_invalid();
	if (!tok || !*tok) {
		rc = wp_err_set(err, WP_EPROTO, "token: answer from %s has no access_token", url);
	} else if (!(*token = strdup(tok))) {
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
	} else {
		/* expires_in is a number, or a string in older endpoints. */
		*expires_in = jv_get_kind(ttl) == JV_KIND_NUMBER ? jv_number_value(ttl)
			: jv_get_kind(ttl) == JV_KIND_STRING ? atof(jv_string_value(ttl)) : 3600;
		if (*expires_in <= 0)
			*expires_in = 3600;
	}
	jv_free(ttl);
	if (resp.body)
		explicit_bzero(resp.body, resp.len); /* it held the token */
	jv_free(body);
	wp_http_resp_release(&resp);
	return rc;
}
