/* eia.c: EIA API v2 data routes with offset paging. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gas/eia.h"

/* One page's URL. Brackets are sent percent-encoded. */
static char *page_url(const char *base, const char *key, const struct eia_query *q, long offset,
		      int rows)
{
	char *url = NULL, *v;
	size_t len;
	FILE *f = open_memstream(&url, &len);

	if (!f)
		return NULL;
	v = wp_url_escape(key);
	fprintf(f, "%s/%s/data/?api_key=%s", base, q->route, v ? v : "");
	free(v);
	v = wp_url_escape(q->frequency);
	fprintf(f, "&frequency=%s&data%%5B0%%5D=value", v ? v : "");
	free(v);
	for (const char *const *s = q->series; s && *s; s++) {
		v = wp_url_escape(*s);
		fprintf(f, "&facets%%5Bseries%%5D%%5B%%5D=%s", v ? v : "");
		free(v);
	}
	if (q->start)
		fprintf(f, "&start=%s", q->start);
	if (q->end)
		fprintf(f, "&end=%s", q->end);
	/* Sorting by period, then series, keeps pages stable. */
	fprintf(f, "&sort%%5B0%%5D%%5Bcolumn%%5D=period&sort%%5B0%%5D%%5Bdirection%%5D=asc"
		   "&sort%%5B1%%5D%%5Bcolumn%%5D=series&sort%%5B1%%5D%%5Bdirection%%5D=asc"
		   "&offset=%ld&length=%d",
		offset, rows);
	if (fclose(f) != 0) {
		free(url);
		return NULL;
	}
	return url;
}

/* EIA's error bodies: {"error":{"code","message"}} for keys,
 * {"error":"...","code":400} for parameters. */
static int eia_error(const struct wp_http *h, const struct wp_http_resp *resp,
		     struct wp_err *err)
{
	jv body = jv_parse_sized(resp->body ? resp->body : "", (int)resp->len);
	jv e = jv_is_valid(body) && jv_get_kind(body) == JV_KIND_OBJECT
		       ? jv_object_get(jv_copy(body), jv_string("error"))
		       : jv_invalid();
	int rc;

	if (jv_get_kind(e) == JV_KIND_OBJECT) {
		jv code = jv_object_get(jv_copy(e), jv_string("code"));
		jv msg = jv_object_get(jv_copy(e), jv_string("message"));

		rc = wp_err_set(err, resp->status == 403 || resp->status == 401 ? WP_EPERM : WP_EPROTO,
				"EIA refused the request: %s (%s)",
				jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "no message",
				jv_get_kind(code) == JV_KIND_STRING ? jv_string_value(code) : "?");
		jv_free(code);
		jv_free(msg);
	} else if (jv_get_kind(e) == JV_KIND_STRING) {
		rc = wp_err_set(err, resp->status == 403 ? WP_EPERM : WP_EPROTO, "EIA: HTTP %ld: %s",
				resp->status, jv_string_value(e));
	} else {
		rc = wp_http_status_err(h, resp, "EIA", err);
	}
	jv_free(e);
	jv_free(body);
	return rc ? rc : wp_err_set(err, WP_EPROTO, "EIA: unexpected HTTP %ld", resp->status);
}

/* A number, a numeric string, or null (NaN): never 0 for missing. */
static double row_value(jv v)
{
	double d = NAN;

	if (jv_get_kind(v) == JV_KIND_NUMBER) {
		d = jv_number_value(v);
	} else if (jv_get_kind(v) == JV_KIND_STRING) {
		const char *s = jv_string_value(v);
		char *end;

		d = strtod(s, &end);
		if (end == s || *end || !isfinite(d))
			d = NAN;
	}
	jv_free(v);
	return d;
}

static const char *str_field(jv row, const char *key, char *buf, size_t n)
{
	jv v = jv_object_get(jv_copy(row), jv_string(key));

	buf[0] = '\0';
	if (jv_get_kind(v) == JV_KIND_STRING)
		snprintf(buf, n, "%s", jv_string_value(v));
	jv_free(v);
	return buf;
}

