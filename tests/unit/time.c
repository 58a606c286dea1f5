/* time: civil dates, TZif zones across DST changes, date and time text. */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "wp.h"

#define H 3600L

static struct wp_tz *zone(const char *name)
{
	struct wp_tz *tz = NULL;
	struct wp_err err = WP_ERR_INIT;

	if (wp_tz_load(&tz, name, NULL, &err) != 0) {
		printf("Bail out! %s\n", err.msg);
		exit(1);
	}
	return tz;
}

static time_t utc(const char *s)
{
	time_t t = 0;
	struct wp_err err = WP_ERR_INIT;

	if (wp_parse_time(s, &t, &err) != 0)
		printf("# %s\n", err.msg);
	return t;
}

static long day_len(const struct wp_tz *tz, int y, int m, int d)
{
	struct wp_date day = { y, m, d };

	return (long)(wp_day_start(tz, wp_date_add(day, 1)) - wp_day_start(tz, day));
}

static const char *local(const struct wp_tz *tz, time_t t)
{
	static char buf[WP_TIME_MAX];

	wp_fmt_local(t, tz, buf);
	return buf;
}

static const char *z(time_t t)
{
	static char buf[WP_TIME_MAX];

	wp_fmt_utc(t, buf);
	return buf;
}

static void civil(void)
{
	int bad = 0;

	is_int(wp_date_days((struct wp_date){ 1970, 1, 1 }), 0, "epoch is day 0");
	is_int(wp_date_days((struct wp_date){ 2000, 3, 1 }), 11017, "2000-03-01 is day 11017");
	is_int(wp_date_days((struct wp_date){ 1969, 12, 31 }), -1, "day before the epoch");
	for (int64_t n = -719162; n <= 2932896; n += 7) {
		struct wp_date d = wp_date_from_days(n);
		if (!wp_date_valid(d) || wp_date_days(d) != n)
			bad++;
	}
	is_int(bad, 0, "days <-> dates round trip, years 1 to 9999");
	is_int(wp_date_weekday((struct wp_date){ 2024, 11, 3 }), 0, "2024-11-03 was a Sunday");
	is_int(wp_date_weekday((struct wp_date){ 1970, 1, 1 }), 4, "1970-01-01 was a Thursday");
	struct wp_date d = wp_date_add((struct wp_date){ 2024, 2, 28 }, 1);
	ok(d.y == 2024 && d.m == 2 && d.d == 29, "2024-02-28 + 1 = 2024-02-29");
	d = wp_date_add((struct wp_date){ 2023, 12, 31 }, 1);
	ok(d.y == 2024 && d.m == 1 && d.d == 1, "2023-12-31 + 1 = 2024-01-01");
	ok(!wp_date_valid((struct wp_date){ 2023, 2, 29 }), "2023-02-29 invalid");
	ok(!wp_date_valid((struct wp_date){ 1900, 2, 29 }), "1900-02-29 invalid");
	ok(wp_date_valid((struct wp_date){ 2000, 2, 29 }), "2000-02-29 valid");
	ok(wp_date_cmp((struct wp_date){ 2024, 1, 31 }, (struct wp_date){ 2024, 2, 1 }) < 0,
	   "date_cmp orders dates");
}

