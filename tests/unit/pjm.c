/* Unit tests for lib/pjm: feeds, types, request planning, row mapping. */
#include <stdlib.h>

#include "tap.h"
#include "wp.h"
#include "pjm/pjm.h"

static struct wp_date D(int y, int m, int d)
{
	return (struct wp_date){ y, m, d };
}

static void seg_is(const struct pjm_segment *s, struct wp_date from, struct wp_date to,
		   int archived, const char *what)
{
	char a[WP_TIME_MAX], b[WP_TIME_MAX], want[80], got[80];

	wp_fmt_date(s->from, a);
	wp_fmt_date(s->to, b);
	snprintf(got, sizeof got, "%s..%s%s", a, b, s->archived ? " archived" : "");
	wp_fmt_date(from, a);
	wp_fmt_date(to, b);
	snprintf(want, sizeof want, "%s..%s%s", a, b, archived ? " archived" : "");
	is_str(got, want, what);
}

static void test_feeds(void)
{
	const struct pjm_feed *f = NULL;
	const char *t = NULL;
	struct wp_err err = WP_ERR_INIT;

	is_int(pjm_feed_find("da", 0, &f, &err), 0, "da is a market");
	is_str(f->feed, "da_hrl_lmps", "da reads da_hrl_lmps");
	pjm_feed_find("rt5", 0, &f, &err);
	is_str(f->feed, "rt_fivemin_hrl_lmps", "rt5 reads the verified 5-minute feed");
	ok(!f->type_filter, "rt_fivemin_hrl_lmps refuses type=, filtered locally");
	pjm_feed_find("rt5", 1, &f, &err);
	is_str(f->feed, "rt_unverified_fivemin_lmps", "rt5 --prelim reads the unverified feed");
	is_str(f->rec_market, "RT5", "unverified 5-minute rows are RT5");
	is_int(pjm_feed_find("dam", 0, &f, &err), WP_EUSAGE, "unknown market is a usage error");
	is_str(err.msg, "unknown market 'dam' (use da, rt or rt5)", "message names the market");
	is_int(pjm_feed_find("da", 1, &f, &err), WP_EUSAGE, "--prelim needs rt5");

	is_int(pjm_type_parse("hub", &t, &err), 0, "hub is a type");
	is_str(t, "HUB", "types go upper case");
	is_int(pjm_type_parse("Residual_Metered_EDC", &t, &err), 0, "long type names");
	is_int(pjm_type_parse("bus", &t, &err), WP_EUSAGE, "unknown type is a usage error");
	is_str(pjm_location_type("RESIDUAL_METERED_EDC"), "ZONE", "residual metered EDC is a zone");
	is_str(pjm_location_type("GEN"), "NODE", "GEN is a node");
	is_str(pjm_location_type("TIE"), "INTERFACE", "TIE is an interface");
	is_str(pjm_location_type(NULL), "NODE", "no type counts as a node");
}

static void test_plan(void)
{
	struct pjm_segment *s = NULL;
	struct wp_err err = WP_ERR_INIT;
	int n = 0;

	is_int(pjm_plan(D(2024, 11, 3), D(2024, 11, 5), D(2025, 6, 1), 731, &s, &n, &err), 0,
	       "recent days plan");
	is_int(n, 1, "one standard request");
	seg_is(&s[0], D(2024, 11, 3), D(2024, 11, 5), 0, "the days as asked");
	free(s);

	/* 2026-11-25 - 731 days = 2024-11-24: the first standard day. */
	pjm_plan(D(2023, 12, 30), D(2024, 12, 2), D(2026, 11, 25), 731, &s, &n, &err);
	is_int(n, 3, "archive split at the year end and at the cutoff");
	seg_is(&s[0], D(2023, 12, 30), D(2023, 12, 31), 1, "archived, first year");
	seg_is(&s[1], D(2024, 1, 1), D(2024, 11, 23), 1, "archived up to the cutoff");
	seg_is(&s[2], D(2024, 11, 24), D(2024, 12, 2), 0, "standard from the cutoff");
	free(s);

	pjm_plan(D(2025, 1, 1), D(2026, 6, 30), D(2026, 7, 1), 0, &s, &n, &err);
	is_int(n, 2, "standard ranges stay under 366 days");
	seg_is(&s[0], D(2025, 1, 1), D(2025, 12, 31), 0, "first 365 days");
	seg_is(&s[1], D(2026, 1, 1), D(2026, 6, 30), 0, "the rest");
	free(s);

	is_int(pjm_plan(D(2025, 1, 2), D(2025, 1, 1), D(2026, 7, 1), 0, &s, &n, &err),
	       WP_EUSAGE, "from after to is a usage error");
}

static void test_window(void)
{
	struct wp_tz *tz = NULL;
	struct wp_err err = WP_ERR_INIT;
	char buf[64];

	is_int(wp_tz_load(&tz, "America/New_York", NULL, &err), 0, "tz loads");
	pjm_window(wp_day_start(tz, D(2024, 11, 3)), wp_day_start(tz, D(2024, 11, 4)), buf);
	is_str(buf, "11/03/2024 04:00to11/04/2024 04:59", "fall-back day: 25 hours, end - 1 min");
	pjm_window(wp_day_start(tz, D(2024, 3, 10)), wp_day_start(tz, D(2024, 3, 11)), buf);
	is_str(buf, "03/10/2024 05:00to03/11/2024 03:59", "spring-forward day: 23 hours");
	wp_tz_free(tz);
}

