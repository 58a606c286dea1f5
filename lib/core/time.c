/* time.c: civil dates, TZif zones and RFC 3339 text, with no global state.
 *
 * A zone is the 64-bit section of a TZif file (RFC 8536, version 2 or
 * later) plus its POSIX TZ footer, which says what happens after the last
 * listed transition; slim files (Debian's) stop listing transitions early
 * and rely on the footer for every later year.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wp.h"

#define DAY 86400L

/* One half of a POSIX rule: when, in local wall time, a change happens. */
struct tz_when {
	char kind;  /* 'J' Julian day 1..365 without Feb 29, 'D' day 0..365, 'M' month.week.day */
	int n, m, w, wd;
	long time;  /* seconds after local midnight of that day; may be negative or > 24 h */
};

struct tz_rule {
	int ok;
	long std_off, dst_off;  /* seconds east of UTC */
	int has_dst;
	struct tz_when start, end;
};

struct wp_tz {
	char name[128];
	int64_t *trans;         /* transition instants, ascending */
	unsigned char *idx;     /* type index per transition */
	long *type_off;         /* offset per type */
	int ntrans, ntypes;
	struct tz_rule rule;    /* footer, used after the last transition */
};

/* ---- civil dates -------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : n[m - 1];
}

/* Counting from a year that starts in March puts the leap day last, so
 * every 400-year era has the same day count (146097) and the month
 * lengths from March on follow (153 * m + 2) / 5. */