static void new_york(void)
{
	struct wp_tz *ny = zone("America/New_York");
	struct wp_err err = WP_ERR_INIT;
	time_t t = 0, a = 0, b = 0;
	char buf[WP_TIME_MAX];

	is_str(wp_tz_name(ny), "America/New_York", "zone name");
	is_str(z(wp_day_start(ny, (struct wp_date){ 2024, 3, 10 })), "2024-03-10T05:00:00Z",
	       "spring day starts at 05:00Z");
	is_int(day_len(ny, 2024, 3, 10), 23 * H, "2024-03-10 has 23 hours");
	is_int(day_len(ny, 2024, 3, 9), 24 * H, "2024-03-09 has 24 hours");
	is_int(wp_local_to_utc(ny, (struct wp_date){ 2024, 3, 10 }, 2, 0, 0, 0, &t, &err),
	       WP_EDATA, "02:00 does not exist on 2024-03-10");
	ok(strstr(err.msg, "does not exist") != NULL, "and the message says so");
	wp_local_to_utc(ny, (struct wp_date){ 2024, 3, 10 }, 3, 0, 0, 0, &t, &err);
	is_str(z(t), "2024-03-10T07:00:00Z", "03:00 EDT is 07:00Z");
	is_str(local(ny, utc("2024-03-10T06:59:59Z")), "2024-03-10T01:59:59-05:00",
	       "last second of EST");
	is_str(local(ny, utc("2024-03-10T07:00:00Z")), "2024-03-10T03:00:00-04:00",
	       "first second of EDT");

	is_str(z(wp_day_start(ny, (struct wp_date){ 2024, 11, 3 })), "2024-11-03T04:00:00Z",
	       "fall day starts at 04:00Z");
	is_int(day_len(ny, 2024, 11, 3), 25 * H, "2024-11-03 has 25 hours");
	wp_local_to_utc(ny, (struct wp_date){ 2024, 11, 3 }, 1, 0, 0, 0, &a, &err);
	wp_local_to_utc(ny, (struct wp_date){ 2024, 11, 3 }, 1, 0, 0, 1, &b, &err);
	is_str(z(a), "2024-11-03T05:00:00Z", "first 01:00 is 05:00Z");
	is_str(z(b), "2024-11-03T06:00:00Z", "second 01:00 is 06:00Z");
	is_str(local(ny, a), "2024-11-03T01:00:00-04:00", "first 01:00 shown with -04:00");
	is_str(local(ny, b), "2024-11-03T01:00:00-05:00", "second 01:00 shown with -05:00");
	wp_local_to_utc(ny, (struct wp_date){ 2024, 11, 3 }, 2, 0, 0, 1, &t, &err);
	is_str(z(t), "2024-11-03T07:00:00Z", "02:00 once, later or not");

	/* Hour labels of the fall day, as a price feed would list them. */
	int ones = 0, n = 0;
	time_t s = wp_day_start(ny, (struct wp_date){ 2024, 11, 3 });
	time_t e = wp_day_start(ny, (struct wp_date){ 2024, 11, 4 });
	for (t = s; t < e; t += H, n++) {
		wp_fmt_local(t, ny, buf);
		ones += strncmp(buf + 11, "01:", 3) == 0;
	}
	is_int(n, 25, "25 hourly intervals on the fall day");
	is_int(ones, 2, "01:00 appears twice");
	struct wp_date d = wp_date_at(ny, utc("2024-11-03T03:59:59Z"));
	ok(d.d == 2, "03:59:59Z is still 2024-11-02 in New York");
	d = wp_date_at(ny, utc("2024-11-03T04:00:00Z"));
	ok(d.d == 3, "04:00Z is 2024-11-03 in New York");

	/* Past the file's last listed transition: only the footer rule knows. */
	is_int(day_len(ny, 2040, 3, 11), 23 * H, "2040-03-11 has 23 hours (footer rule)");
	is_int(day_len(ny, 2040, 11, 4), 25 * H, "2040-11-04 has 25 hours (footer rule)");
	is_int(day_len(ny, 2040, 3, 4), 24 * H, "2040-03-04 has 24 hours");
	is_str(local(ny, utc("2040-07-01T12:00:00Z")), "2040-07-01T08:00:00-04:00",
	       "summer 2040 is EDT");
	is_str(local(ny, utc("2040-12-01T12:00:00Z")), "2040-12-01T07:00:00-05:00",
	       "winter 2040 is EST");
	is_str(local(ny, utc("1950-07-01T12:00:00Z")), "1950-07-01T08:00:00-04:00",
	       "1950 summer from the transition table");
	wp_tz_free(ny);
}

static void bucharest_chicago_utc(void)
{
	struct wp_tz *ro = zone("Europe/Bucharest"), *chi = zone("America/Chicago");
	struct wp_tz *u = zone("UTC"), *est = zone("-05:00");

	is_int(day_len(ro, 2024, 3, 31) / 900, 92, "Bucharest 2024-03-31: 92 quarter hours");
	is_int(day_len(ro, 2024, 10, 27) / 900, 100, "Bucharest 2024-10-27: 100 quarter hours");
	is_int(day_len(ro, 2024, 6, 1) / 900, 96, "Bucharest 2024-06-01: 96 quarter hours");
	is_str(z(wp_day_start(ro, (struct wp_date){ 2024, 3, 31 })), "2024-03-30T22:00:00Z",
	       "Bucharest day starts 22:00Z in winter");
	is_str(local(ro, utc("2024-10-27T00:30:00Z")), "2024-10-27T03:30:00+03:00",
	       "Bucharest first 03:30");
	is_str(local(ro, utc("2024-10-27T01:30:00Z")), "2024-10-27T03:30:00+02:00",
	       "Bucharest second 03:30");

	is_str(z(wp_day_start(chi, (struct wp_date){ 2024, 3, 10 })), "2024-03-10T06:00:00Z",
	       "Chicago spring day starts 06:00Z");
	is_int(day_len(chi, 2024, 3, 10), 23 * H, "Chicago 2024-03-10 has 23 hours");
	is_int(day_len(chi, 2024, 11, 3), 25 * H, "Chicago 2024-11-03 has 25 hours");

	is_int(day_len(u, 2024, 3, 10), 24 * H, "UTC has no change days");
	is_str(local(u, utc("2024-11-03T05:00:00Z")), "2024-11-03T05:00:00+00:00",
	       "UTC local shows +00:00");
	is_int(wp_tz_offset(est, utc("2024-07-01T00:00:00Z")), -5 * H, "-05:00 all year");
	is_str(z(wp_day_start(est, (struct wp_date){ 2024, 7, 1 })), "2024-07-01T05:00:00Z",
	       "fixed -05:00 day starts 05:00Z");
	is_str(wp_tz_name(est), "-05:00", "fixed zone keeps its name");
	wp_tz_free(ro);
	wp_tz_free(chi);
	wp_tz_free(u);
	wp_tz_free(est);
}

