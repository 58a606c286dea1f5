/* ngcal.c: NG month codes, exchange holidays and last trade dates. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "gas/ngcal.h"

static const char month_codes[] = "FGHJKMNQUVXZ";

enum hol_kind {
	HOL_FIXED,   /* month/day, observed on Friday or Monday */
	HOL_NTH,     /* n-th weekday of the month */
	HOL_LAST,    /* last weekday of the month */
	HOL_EASTER,  /* days from Easter Sunday */
};

struct hol_rule {
	const char *name;
	enum hol_kind kind;
	int month, n;    /* HOL_FIXED: day of month; HOL_NTH: which one */
	int weekday;     /* 0 = Sunday */
	int shift;       /* days added after the rule (day after Thanksgiving) */
	int from, to;    /* years in force; 0 = open */
};

/* The exchange holiday calendar. The day after Thanksgiving was a closure
 * in older expiries (NGZ09, NGZ10 need it); recent practice trades it
 * (NGZ19 needs it counted). 2011-2018 are unverified: counted, flagged. */
enum { DAY_AFTER_THANKSGIVING = 9 };
static const struct hol_rule holiday_rules[] = {
	{ "New Year's Day", HOL_FIXED, 1, 1, 0, 0, 0, 0 },
	{ "Martin Luther King Jr. Day", HOL_NTH, 1, 3, 1, 0, 0, 0 },
	{ "Presidents Day", HOL_NTH, 2, 3, 1, 0, 0, 0 },
	{ "Good Friday", HOL_EASTER, 0, 0, 0, -2, 0, 0 },
	{ "Memorial Day", HOL_LAST, 5, 0, 1, 0, 0, 0 },
	{ "Juneteenth", HOL_FIXED, 6, 19, 0, 0, 2022, 0 },
	{ "Independence Day", HOL_FIXED, 7, 4, 0, 0, 0, 0 },
	{ "Labor Day", HOL_NTH, 9, 1, 1, 0, 0, 0 },
	{ "Thanksgiving", HOL_NTH, 11, 4, 4, 0, 0, 0 },
	[DAY_AFTER_THANKSGIVING] = { "Day after Thanksgiving", HOL_NTH, 11, 4, 4, 1, 0, 2010 },
	{ "Christmas", HOL_FIXED, 12, 25, 0, 0, 0, 0 },
};
#define UNVERIFIED_FROM 2011 /* day after Thanksgiving counted, but unconfirmed */
#define UNVERIFIED_TO 2018

/* Easter Sunday, Gregorian computus (Meeus/Jones/Butcher). */
static struct wp_date easter(int y)
{
	int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
	int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;

	return (struct wp_date){ y, month, day };
}

static struct wp_date rule_date(const struct hol_rule *r, int y)
{
	struct wp_date d = { y, r->month, 1 };
	int wd;

	switch (r->kind) {
	case HOL_FIXED:
		d.d = r->n;
		wd = wp_date_weekday(d);
		/* Saturday is observed on Friday, Sunday on Monday; but a
		 * Saturday New Year's Day does not close the year's last Friday. */
		if (wd == 6 && !(r->month == 1 && r->n == 1))
			d = wp_date_add(d, -1);
		else if (wd == 0)
			d = wp_date_add(d, 1);
		return d;
	case HOL_NTH:
		wd = wp_date_weekday(d);
		d = wp_date_add(d, (r->weekday - wd + 7) % 7 + 7 * (r->n - 1));
		break;
	case HOL_LAST:
		d = wp_date_add((struct wp_date){ r->month == 12 ? y + 1 : y, r->month % 12 + 1, 1 }, -1);
		wd = wp_date_weekday(d);
		d = wp_date_add(d, -((wd - r->weekday + 7) % 7));
		break;
	case HOL_EASTER:
		d = easter(y);
		break;
	}
	return wp_date_add(d, r->shift);
}

const char *ng_holiday(const struct ng_calendar *cal, struct wp_date d)
{
	for (size_t i = 0; i < sizeof holiday_rules / sizeof holiday_rules[0]; i++) {
		const struct hol_rule *r = &holiday_rules[i];

		if ((r->from && d.y < r->from) || (r->to && d.y > r->to))
			continue;
		if (wp_date_cmp(rule_date(r, d.y), d) == 0)
			return r->name;
	}
	for (int i = 0; cal && i < cal->nclosures; i++)
		if (wp_date_cmp(cal->closures[i], d) == 0)
			return "closure (config)";
	return NULL;
}

int ng_business_day(const struct ng_calendar *cal, struct wp_date d)
{
	int wd = wp_date_weekday(d);

	return wd != 0 && wd != 6 && !ng_holiday(cal, d);
}

int ng_month_of_code(int c)
{
	const char *p = c ? strchr(month_codes, toupper(c)) : NULL;

	return p ? (int)(p - month_codes) + 1 : 0;
}

int ng_code_of_month(int m)
{
	return m >= 1 && m <= 12 ? month_codes[m - 1] : '?';
}

