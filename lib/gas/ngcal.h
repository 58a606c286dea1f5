/* ngcal.h: the NYMEX Henry Hub (NG) contract calendar.
 *
 * Month codes F..Z, symbols (NGZ19), first delivery day and last trade date:
 * trading ends on the third business day before the first calendar day of
 * the delivery month. Business days are Monday to Friday minus the exchange
 * holidays, which are data (holiday_rules in ngcal.c) plus closures and
 * published expiries from config; a published expiry wins over the rule, as
 * the exchange keeps the originally listed date.
 */
#ifndef GAS_NGCAL_H
#define GAS_NGCAL_H

#include "wp.h"

struct ng_expiry {
	int y, m;               /* delivery month */
	struct wp_date ltd;
};

struct ng_calendar {
	struct wp_date *closures;  /* extra non-business days, from config */
	int nclosures;
	struct ng_expiry *expiries; /* published last trade dates, from config */
	int nexpiries;
};
#define NG_CALENDAR_INIT { 0, 0, 0, 0 }

struct ng_contract {
	int y, m;                  /* delivery month */
	char symbol[8];            /* "NGZ19" */
	struct wp_date first_delivery;
	struct wp_date last_trade;
	int unverified;            /* the rule relied on an unverified calendar setting */
};

/* Config lists: holidays "2025-01-09, 2018-12-05"; expiries
 * "NGZ19=2019-11-26, NGF25=2024-12-27". Either may be NULL. Malformed
 * entries are WP_ECONFIG naming the entry. */
int ng_calendar_config(struct ng_calendar *cal, const char *holidays, const char *expiries,
		       struct wp_err *err);
void ng_calendar_release(struct ng_calendar *cal);

/* The holiday's name when d is an exchange holiday, else NULL. */
const char *ng_holiday(const struct ng_calendar *cal, struct wp_date d);
int ng_business_day(const struct ng_calendar *cal, struct wp_date d);

/* Month code letter to 1..12, or 0 for a letter that is not a month code. */
int ng_month_of_code(int c);
int ng_code_of_month(int m);

/* The contract delivering in month m of year y. */
void ng_contract_for(const struct ng_calendar *cal, int y, int m, struct ng_contract *c);
/* "NGZ19", "NGZ2019" or "NGZ9" (one digit: the first year >= asof_year - 1
 * ending in it). WP_EUSAGE naming the symbol otherwise. */
int ng_symbol_parse(const struct ng_calendar *cal, const char *s, int asof_year,
		    struct ng_contract *c, struct wp_err *err);
/* The front month on day d: the first contract whose last trade date is on
 * or after d. */
void ng_front(const struct ng_calendar *cal, struct wp_date d, struct ng_contract *c);
/* The contract n months after c (n = 1: the next one). */
void ng_next(const struct ng_calendar *cal, const struct ng_contract *c, int n,
	     struct ng_contract *out);

#endif