/* One parsed page (consumed): hand its rows to fn, set *got and *total. */
static int eia_page(jv body, eia_row_fn fn, void *ctx, long *got, long *total,
		    struct wp_err *err)
{
	jv resp, data, t;
	int rc = 0;

	if (jv_get_kind(body) != JV_KIND_OBJECT) {
		jv_free(body);
		return wp_err_set(err, WP_EPROTO, "EIA: the answer is not a JSON object");
	}
	resp = jv_object_get(body, jv_string("response"));
	data = jv_get_kind(resp) == JV_KIND_OBJECT ? jv_object_get(jv_copy(resp), jv_string("data"))
						    : jv_invalid();
	t = jv_get_kind(resp) == JV_KIND_OBJECT ? jv_object_get(jv_copy(resp), jv_string("total"))
						 : jv_invalid();
	/* total comes as a number or as a string. */
	if (jv_get_kind(t) == JV_KIND_NUMBER)
		*total = (long)jv_number_value(t);
	else if (jv_get_kind(t) == JV_KIND_STRING)
		*total = strtol(jv_string_value(t), NULL, 10);
	else
		rc = wp_err_set(err, WP_EPROTO, "EIA: the answer has no response.total");
	if (!rc && jv_get_kind(data) != JV_KIND_ARRAY)
		rc = wp_err_set(err, WP_EPROTO, "EIA: the answer has no response.data");
	*got = rc ? 0 : jv_array_length(jv_copy(data));
	for (long i = 0; !rc && i < *got; i++) {
		jv row = jv_array_get(jv_copy(data), (int)i);
		char period[32], series[64], area[128];
		struct eia_row r = { str_field(row, "period", period, sizeof period),
				     str_field(row, "series", series, sizeof series),
				     str_field(row, "area-name", area, sizeof area),
				     row_value(jv_object_get(jv_copy(row), jv_string("value"))) };

		jv_free(row);
		if (!*r.period)
			rc = wp_err_set(err, WP_EPROTO, "EIA: a row has no period");
		else
			rc = fn(ctx, &r, err);
	}
	jv_free(t);
	jv_free(data);
	jv_free(resp);
	return rc;
}

int eia_fetch(struct wp_http *h, const char *base, const char *key, const struct eia_query *q,
	      eia_row_fn fn, void *ctx, struct wp_err *err)
{
	int rows = q->page_rows > 0 ? q->page_rows : EIA_PAGE_ROWS;
	long offset = 0, total = 0, got = 0;
	int rc = 0;

	do {
		char *url = page_url(base ? base : EIA_BASE_URL, key, q, offset, rows);
		struct wp_http_req req = { "GET", url, NULL, NULL, 0, 1, 0 };

		if (!url)
			return wp_err_set(err, WP_EINTERNAL, "out of memory");
		/* A garbled page (cut off in transit) is asked for once more. */
		for (int attempt = 0; attempt < 2; attempt++) {
			struct wp_http_resp resp = WP_HTTP_RESP_INIT;
			jv body;

			if ((rc = wp_http_do(h, &req, &resp, err)) == 0 && resp.status != 200)
				rc = eia_error(h, &resp, err);
			if (rc) {
				wp_http_resp_release(&resp);
				break;
			}
			body = jv_parse_sized(resp.body, (int)resp.len);
			wp_http_resp_release(&resp);
			if (jv_is_valid(body)) {
				rc = eia_page(body, fn, ctx, &got, &total, err);
				break;
			}
			jv_free(body);
			rc = wp_err_set(err, WP_EPROTO, "EIA: the answer at offset %ld is not JSON",
					offset);
		}
		free(url);
		if (rc)
			return rc;
		if (got == 0 && offset < total)
			return wp_err_set(err, WP_EPROTO, "EIA: empty page at offset %ld of %ld", offset,
					  total);
		offset += got;
	} while (offset < total);
	return 0;
}
