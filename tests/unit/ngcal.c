/* Unit tests for lib/gas/ngcal.c against the anchors of gas.md and a
 * hand-checked table of every 2024-2026 contract. */
#include <stdlib.h>

#include "gas/ngcal.h"
#include "tap.h"

static const char *ltd(const struct ng_calendar *cal, int y, int m)
{
	static char buf[WP_TIME_MAX];
	struct ng_contract c;

	ng_contract_for(cal, y, m, &c);
	wp_fmt_date(c.last_trade, buf);
	return buf;
}

/* Last trade dates by delivery month, January first. */
static const struct {
	int year;
	const char *ltd[12];
} table[] = {
	{ 2009, { "2008-12-29", "2009-01-28", "2009-02-25", "2009-03-27", "2009-04-28", "2009-05-27",
		  "2009-06-26", "2009-07-29", "2009-08-27", "2009-09-28", "2009-10-28", "2009-11-24" } },
	{ 2010, { "2009-12-29", "2010-01-27", "2010-02-24", "2010-03-29", "2010-04-28", "2010-05-26",
		  "2010-06-28", "2010-07-28", "2010-08-27", "2010-09-28", "2010-10-27", "2010-11-24" } },
	{ 2024, { "2023-12-27", "2024-01-29", "2024-02-27", "2024-03-26", "2024-04-26", "2024-05-29",
		  "2024-06-26", "2024-07-29", "2024-08-28", "2024-09-26", "2024-10-29", "2024-11-26" } },
	{ 2025, { "2024-12-27", "2025-01-29", "2025-02-26", "2025-03-27", "2025-04-28", "2025-05-28",
		  "2025-06-26", "2025-07-29", "2025-08-27", "2025-09-26", "2025-10-29", "2025-11-25" } },
	{ 2026, { "2025-12-29", "2026-01-28", "2026-02-25", "2026-03-27", "2026-04-28", "2026-05-27",
		  "2026-06-26", "2026-07-29", "2026-08-27", "2026-09-28", "2026-10-28", "2026-11-25" } },
};

int main(void)
{
	struct ng_calendar cal = NG_CALENDAR_INIT;
	struct ng_contract c;
	struct wp_err err = WP_ERR_INIT;
	char name[64], buf[WP_TIME_MAX];

	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		for (int m = 1; m <= 12; m++) {
			snprintf(name, sizeof name, "NG%c%02d last trade", ng_code_of_month(m),
				 table[i].year % 100);
			is_str(ltd(&cal, table[i].year, m), table[i].ltd[m - 1], name);
		}
	is_str(ltd(&cal, 2019, 12), "2019-11-26", "NGZ19: day after Thanksgiving counted");

	is_str(ng_holiday(&cal, (struct wp_date){ 2024, 3, 29 }), "Good Friday", "Good Friday 2024");
	is_str(ng_holiday(&cal, (struct wp_date){ 2023, 12, 25 }), "Christmas", "Christmas 2023");
	is_str(ng_holiday(&cal, (struct wp_date){ 2021, 12, 31 }), NULL,
	       "Saturday New Year not observed on Friday 2021-12-31");
	is_str(ng_holiday(&cal, (struct wp_date){ 2021, 6, 18 }), NULL, "no Juneteenth before 2022");
	is_str(ng_holiday(&cal, (struct wp_date){ 2022, 6, 20 }), "Juneteenth",
	       "Juneteenth 2022 observed Monday");
	is_str(ng_holiday(&cal, (struct wp_date){ 2026, 7, 3 }), "Independence Day",
	       "Saturday 4 July observed Friday");

	ng_contract_for(&cal, 2015, 12, &c);
	ok(c.unverified, "NGZ15 rests on the unverified 2011-2018 setting");
	ng_contract_for(&cal, 2025, 12, &c);
	ok(!c.unverified, "NGZ25 does not");

	ok(ng_symbol_parse(&cal, "NGZ19", 2026, &c, &err) == 0 && c.y == 2019 && c.m == 12,
	   "NGZ19 parses");
	is_str(c.symbol, "NGZ19", "canonical symbol");
	wp_fmt_date(c.first_delivery, buf);
	is_str(buf, "2019-12-01", "first delivery day");
	ok(ng_symbol_parse(&cal, "ngf2027", 2026, &c, &err) == 0 && c.y == 2027 && c.m == 1,
	   "four-digit year, lower case");
	ok(ng_symbol_parse(&cal, "NGH9", 2026, &c, &err) == 0 && c.y == 2029, "one digit: 2029 from 2026");
	ok(ng_symbol_parse(&cal, "NGH5", 2026, &c, &err) == 0 && c.y == 2025, "one digit: 2025 from 2026");
	is_int(ng_symbol_parse(&cal, "NGI25", 2026, &c, &err), WP_EUSAGE, "I is not a month code");
	ok(strstr(err.msg, "'I' is not a month code") != NULL, "message names the letter");
	is_int(ng_symbol_parse(&cal, "CLZ25", 2026, &c, &err), WP_EUSAGE, "not NG");
	is_int(ng_symbol_parse(&cal, "NGZ125", 2026, &c, &err), WP_EUSAGE, "three-digit year");

	ng_front(&cal, (struct wp_date){ 2025, 11, 25 }, &c);
	is_str(c.symbol, "NGZ25", "front month on its last trade date");
	ng_front(&cal, (struct wp_date){ 2025, 11, 26 }, &c);
	is_str(c.symbol, "NGF26", "front month rolls the day after");
	ng_next(&cal, &c, 11, &c);
	is_str(c.symbol, "NGZ26", "eleven after NGF26");

	is_int(ng_calendar_config(&cal, "2026-11-27", "NGF25=2024-12-30, NGZ19 = 2019-11-25", &err), 0,
	       "config lists parse");
	is_str(ltd(&cal, 2025, 1), "2024-12-30", "published expiry wins over the rule");
	is_str(ltd(&cal, 2019, 12), "2019-11-25", "spaces around '=' accepted");
	is_str(ltd(&cal, 2026, 12), "2026-11-24", "a config closure moves the last trade date");
	ng_calendar_release(&cal);
	is_int(ng_calendar_config(&cal, "2026-13-01", NULL, &err), WP_ECONFIG, "bad closure refused");
	ok(strstr(err.msg, "'2026-13-01'") != NULL, "message names the entry");
	ng_calendar_release(&cal);
	is_int(ng_calendar_config(&cal, NULL, "NGZ19:2019-11-25", &err), WP_ECONFIG, "bad expiry refused");
	ng_calendar_release(&cal);
	return done_testing();
}
