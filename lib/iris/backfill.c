/* backfill.c: Insights REST windows written as spool files (elexon.md 5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wp.h"
#include "iris/iris.h"

#define DAY 86400L

/* Per dataset: its time parameters and the documented window cap. Where
 * none is documented the windows are one day, which keeps files and
 * answers a reasonable size. */
static const struct api_dataset {
	const char *code, *from, *to;
	long cap_s;
} datasets[] = {
	{ "FREQ", "measurementDateTimeFrom", "measurementDateTimeTo", DAY },
	{ "FUELINST", "publishDateTimeFrom", "publishDateTimeTo", 0 },
	{ "FUELHH", "publishDateTimeFrom", "publishDateTimeTo", 0 },
	{ "REMIT", "publishDateTimeFrom", "publishDateTimeTo", 0 },
	{ "MELNGC", "publishDateTimeFrom", "publishDateTimeTo", DAY },
	{ "INDGEN", "publishDateTimeFrom", "publishDateTimeTo", DAY },
	{ "INDDEM", "publishDateTimeFrom", "publishDateTimeTo", DAY },
	{ "IMBALNGC", "publishDateTimeFrom", "publishDateTimeTo", DAY },
	{ "BOALF", "from", "to", 0 },
	{ "BOD", "from", "to", 0 },
	{ "MILS", "from", "to", 0 },
	{ "MELS", "from", "to", 0 },
	{ "DISBSAD", "from", "to", 0 },
	{ "NETBSAD", "from", "to", 0 },
	{ "MID", "from", "to", 0 },
};

int iris_api_dataset(const char *dataset, const char **from_param,
		     const char **to_param, long *cap_s, struct wp_err *err)
{
	for (size_t i = 0; i < sizeof datasets / sizeof datasets[0]; i++)
		if (!strcmp(datasets[i].code, dataset)) {
			*from_param = datasets[i].from;
			*to_param = datasets[i].to;
			*cap_s = datasets[i].cap_s;
			return 0;
		}
	return wp_err_set(err, WP_EUSAGE,
			  "dataset '%s' cannot be back-filled; known: FREQ FUELINST FUELHH "
			  "REMIT MELNGC INDGEN INDDEM IMBALNGC BOALF BOD MILS MELS DISBSAD "
			  "NETBSAD MID", dataset);
}

static void stamp(time_t t, char buf[16])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 16, "%Y%m%d%H%M", &tm);
}

/* GET one window; *rows is the array of rows (from {"data": [...]} or a
 * bare array). */
static int fetch(struct iris_backfill *b, const char *fp, const char *tp, time_t a,
		 time_t z, jv *rows, struct wp_err *err)
{
	struct wp_http_resp resp = WP_HTTP_RESP_INIT;
	struct wp_http_req req = { 0 };
	char ta[WP_TIME_MAX], tz[WP_TIME_MAX], *url = NULL;
	jv body;
	int rc;

	wp_fmt_utc(a, ta);
	wp_fmt_utc(z, tz);
	if (asprintf(&url, "%s/datasets/%s?%s=%s&%s=%s&format=json", b->base_url, b->dataset,
		     fp, ta, tp, tz) < 0)
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	req.url = url;
	req.idempotent = 1;
	rc = wp_http_do(b->http, &req, &resp, err);
	if (!rc && (rc = wp_http_status_err(b->http, &resp, b->dataset, err))) {
		/* Insights explains a 400 in the body: keep its words. */
		if (resp.body && resp.len)
			wp_err_prefix(err, "%s %s..%s: %.300s", b->dataset, ta, tz, resp.body);
	}
	free(url);
	if (rc) {
		wp_http_resp_release(&resp);
		return rc;
	}
	body = jv_parse_sized(resp.body ? resp.body : "", (int)resp.len);
	wp_http_resp_release(&resp);
	if (jv_get_kind(body) == JV_KIND_OBJECT)
		body = jv_object_get(body, jv_string("data"));
	if (jv_get_kind(body) != JV_KIND_ARRAY) {
		jv_free(body);
		return wp_err_set(err, WP_EPROTO, "%s %s..%s: answer has no data array",
				  b->dataset, ta, tz);
	}
	*rows = body;
	return 0;
}

int iris_backfill_run(struct iris_backfill *b, struct wp_err *err)
{
	const char *fp, *tp;
	long cap;
	int rc;

	if ((rc = iris_api_dataset(b->dataset, &fp, &tp, &cap, err)))
		return rc;
	if (!cap)
		cap = DAY;
	for (time_t a = b->from; a < b->to; a += cap) {
		time_t z = a + cap < b->to ? a + cap : b->to;
		char sa[16], sz[16], name[IRIS_NAME_MAX + 8], path[IRIS_NAME_MAX + 64];
		enum iris_put how;
		jv rows, dump;

		stamp(a, sa);
		stamp(z, sz);
		snprintf(name, sizeof name, "%s_%s_api-%s.json", b->dataset, sa, sz);
		snprintf(path, sizeof path, "%s/%s", b->dataset, name);
		if (faccessat(b->store->rootfd, path, F_OK, 0) == 0) {
			b->files_skipped++;
			continue;
		}
		if ((rc = fetch(b, fp, tp, a, z, &rows, err)))
			return rc;
		/* An empty window is not stored: its data may not be
		 * published yet, and a file would make later runs skip it. */
		if (jv_array_length(jv_copy(rows)) == 0) {
			jv_free(rows);
			continue;
		}
		dump = jv_dump_string(jv_copy(rows), 0);
		rc = iris_store_put(b->store, b->dataset, name, jv_string_value(dump),
				    (size_t)jv_string_length_bytes(jv_copy(dump)), &how, NULL, err);
		jv_free(dump);
		if (rc) {
			jv_free(rows);
			return rc;
		}
		b->files_written++;
		b->rows += jv_array_length(jv_copy(rows));
		if (b->emit && (rc = b->emit(b->ctx, b->dataset, name, rows, err)))
			return rc;
		if (!b->emit)
			jv_free(rows);
	}
	return 0;
}