/* Offsets agree with the C library's own reading of the same files, from
 * 1975 to 2060 (the TZ variable is set here only, in the test). */
static void against_libc(const char *name)
{
	struct wp_tz *tz = zone(name);
	char msg[128];
	int bad = 0;

	setenv("TZ", name, 1);
	tzset();
	for (time_t t = 157766400; t < 2871763200; t += 7 * 3600 + 13) {
		struct tm tm;
		localtime_r(&t, &tm);
		if (tm.tm_gmtoff != wp_tz_offset(tz, t) && bad++ < 3)
			printf("# %s at %lld: libc %ld, ours %ld\n", name, (long long)t,
			       tm.tm_gmtoff, wp_tz_offset(tz, t));
	}
	snprintf(msg, sizeof msg, "%s offsets match libc 1975-2060", name);
	is_int(bad, 0, msg);
	wp_tz_free(tz);
}

static void zones_refused(void)
{
	struct wp_tz *tz = (struct wp_tz *)1;
	struct wp_err err = WP_ERR_INIT;

	is_int(wp_tz_load(&tz, "Mars/Olympus_Mons", NULL, &err), WP_ECONFIG, "unknown zone");
	ok(tz == NULL, "no zone returned");
	ok(strstr(err.msg, "Mars/Olympus_Mons") != NULL, "message names the zone");
	is_int(wp_tz_load(&tz, "../../etc/passwd", NULL, &err), WP_ECONFIG,
	       "path outside the tz database refused");
	is_int(wp_tz_load(&tz, "+25:00", NULL, &err), WP_ECONFIG, "offset out of range");
}

static void date_parse(void)
{
	struct wp_tz *ny = zone("America/New_York");
	struct wp_err err = WP_ERR_INIT;
	struct wp_date d;
	char buf[WP_TIME_MAX];
	/* 2024-11-03T03:30Z is still Saturday 2024-11-02 in New York. */
	time_t now = utc("2024-11-03T03:30:00Z");
	static const struct {
		const char *in, *want;
	} good[] = {
		{ "2024-11-03", "2024-11-03" }, { "today", "2024-11-02" },
		{ "yesterday", "2024-11-01" },  { "tomorrow", "2024-11-03" },
		{ "-7d", "2024-10-26" },        { "+2d", "2024-11-04" },
		{ "-0d", "2024-11-02" },        { "2024-02-29", "2024-02-29" },
	};
	static const char *bad[] = { "2024-02-30", "2023-02-29", "2024-13-01", "2024-1-01",
				     "2024-01-01x", "", "Today", "-7", "7d", "-d", "-7days",
				     "24-01-01", "2024/01/01" };

	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		memset(&d, 0, sizeof d);
		int rc = wp_date_parse(good[i].in, ny, now, &d, &err);
		wp_fmt_date(d, buf);
		is_str(rc == 0 ? buf : err.msg, good[i].want, good[i].in);
	}
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char want[64], what[64];
		snprintf(want, sizeof want, "invalid date '%s'", bad[i]);
		snprintf(what, sizeof what, "'%s' refused with 64", bad[i]);
		int rc = wp_date_parse(bad[i], ny, now, &d, &err);
		ok(rc == WP_EUSAGE && strncmp(err.msg, want, strlen(want)) == 0, what);
	}
	is_str(err.msg, "invalid date '2024/01/01' (want YYYY-MM-DD, today, yesterday, "
			"tomorrow or -Nd)", "the message says what is accepted");
	wp_tz_free(ny);
}