int64_t wp_date_days(struct wp_date d)
{
	int64_t y = d.y - (d.m <= 2);
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;
	int64_t mp = (d.m + 9) % 12;
	int64_t doy = (153 * mp + 2) / 5 + d.d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

struct wp_date wp_date_from_days(int64_t days)
{
	int64_t z = days + 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	struct wp_date d;

	d.d = (int)(doy - (153 * mp + 2) / 5 + 1);
	d.m = (int)(mp < 10 ? mp + 3 : mp - 9);
	d.y = (int)(yoe + era * 400 + (d.m <= 2));
	return d;
}

struct wp_date wp_date_add(struct wp_date d, int days)
{
	return wp_date_from_days(wp_date_days(d) + days);
}

int wp_date_cmp(struct wp_date a, struct wp_date b)
{
	if (a.y != b.y)
		return a.y < b.y ? -1 : 1;
	if (a.m != b.m)
		return a.m < b.m ? -1 : 1;
	if (a.d != b.d)
		return a.d < b.d ? -1 : 1;
	return 0;
}

int wp_date_valid(struct wp_date d)
{
	return d.y >= 1 && d.y <= 9999 && d.m >= 1 && d.m <= 12 && d.d >= 1 &&
	       d.d <= month_days(d.y, d.m);
}

int wp_date_weekday(struct wp_date d)
{
	/* 1970-01-01 was a Thursday. */
	return (int)(((wp_date_days(d) % 7) + 11) % 7);
}

/* ---- POSIX TZ footer ------------------------------------------------------ */

static const char *rule_name(const char *s)
{
	if (*s == '<') {
		const char *e = strchr(s, '>');
		return e ? e + 1 : NULL;
	}
	const char *p = s;
	while (isalpha((unsigned char)*p))
		p++;
	return p - s >= 3 ? p : NULL;
}

/* [+-]hh[:mm[:ss]], hours up to 167 (RFC 8536 allows that for times). */
static const char *rule_hms(const char *s, long *out)
{
	int sign = 1;
	long h = 0, m = 0, sec = 0;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	if (!isdigit((unsigned char)*s))
		return NULL;
	h = strtol(s, (char **)&s, 10);
	if (*s == ':') {
		m = strtol(s + 1, (char **)&s, 10);
		if (*s == ':')
			sec = strtol(s + 1, (char **)&s, 10);
	}
	if (h > 167 || m > 59 || sec > 59)
		return NULL;
	*out = sign * (h * 3600 + m * 60 + sec);
	return s;
}

static const char *rule_when(const char *s, struct tz_when *w)
{
	char *e;

	memset(w, 0, sizeof *w);
	w->time = 7200;
	if (*s == 'M') {
		w->kind = 'M';
		w->m = (int)strtol(s + 1, &e, 10);
		if (*e != '.')
			return NULL;
		w->w = (int)strtol(e + 1, &e, 10);
		if (*e != '.')
			return NULL;
		w->wd = (int)strtol(e + 1, &e, 10);
		if (w->m < 1 || w->m > 12 || w->w < 1 || w->w > 5 || w->wd < 0 || w->wd > 6)
			return NULL;
	} else if (*s == 'J') {
		w->kind = 'J';
		w->n = (int)strtol(s + 1, &e, 10);
		if (w->n < 1 || w->n > 365)
			return NULL;
	} else if (isdigit((unsigned char)*s)) {
		w->kind = 'D';
		w->n = (int)strtol(s, &e, 10);
		if (w->n > 365)
			return NULL;
	} else {
		return NULL;
	}
	s = e;
	if (*s == '/' && !(s = rule_hms(s + 1, &w->time)))
		return NULL;
	return s;
}

/* "EST5EDT,M3.2.0,M11.1.0", "<+03>-3", "IST-1GMT0,M10.5.0,M3.5.0/1". */
static int rule_parse(const char *s, struct tz_rule *r)
{
	long off;

	memset(r, 0, sizeof *r);
	if (!(s = rule_name(s)) || !(s = rule_hms(s, &off)))
		return -1;
	r->std_off = -off; /* POSIX counts west of Greenwich */
	r->dst_off = r->std_off + 3600;
	if (*s) {
		if (!(s = rule_name(s)))
			return -1;
		if (*s && *s != ',') {
			if (!(s = rule_hms(s, &off)))
				return -1;
			r->dst_off = -off;
		}
		if (*s != ',' || !(s = rule_when(s + 1, &r->start)) || *s != ',' ||
		    !(s = rule_when(s + 1, &r->end)) || *s)
			return -1;
		r->has_dst = 1;
	}
	r->ok = 1;
	return 0;
}

/* Local seconds (since the epoch, as if local were UTC) of a rule's change in year y. */
static int64_t when_local(const struct tz_when *w, int y)
{
	int64_t day;

	if (w->kind == 'J') {
		day = wp_date_days((struct wp_date){ y, 1, 1 }) + w->n - 1;
		if (is_leap(y) && w->n >= 60)
			day++;
	} else if (w->kind == 'D') {
		day = wp_date_days((struct wp_date){ y, 1, 1 }) + w->n;
	} else {
		struct wp_date first = { y, w->m, 1 };
		int shift = (w->wd - wp_date_weekday(first) + 7) % 7;
		int dom = 1 + shift + (w->w - 1) * 7;

		while (dom > month_days(y, w->m)) /* week 5 means "last" */
			dom -= 7;
		day = wp_date_days((struct wp_date){ y, w->m, dom });
	}
	return day * DAY + w->time;
}

static long rule_offset(const struct tz_rule *r, time_t t)
{
	int64_t start, end;
	int y;

	if (!r->has_dst)
		return r->std_off;
	y = wp_date_from_days(floor_div((int64_t)t + r->std_off, DAY)).y;
	/* The start happens on standard time, the end on daylight time. */
	start = when_local(&r->start, y) - r->std_off;
	end = when_local(&r->end, y) - r->dst_off;
	if (start < end)
		return t >= start && t < end ? r->dst_off : r->std_off;
	return t >= end && t < start ? r->std_off : r->dst_off; /* southern hemisphere */
}

/* ---- TZif --------------------------------------------------------------- */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_counts {
	uint32_t isut, isstd, leap, time, type, chars;
};

static int tzif_header(const unsigned char *p, size_t len, struct tzif_counts *c, int *version)
{
	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return -1;
	*version = p[4] ? p[4] - '0' : 1;
	c->isut = be32(p + 20);
	c->isstd = be32(p + 24);
	c->leap = be32(p + 28);
	c->time = be32(p + 32);
	c->type = be32(p + 36);
	c->chars = be32(p + 40);
	if (c->type == 0 || c->type > 256 || c->time > 100000 || c->chars > 100000 ||
	    c->leap > 100000 || c->isut > 256 || c->isstd > 256)
		return -1;
	return 0;
}

static size_t tzif_block(const struct tzif_counts *c, int tsize)
{
	return (size_t)c->time * tsize + c->time + (size_t)c->type * 6 + c->chars +
	       (size_t)c->leap * (tsize + 4) + c->isstd + c->isut;
}

static int tzif_parse(struct wp_tz *tz, const unsigned char *p, size_t len)
{
	struct tzif_counts c;
	int version;
	size_t skip;
	const unsigned char *q, *end = p + len;

	if (tzif_header(p, len, &c, &version) != 0 || version < 2)
		return -1;
	skip = 44 + tzif_block(&c, 4);
	if (skip > len || tzif_header(p + skip, len - skip, &c, &version) != 0)
		return -1;
	q = p + skip + 44;
	if ((size_t)(end - q) < tzif_block(&c, 8))
		return -1;
	tz->ntrans = (int)c.time;
	tz->ntypes = (int)c.type;
	tz->trans = calloc(c.time + 1, sizeof *tz->trans);
	tz->idx = calloc(c.time + 1, 1);
	tz->type_off = calloc(c.type, sizeof *tz->type_off);
	if (!tz->trans || !tz->idx || !tz->type_off)
		return -1;
	for (uint32_t i = 0; i < c.time; i++, q += 8)
		tz->trans[i] = be64(q);
	for (uint32_t i = 0; i < c.time; i++, q++) {
		if (*q >= c.type)
			return -1;
		tz->idx[i] = *q;
	}
	for (uint32_t i = 0; i < c.type; i++, q += 6)
		tz->type_off[i] = (int32_t)be32(q);
	q += c.chars + (size_t)c.leap * 12 + c.isstd + c.isut;
	/* Footer: "\nTZ-string\n"; a bad or empty one only loses future years. */
	if (q < end && *q == '\n') {
		const unsigned char *nl = memchr(q + 1, '\n', (size_t)(end - q - 1));
		char buf[128];

		if (nl && (size_t)(nl - q - 1) < sizeof buf && nl > q + 1) {
			memcpy(buf, q + 1, (size_t)(nl - q - 1));
			buf[nl - q - 1] = '\0';
			rule_parse(buf, &tz->rule);
		}
	}
	return 0;
}

static int read_small_file(const char *path, unsigned char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	unsigned char *buf;
	ssize_t n;
	size_t got = 0;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (1 << 20) ||
	    !(buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		errno = errno ? errno : EINVAL;
		return -1;
	}
	while (got < (size_t)st.st_size &&
	       (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	*out = buf;
	*len = got;
	return 0;
}

/* "+HH:MM", "-HH:MM", "+HH", "+HHMM". */
static int parse_fixed(const char *s, long *off)
{
	int sign, h, m = 0;

	if ((*s != '+' && *s != '-') || !isdigit((unsigned char)s[1]) ||
	    !isdigit((unsigned char)s[2]))
		return -1;
	sign = *s == '-' ? -1 : 1;
	h = (s[1] - '0') * 10 + (s[2] - '0');
	s += 3;
	if (*s == ':')
		s++;
	if (*s) {
		if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || s[2])
			return -1;
		m = (s[0] - '0') * 10 + (s[1] - '0');
	}
	if (h > 23 || m > 59)
		return -1;
	*off = sign * (h * 3600L + m * 60L);
	return 0;
}

static int zone_name_ok(const char *name)
{
	if (!*name || *name == '/' || strlen(name) >= sizeof((struct wp_tz *)0)->name)
		return 0;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_-+", *p))
			return 0;
	return strstr(name, "..") == NULL;
}

int wp_tz_load(struct wp_tz **out, const char *name, const char *zoneinfo_dir,
	       struct wp_err *err)
{
	struct wp_tz *tz;
	unsigned char *buf = NULL;
	size_t len;
	char path[4096];
	long off;

	*out = NULL;
	if (!name)
		name = "UTC";
	if (parse_fixed(name, &off) == 0 || strcmp(name, "UTC") == 0) {
		if (!(tz = calloc(1, sizeof *tz)))
			return wp_err_set(err, WP_EINTERNAL, "out of memory");
		snprintf(tz->name, sizeof tz->name, "%s", name);
		tz->rule = (struct tz_rule){ .ok = 1, .std_off = name[0] == 'U' ? 0 : off };
		*out = tz;
		return 0;
	}
	if (!zone_name_ok(name))
		return wp_err_set(err, WP_ECONFIG, "unknown time zone '%s'", name);
	if (!(tz = calloc(1, sizeof *tz)))
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	snprintf(tz->name, sizeof tz->name, "%s", name);
	snprintf(path, sizeof path, "%s/%s", zoneinfo_dir ? zoneinfo_dir : "/usr/share/zoneinfo",
		 name);
	if (read_small_file(path, &buf, &len) != 0) {
		wp_tz_free(tz);
		return wp_err_set(err, WP_ECONFIG, "unknown time zone '%s' (%s: %s)", name, path,
				  strerror(errno));
	}
	if (tzif_parse(tz, buf, len) != 0) {
		free(buf);
		wp_tz_free(tz);
		return wp_err_set(err, WP_ECONFIG, "time zone '%s': %s is not a TZif v2+ file",
				  name, path);
	}
	free(buf);
	*out = tz;
	return 0;
}

void wp_tz_free(struct wp_tz *tz)
{
	if (!tz)
		return;
	free(tz->trans);
	free(tz->idx);
	free(tz->type_off);
	free(tz);
}

const char *wp_tz_name(const struct wp_tz *tz)
{
	return tz ? tz->name : "UTC";
}

long wp_tz_offset(const struct wp_tz *tz, time_t t)
{
	int lo = 0, hi;

	if (!tz)
		return 0;
	if (tz->ntrans == 0)
		return tz->rule.ok ? rule_offset(&tz->rule, t) : tz->ntypes ? tz->type_off[0] : 0;
	if (t < tz->trans[0])
		return tz->type_off[0];
	if (t >= tz->trans[tz->ntrans - 1] && tz->rule.ok)
		return rule_offset(&tz->rule, t);
	/* Last transition at or before t. */
	hi = tz->ntrans - 1;
	while (lo < hi) {
		int mid = lo + (hi - lo + 1) / 2;
		if (tz->trans[mid] <= t)
			lo = mid;
		else
			hi = mid - 1;
	}
	return tz->type_off[tz->idx[lo]];
}

/* ---- local time ------------------------------------------------------------ */

struct wp_date wp_date_at(const struct wp_tz *tz, time_t t)
{
	return wp_date_from_days(floor_div((int64_t)t + wp_tz_offset(tz, t), DAY));
}

/* Instants whose wall clock reads local (seconds, as if local were UTC):
 * up to two (a repeated hour), none in a gap. Offsets a day either side
 * cover every offset in play around that wall time. */
static int local_candidates(const struct wp_tz *tz, int64_t local, time_t out[2])
{
	long offs[2] = { wp_tz_offset(tz, (time_t)(local - DAY)),
			 wp_tz_offset(tz, (time_t)(local + DAY)) };
	int n = 0;

	for (int i = 0; i < 2; i++) {
		time_t t = (time_t)(local - offs[i]);

		if (i == 1 && offs[1] == offs[0])
			break;
		if (wp_tz_offset(tz, t) == offs[i])
			out[n++] = t;
	}
	if (n == 2 && out[1] < out[0]) {
		time_t x = out[0];
		out[0] = out[1];
		out[1] = x;
	}
	return n;
}

int wp_local_to_utc(const struct wp_tz *tz, struct wp_date d, int h, int mi, int s,
		    int later, time_t *out, struct wp_err *err)
{
	char day[WP_TIME_MAX];
	time_t c[2];
	int n;

	wp_fmt_date(d, day);
	if (!wp_date_valid(d) || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59)
		return wp_err_set(err, WP_EDATA, "invalid local time %s %02d:%02d:%02d", day, h,
				  mi, s);
	n = local_candidates(tz, wp_date_days(d) * DAY + h * 3600L + mi * 60L + s, c);
	if (n == 0)
		return wp_err_set(err, WP_EDATA,
				  "%s %02d:%02d:%02d does not exist in %s (clocks go forward)",
				  day, h, mi, s, wp_tz_name(tz));
	*out = c[n == 2 && later ? 1 : 0];
	return 0;
}

time_t wp_day_start(const struct wp_tz *tz, struct wp_date d)
{
	int64_t local = wp_date_days(d) * DAY;
	time_t c[2], lo, hi;
	long before;

	if (local_candidates(tz, local, c) > 0)
		return c[0];
	/* Midnight falls in a gap (some zones change at 00:00): the day starts
	 * at the change itself, somewhere between the two readings. */
	before = wp_tz_offset(tz, (time_t)(local - DAY));
	lo = (time_t)(local - wp_tz_offset(tz, (time_t)(local + DAY)));
	hi = (time_t)(local - before);
	while (lo < hi) {
		time_t mid = lo + (hi - lo) / 2;
		if (wp_tz_offset(tz, mid) == before)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- text ---------------------------------------------------------------- */

static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int parse_ymd(const char *s, struct wp_date *d)
{
	if (digits(s, 4, &d->y) || s[4] != '-' || digits(s + 5, 2, &d->m) || s[7] != '-' ||
	    digits(s + 8, 2, &d->d))
		return -1;
	return wp_date_valid(*d) ? 0 : -1;
}

int wp_date_parse(const char *s, const struct wp_tz *tz, time_t now, struct wp_date *out,
		  struct wp_err *err)
{
	static const struct {
		const char *word;
		int days;
	} words[] = { { "today", 0 }, { "yesterday", -1 }, { "tomorrow", 1 } };
	struct wp_date today = wp_date_at(tz, now);

	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (strcmp(s, words[i].word) == 0) {
			*out = wp_date_add(today, words[i].days);
			return 0;
		}
	if ((s[0] == '-' || s[0] == '+') && isdigit((unsigned char)s[1])) {
		char *e;
		long n;

		errno = 0;
		n = strtol(s + 1, &e, 10);
		if (errno == 0 && e[0] == 'd' && e[1] == '\0' && n <= 3660000) {
			*out = wp_date_add(today, (int)(s[0] == '-' ? -n : n));
			return 0;
		}
	} else if (strlen(s) == 10 && parse_ymd(s, out) == 0) {
		return 0;
	}
	return wp_err_set(err, WP_EUSAGE,
			  "invalid date '%s' (want YYYY-MM-DD, today, yesterday, tomorrow or -Nd)",
			  s);
}

void wp_fmt_date(struct wp_date d, char buf[WP_TIME_MAX])
{
	snprintf(buf, WP_TIME_MAX, "%04d-%02d-%02d", d.y, d.m, d.d);
}

static void fmt_clock(int64_t local, char *buf, size_t size)
{
	struct wp_date d = wp_date_from_days(floor_div(local, DAY));
	int64_t sec = local - floor_div(local, DAY) * DAY;

	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d", d.y, d.m, d.d, (int)(sec / 3600),
		 (int)(sec / 60 % 60), (int)(sec % 60));
}

void wp_fmt_utc(time_t t, char buf[WP_TIME_MAX])
{
	fmt_clock((int64_t)t, buf, WP_TIME_MAX - 1);
	strcat(buf, "Z");
}

void wp_fmt_local(time_t t, const struct wp_tz *tz, char buf[WP_TIME_MAX])
{
	long off = wp_tz_offset(tz, t);
	long a = off < 0 ? -off : off;
	size_t n;

	fmt_clock((int64_t)t + off, buf, WP_TIME_MAX);
	n = strlen(buf);
	snprintf(buf + n, WP_TIME_MAX - n, "%c%02ld:%02ld", off < 0 ? '-' : '+', a / 3600,
		 a / 60 % 60);
}

int wp_parse_time(const char *s, time_t *out, struct wp_err *err)
{
	struct wp_date d;
	int h, mi, sec = 0;
	long off = 0;
	const char *p = s;

	if (strlen(s) < 16 || parse_ymd(p, &d) != 0 || !strchr("Tt ", p[10]) ||
	    digits(p + 11, 2, &h) || p[13] != ':' || digits(p + 14, 2, &mi))
		goto bad;
	p += 16;
	if (*p == ':') {
		if (digits(p + 1, 2, &sec))
			goto bad;
		p += 3;
		if (*p == '.' || *p == ',') {
			if (!isdigit((unsigned char)p[1]))
				goto bad;
			for (p++; isdigit((unsigned char)*p); p++)
				;
		}
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if ((*p == '+' || *p == '-') && parse_fixed(p, &off) == 0)
		p += strlen(p);
	if (*p || h > 23 || mi > 59 || sec > 59)
		goto bad;
	*out = (time_t)(wp_date_days(d) * DAY + h * 3600L + mi * 60L + sec - off);
	return 0;
bad:
	return wp_err_set(err, WP_EDATA, "invalid time '%s' (want YYYY-MM-DDTHH:MM:SS[Z|+HH:MM])",
			  s);
}

int wp_date_cell(const char *s, struct wp_date *out)
{
	struct wp_date d;
	int n = 0, y0 = 0;

	if (!(sscanf(s, "%4d-%2d-%2d%n", &d.y, &d.m, &d.d, &n) == 3 && n == 10 && !s[n]) &&
	    !(sscanf(s, "%2d/%2d/%n%4d%n", &d.m, &d.d, &y0, &d.y, &n) == 3 && n - y0 == 4 && !s[n]))
		return WP_EDATA;
	if (!wp_date_valid(d))
		return WP_EDATA;
	*out = d;
	return 0;
}