static jv row(const char *json)
{
	return jv_parse(json);
}

static const char *field(jv rec, const char *k, char buf[64])
{
	jv v = jv_object_get(jv_copy(rec), jv_string(k));

	if (jv_get_kind(v) == JV_KIND_STRING)
		snprintf(buf, 64, "%s", jv_string_value(v));
	else if (jv_get_kind(v) == JV_KIND_NUMBER)
		wp_fmt_double(jv_number_value(v), buf);
	else
		snprintf(buf, 64, "%s", jv_get_kind(v) == JV_KIND_NULL ? "null" : "absent");
	jv_free(v);
	return buf;
}

static void test_rows(void)
{
	const struct pjm_feed *da, *pre;
	struct wp_tz *tz = NULL;
	struct wp_err err = WP_ERR_INIT;
	char b[64];
	time_t t;
	jv rec;

	wp_tz_load(&tz, "America/New_York", NULL, &err);
	pjm_feed_find("da", 0, &da, &err);
	pjm_feed_find("rt5", 1, &pre, &err);

	is_int(pjm_row_to_record(da, tz, row("{\"datetime_beginning_utc\":\"2024-11-03T06:00:00.000\","
					     "\"pnode_id\":51288,\"pnode_name\":\"WESTERN HUB\",\"type\":\"HUB\","
					     "\"system_energy_price_da\":26.03,\"total_lmp_da\":27.38,"
					     "\"congestion_price_da\":1.25,\"marginal_loss_price_da\":0.1,"
					     "\"version_nbr\":1}"),
				 &rec, &t, &err), 0, "a DA row maps");
	is_str(field(rec, "interval_start_utc", b), "2024-11-03T06:00:00Z", "start in UTC, .000 dropped");
	is_str(field(rec, "interval_end_utc", b), "2024-11-03T07:00:00Z", "end = start + 1 h");
	is_str(field(rec, "interval_start_local", b), "2024-11-03T01:00:00-05:00",
	       "the second 01:00 of the fall-back day");
	is_str(field(rec, "market", b), "DA", "market");
	is_str(field(rec, "run", b), "final", "run");
	is_str(field(rec, "location_id", b), "51288", "pnode id as text");
	is_str(field(rec, "location_type", b), "HUB", "location type");
	is_str(field(rec, "lmp", b), "27.38", "lmp as published");
	is_str(field(rec, "energy", b), "26.03", "energy as published");
	is_str(field(rec, "ghg", b), "null", "no ghg in PJM");
	is_str(field(rec, "pjm_version_nbr", b), "1", "version kept as an extension");
	jv_free(rec);

	pjm_row_to_record(da, tz, row("{\"datetime_beginning_utc\":\"2024-11-03T06:00:00\","
				      "\"pnode_id\":1,\"pnode_name\":\"PJM-RTO\",\"type\":\"ZONE\","
				      "\"system_energy_price_da\":null,\"total_lmp_da\":27.38}"),
			  &rec, &t, &err);
	is_str(field(rec, "energy", b), "null", "missing components stay null, never 0");
	is_str(field(rec, "congestion", b), "null", "absent congestion is null");
	jv_free(rec);

	pjm_row_to_record(pre, tz, row("{\"datetime_beginning_utc\":\"2024-03-10T07:05:00\","
				       "\"pnode_id\":51217,\"pnode_name\":\"EASTERN HUB\",\"type\":\"HUB\","
				       "\"total_lmp_rt\":31.28,\"congestion_price_rt\":2.5,"
				       "\"marginal_loss_price_rt\":0.2}"),
			  &rec, &t, &err);
	is_str(field(rec, "energy", b), "28.58", "energy derived on unverified feeds");
	is_str(field(rec, "interval_end_utc", b), "2024-03-10T07:10:00Z", "5-minute interval");
	is_str(field(rec, "interval_start_local", b), "2024-03-10T03:05:00-04:00",
	       "after the spring-forward gap");
	is_str(field(rec, "run", b), "prelim", "unverified is prelim");
	is_str(field(rec, "pjm_version_nbr", b), "absent", "no version on unverified rows");
	jv_free(rec);

	is_int(pjm_row_to_record(da, tz, row("{\"datetime_beginning_utc\":\"11/03/2024\","
					     "\"pnode_id\":1,\"pnode_name\":\"PJM-RTO\",\"total_lmp_da\":1}"),
				 &rec, &t, &err), WP_EPROTO, "a malformed time is a protocol error");
	is_int(pjm_row_to_record(da, tz, row("{\"datetime_beginning_utc\":\"2024-11-03T06:00:00\","
					     "\"pnode_id\":1,\"pnode_name\":\"PJM-RTO\",\"total_lmp_da\":\"x\"}"),
				 &rec, &t, &err), WP_EPROTO, "a text price is a protocol error");
	ok(strstr(err.msg, "total_lmp_da") != NULL, "the message names the column");
	wp_tz_free(tz);
}

int main(void)
{
	test_feeds();
	test_plan();
	test_window();
	test_rows();
	return done_testing();
}