static void parse_time(void)
{
	struct wp_err err = WP_ERR_INIT;
	time_t t;
	static const struct {
		const char *in, *want;
	} good[] = {
		{ "2024-11-03T05:00:00Z", "2024-11-03T05:00:00Z" },
		{ "2024-11-03T01:00:00-04:00", "2024-11-03T05:00:00Z" },
		{ "2024-11-03T01:00:00-05:00", "2024-11-03T06:00:00Z" },
		{ "2024-02-20T05:00:00", "2024-02-20T05:00:00Z" },
		{ "2024-02-20T05:00:00.000", "2024-02-20T05:00:00Z" },
		{ "2024-02-20T05:00:00.123Z", "2024-02-20T05:00:00Z" },
		{ "2024-02-20 05:00:00", "2024-02-20T05:00:00Z" },
		{ "2024-02-20T05:00", "2024-02-20T05:00:00Z" },
		{ "2024-02-20T05:00:00+05:30", "2024-02-19T23:30:00Z" },
		{ "2024-02-20T05:00:00+0530", "2024-02-19T23:30:00Z" },
		{ "1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z" },
	};
	static const char *bad[] = { "2024-02-30T00:00:00", "2024-02-20T24:00:00",
				     "2024-02-20T05:60:00", "2024-02-20T05:00:00X",
				     "2024-02-20T05:00:00.", "2024-02-20", "2024-02-20T5:00:00",
				     "2024-02-20T05:00:00+5" };

	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		t = 0;
		int rc = wp_parse_time(good[i].in, &t, &err);
		is_str(rc == 0 ? z(t) : err.msg, good[i].want, good[i].in);
	}
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char what[80];
		snprintf(what, sizeof what, "'%s' refused with 65", bad[i]);
		ok(wp_parse_time(bad[i], &t, &err) == WP_EDATA &&
			   strstr(err.msg, bad[i]) != NULL,
		   what);
	}
}

int main(void)
{
	civil();
	new_york();
	bucharest_chicago_utc();
	against_libc("America/New_York");
	against_libc("Europe/Bucharest");
	against_libc("Australia/Sydney");
	against_libc("America/Chicago");
	{
		/* Southern hemisphere, after the last transition: footer rule. */
		struct wp_tz *syd = zone("Australia/Sydney");
		is_int(day_len(syd, 2040, 10, 7), 23 * H, "Sydney 2040-10-07 has 23 hours");
		is_int(day_len(syd, 2040, 4, 1), 25 * H, "Sydney 2040-04-01 has 25 hours");
		wp_tz_free(syd);
	}
	{
		/* Havana springs forward at midnight: the day starts at 01:00. */
		struct wp_tz *hav = zone("America/Havana");
		struct wp_date d = { 2024, 3, 10 };
		is_str(local(hav, wp_day_start(hav, d)), "2024-03-10T01:00:00-04:00",
		       "Havana 2024-03-10 starts at 01:00 (no midnight)");
		is_int(day_len(hav, 2024, 3, 10), 23 * H, "and has 23 hours");
		d.y = 2040;
		d.d = 11;
		is_str(local(hav, wp_day_start(hav, d)), "2040-03-11T01:00:00-04:00",
		       "Havana 2040-03-11 too (footer rule)");
		wp_tz_free(hav);
	}
	zones_refused();
	date_parse();
	parse_time();
	{
		struct wp_date d = { 0, 0, 0 };

		ok(wp_date_cell("2024-01-02", &d) == 0 && d.y == 2024 && d.m == 1 && d.d == 2,
		   "date cell: ISO");
		ok(wp_date_cell("12/31/2023", &d) == 0 && d.y == 2023 && d.m == 12 && d.d == 31,
		   "date cell: US month first");
		ok(wp_date_cell("1/2/2024", &d) == 0 && d.m == 1 && d.d == 2, "date cell: no zero padding");
		is_int(wp_date_cell("2024-02-30", &d), WP_EDATA, "date cell: not a real day");
		is_int(wp_date_cell("13/1/2024", &d), WP_EDATA, "date cell: month 13");
		is_int(wp_date_cell("1/2/24", &d), WP_EDATA, "date cell: two-digit year refused");
		is_int(wp_date_cell("2024-01-02T05:00:00Z", &d), WP_EDATA, "date cell: a time is not a date");
		is_int(wp_date_cell("1/2/2024 10:00", &d), WP_EDATA, "date cell: nothing may follow");
	}
	return done_testing();
}