void ng_contract_for(const struct ng_calendar *cal, int y, int m, struct ng_contract *c)
{
	struct wp_date d = { y, m, 1 };
	int k = 0;

	memset(c, 0, sizeof *c);
	c->y = y;
	c->m = m;
	c->first_delivery = d;
	snprintf(c->symbol, sizeof c->symbol, "NG%c%02d", ng_code_of_month(m), y % 100);
	for (int i = 0; cal && i < cal->nexpiries; i++)
		if (cal->expiries[i].y == y && cal->expiries[i].m == m) {
			c->last_trade = cal->expiries[i].ltd;
			return;
		}
	while (k < 3) {
		d = wp_date_add(d, -1);
		if (ng_business_day(cal, d))
			k++;
		/* The rule walked over a day whose status is not confirmed. */
		if (d.m == 11 && d.y >= UNVERIFIED_FROM && d.y <= UNVERIFIED_TO &&
		    wp_date_cmp(d, rule_date(&holiday_rules[DAY_AFTER_THANKSGIVING], d.y)) == 0)
			c->unverified = 1;
	}
	c->last_trade = d;
}

int ng_symbol_parse(const struct ng_calendar *cal, const char *s, int asof_year,
		    struct ng_contract *c, struct wp_err *err)
{
	size_t n = strlen(s), digits = 0;
	int m, y;

	if (n < 4 || toupper((unsigned char)s[0]) != 'N' || toupper((unsigned char)s[1]) != 'G')
		return wp_err_set(err, WP_EUSAGE, "'%s' is not an NG contract (like NGZ25)", s);
	if (!(m = ng_month_of_code((unsigned char)s[2])))
		return wp_err_set(err, WP_EUSAGE, "'%s': '%c' is not a month code (F G H J K M N Q U V X Z)",
				  s, s[2]);
	while (isdigit((unsigned char)s[3 + digits]))
		digits++;
	if (3 + digits != n || (digits != 1 && digits != 2 && digits != 4))
		return wp_err_set(err, WP_EUSAGE, "'%s': the year must be 1, 2 or 4 digits", s);
	y = atoi(s + 3);
	if (digits == 2)
		y += y >= 90 ? 1900 : 2000; /* NG started trading in 1990 */
	else if (digits == 1)
		for (int base = asof_year - 1;; base++)
			if (base % 10 == y) {
				y = base;
				break;
			}
	ng_contract_for(cal, y, m, c);
	return 0;
}

void ng_front(const struct ng_calendar *cal, struct wp_date d, struct ng_contract *c)
{
	int y = d.y, m = d.m;

	for (;;) {
		ng_contract_for(cal, y, m, c);
		if (wp_date_cmp(c->last_trade, d) >= 0)
			return;
		if (++m > 12)
			m = 1, y++;
	}
}

void ng_next(const struct ng_calendar *cal, const struct ng_contract *c, int n,
	     struct ng_contract *out)
{
	int months = c->y * 12 + (c->m - 1) + n;

	ng_contract_for(cal, months / 12, months % 12 + 1, out);
}

/* ---- config ------------------------------------------------------------- */

static int parse_day(const char *s, size_t n, struct wp_date *d)
{
	char buf[16];

	if (n != 10)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (sscanf(buf, "%4d-%2d-%2d", &d->y, &d->m, &d->d) != 3 || !wp_date_valid(*d))
		return -1;
	return 0;
}

/* Split a comma list and hand each trimmed entry to fn. */
static int each_entry(const char *list, const char *what,
		      int (*fn)(struct ng_calendar *, const char *, size_t), struct ng_calendar *cal,
		      struct wp_err *err)
{
	const char *p = list;

	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		while (n && isspace((unsigned char)*p))
			p++, n--;
		while (n && isspace((unsigned char)p[n - 1]))
			n--;
		if (n && fn(cal, p, n))
			return wp_err_set(err, WP_ECONFIG, "[gas] %s: bad entry '%.*s'", what, (int)n, p);
		p = e ? e + 1 : NULL;
	}
	return 0;
}

static int add_closure(struct ng_calendar *cal, const char *s, size_t n)
{
	struct wp_date d, *v;

	if (parse_day(s, n, &d) || !(v = realloc(cal->closures, (cal->nclosures + 1) * sizeof *v)))
		return -1;
	v[cal->nclosures++] = d;
	cal->closures = v;
	return 0;
}

static int add_expiry(struct ng_calendar *cal, const char *s, size_t n)
{
	const char *eq = memchr(s, '=', n), *v;
	char sym[16];
	size_t k;
	struct ng_contract c;
	struct ng_expiry *e;
	struct wp_date d;

	if (!eq)
		return -1;
	for (k = (size_t)(eq - s); k && s[k - 1] == ' '; k--)
		;
	for (v = eq + 1; *v == ' '; v++)
		;
	if (k >= sizeof sym)
		return -1;
	memcpy(sym, s, k);
	sym[k] = '\0';
	if (ng_symbol_parse(NULL, sym, 2000, &c, NULL) || parse_day(v, n - (size_t)(v - s), &d) ||
	    !(e = realloc(cal->expiries, (cal->nexpiries + 1) * sizeof *e)))
		return -1;
	e[cal->nexpiries++] = (struct ng_expiry){ c.y, c.m, d };
	cal->expiries = e;
	return 0;
}

int ng_calendar_config(struct ng_calendar *cal, const char *holidays, const char *expiries,
		       struct wp_err *err)
{
	int rc = each_entry(holidays, "holidays", add_closure, cal, err);

	return rc ? rc : each_entry(expiries, "expiries", add_expiry, cal, err);
}

void ng_calendar_release(struct ng_calendar *cal)
{
	free(cal->closures);
	free(cal->expiries);
	*cal = (struct ng_calendar)NG_CALENDAR_INIT;
}
