/* time.h: instants, civil dates and market time zones.
 *
 * Instants are time_t seconds (UTC). Zones are read from the system tz
 * database (TZif files under /usr/share/zoneinfo, or $TZDIR given by the
 * caller) into an explicit struct, so there is no TZ/tzset global state and
 * several markets can be handled in one process. DST is exact: a market day
 * is [local midnight, next local midnight), 23 or 25 hours long on change
 * days.
 */
#ifndef WP_TIME_H
#define WP_TIME_H

#include <stdint.h>
#include <time.h>

struct wp_err;

struct wp_date {
	int y, m, d; /* proleptic Gregorian, m 1..12 */
};

struct wp_tz;

/* name: "America/New_York", "Europe/Bucharest", "UTC", or a fixed
 * "+HH:MM"/"-HH:MM" offset (MISO's EST all year is "-05:00").
 * zoneinfo_dir NULL means /usr/share/zoneinfo. Unknown zone: WP_ECONFIG. */
int wp_tz_load(struct wp_tz **tz, const char *name, const char *zoneinfo_dir,
	       struct wp_err *err);
void wp_tz_free(struct wp_tz *tz);
const char *wp_tz_name(const struct wp_tz *tz);
/* Seconds east of UTC in force at instant t. */
long wp_tz_offset(const struct wp_tz *tz, time_t t);

/* Days since 1970-01-01 and back. */
int64_t wp_date_days(struct wp_date d);
struct wp_date wp_date_from_days(int64_t days);
struct wp_date wp_date_add(struct wp_date d, int days);
int wp_date_cmp(struct wp_date a, struct wp_date b);
int wp_date_valid(struct wp_date d);
int wp_date_weekday(struct wp_date d); /* 0 = Sunday */

/* The local date at instant t in tz. */
struct wp_date wp_date_at(const struct wp_tz *tz, time_t t);
/* UTC instant of local midnight starting day d in tz (DST-correct). */
time_t wp_day_start(const struct wp_tz *tz, struct wp_date d);
/* Local wall clock (date, h:m:s) to UTC. When the wall time occurs twice
 * (fall back) later=0 picks the first, later=1 the second; when it does
 * not exist (spring forward) WP_EDATA. */
int wp_local_to_utc(const struct wp_tz *tz, struct wp_date d, int h, int mi, int s,
		    int later, time_t *out, struct wp_err *err);

/* Command-line days: YYYY-MM-DD, "today", "yesterday", "tomorrow",
 * "-7d"/"+2d" relative to today in tz at instant now. WP_EUSAGE with
 * "invalid date 'X'" otherwise (2024-02-30 included). */
int wp_date_parse(const char *s, const struct wp_tz *tz, time_t now,
		  struct wp_date *out, struct wp_err *err);

/* A date cell as data files and spreadsheets write it: "2024-01-02", or
 * the US "1/2/2024" (month first) that spreadsheets export. Nothing may
 * follow. WP_EDATA when it is neither or not a real day. */
int wp_date_cell(const char *s, struct wp_date *out);

#define WP_TIME_MAX 32
/* "2024-11-03T05:00:00Z" */
void wp_fmt_utc(time_t t, char buf[WP_TIME_MAX]);
/* "2024-11-03T01:00:00-04:00" */
void wp_fmt_local(time_t t, const struct wp_tz *tz, char buf[WP_TIME_MAX]);
/* "2024-11-03" */
void wp_fmt_date(struct wp_date d, char buf[WP_TIME_MAX]);
/* RFC 3339 / ISO 8601: "YYYY-MM-DDTHH:MM:SS" with optional fraction
 * (ignored) and optional "Z" or "+HH:MM"; no zone means UTC. A space may
 * replace the T. WP_EDATA when malformed. */
int wp_parse_time(const char *s, time_t *out, struct wp_err *err);

#endif
