/* rec.c: formats, numbers as text and back, field access. */
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wp.h"

static const struct {
	const char *name;
	enum wp_format fmt;
} formats[] = {
	{ "ndjson", WP_FMT_NDJSON },
	{ "json", WP_FMT_NDJSON },
	{ "csv", WP_FMT_CSV },
	{ "tsv", WP_FMT_TSV },
	{ "table", WP_FMT_TABLE },
};

int wp_format_parse(const char *s, enum wp_format *out, struct wp_err *err)
{
	size_t i;

	for (i = 0; s && i < sizeof formats / sizeof formats[0]; i++)
		if (strcmp(s, formats[i].name) == 0) {
			*out = formats[i].fmt;
			return 0;
		}
	return wp_err_set(err, WP_EUSAGE, "unknown format '%s' (ndjson, csv, tsv or table)",
			  s ? s : "");
}

/* Powers of ten that a double holds exactly. */
static const double p10[] = {
	1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};
#define EXACT_INT 9007199254740992.0 /* 2^53 */

/* strtod and printf follow LC_NUMERIC; the slow paths run under "C".
 * The locale object is made once and kept: creating one per number cost
 * more than the formatting (a lost race only makes a spare one). */
static locale_t c_locale(void)
{
	static locale_t c;

	if (!c)
		c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	return c;
}

static double strtod_c(const char *s)
{
	return strtod_l(s, NULL, c_locale());
}

int wp_num_parse(const char *s, size_t len, double *out)
{
	const char *p = s, *end = s + len;
	uint64_t m = 0;
	int neg = 0, nd = 0, frac = 0, exp = 0, eneg = 0;
	double d;

	if (p < end && *p == '-')
		neg = 1, p++;
	if (p == end || *p < '0' || *p > '9')
		return WP_EDATA;
	if (*p == '0' && p + 1 < end && p[1] >= '0' && p[1] <= '9')
		return WP_EDATA; /* JSON has no leading zeros */
	for (; p < end && *p >= '0' && *p <= '9'; p++)
		if (nd < 19 && (m || *p != '0'))
			m = m * 10 + (uint64_t)(*p - '0'), nd++;
		else if (m)
			nd = 99; /* too many digits for the fast path */
	if (p < end && *p == '.') {
		if (++p == end || *p < '0' || *p > '9')
			return WP_EDATA;
		for (; p < end && *p >= '0' && *p <= '9'; p++, frac++)
			if (nd < 19 && (m || *p != '0'))
				m = m * 10 + (uint64_t)(*p - '0'), nd++;
			else if (m || *p != '0')
				nd = 99;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		if (p == end || *p < '0' || *p > '9')
			return WP_EDATA;
		for (; p < end && *p >= '0' && *p <= '9'; p++)
			if (exp < 100000)
				exp = exp * 10 + (*p - '0');
	}
	if (p != end)
		return WP_EDATA;
	exp = (eneg ? -exp : exp) - frac;

	/* Clinger's fast path: both operands exact, so one rounding. */
	if (nd <= 15 && exp >= -22 && exp <= 22) {
		d = (double)m;
		d = exp < 0 ? d / p10[-exp] : d * p10[exp];
	} else {
		char small[64], *buf = len < sizeof small ? small : malloc(len + 1);

		if (!buf)
			return WP_EDATA;
		memcpy(buf, s, len);
		buf[len] = '\0';
		d = fabs(strtod_c(buf));
		if (buf != small)
			free(buf);
		if (!isfinite(d))
			return WP_EDATA;
	}
	*out = neg ? -d : d;
	return 0;
}

/* Shortest digits of a > 0 when it is a decimal with few places, the
 * common case for prices: the smallest k with round(a*10^k)/10^k == a.
 * Both sides of that test are exact or correctly rounded, so it is the
 * round-trip test itself, and the first k that passes has fewest digits. */
static int digits_fast(double a, char *dig, int *nd, int *decpt)
{
	char tmp[24];
	int k, n, i;
	uint64_t m = 0;

	for (k = 0; k <= 15 && !m; k++) {
		double x = a * p10[k], r;

		if (x >= EXACT_INT)
			return 0;
		r = nearbyint(x);
		if (r != 0 && r / p10[k] == a)
			m = (uint64_t)r;
	}
	if (!m)
		return 0;
	k--;
	for (n = 0; m; m /= 10)
		tmp[n++] = (char)('0' + m % 10);
	*decpt = n - k;
	while (tmp[0] == '0') /* trailing zeros of an integer */
		memmove(tmp, tmp + 1, (size_t)--n);
	for (i = 0; i < n; i++)
		dig[i] = tmp[n - 1 - i];
	*nd = n;
	return 1;
}

/* Any other finite a > 0: the first of 15, 16, 17 significant digits that
 * reads back the same. 15 digits always survive text -> double -> text
 * (DBL_DIG) for normal numbers, so when 15 round-trip, none shorter exists
 * that %.14e missed. */
static void digits_slow(double a, char *dig, int *nd, int *decpt)
{
	locale_t old = uselocale(c_locale());
	char s[40], *p;
	int prec, n = 0;

	/* Subnormals have fewer bits, so there DBL_DIG does not hold. */
	for (prec = a < DBL_MIN ? 1 : 15; prec < 17; prec++) {
		snprintf(s, sizeof s, "%.*e", prec - 1, a);
		if (strtod(s, NULL) == a)
			break;
	}
	if (prec == 17)
		snprintf(s, sizeof s, "%.16e", a);
	uselocale(old);
	for (p = s; *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			dig[n++] = *p;
	while (n > 1 && dig[n - 1] == '0')
		n--;
	*nd = n;
	*decpt = atoi(p + 1) + 1;
}

int wp_fmt_double(double d, char buf[32])
{
	char dig[20] = "", *p = buf;
	int nd, n, i;

	if (!isfinite(d))
		return (int)(stpcpy(buf, "null") - buf);
	if (d == 0)
		return (int)(stpcpy(buf, signbit(d) ? "-0" : "0") - buf);
	if (d < 0)
		*p++ = '-', d = -d;
	if (!digits_fast(d, dig, &nd, &n))
		digits_slow(d, dig, &nd, &n);

	/* value = 0.DIG * 10^n */
	if (nd <= n && n <= 21) {
		memcpy(p, dig, (size_t)nd), p += nd;
		for (i = nd; i < n; i++)
			*p++ = '0';
	} else if (0 < n && n <= 21) {
		memcpy(p, dig, (size_t)n), p += n;
		*p++ = '.';
		memcpy(p, dig + n, (size_t)(nd - n)), p += nd - n;
	} else if (-6 < n && n <= 0) {
		*p++ = '0', *p++ = '.';
		for (i = n; i < 0; i++)
			*p++ = '0';
		memcpy(p, dig, (size_t)nd), p += nd;
	} else {
		*p++ = dig[0];
		if (nd > 1) {
			*p++ = '.';
			memcpy(p, dig + 1, (size_t)(nd - 1)), p += nd - 1;
		}
		p += sprintf(p, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
	}
	*p = '\0';
	return (int)(p - buf);
}

/* rec[key] when rec is an object; invalid otherwise. Consumes rec. */
static jv field(jv rec, const char *key)
{
	if (jv_get_kind(rec) != JV_KIND_OBJECT) {
		jv_free(rec);
		return jv_invalid();
	}
	return jv_object_get(rec, jv_string(key));
}

int wp_rec_num(jv rec, const char *key, double *out)
{
	jv v = field(rec, key);
	int rc = 0;

	*out = NAN;
	switch (jv_get_kind(v)) {
	case JV_KIND_INVALID:
	case JV_KIND_NULL:
		rc = WP_ENULL;
		break;
	case JV_KIND_NUMBER:
		*out = jv_number_value(v);
		break;
	case JV_KIND_STRING:
		rc = wp_num_parse(jv_string_value(v), (size_t)jv_string_length_bytes(jv_copy(v)),
				  out);
		break;
	default:
		rc = WP_EDATA;
	}
	jv_free(v);
	return rc;
}

char *wp_rec_str(jv rec, const char *key)
{
	jv v = field(rec, key);
	char num[32], *s = NULL;

	switch (jv_get_kind(v)) {
	case JV_KIND_INVALID:
	case JV_KIND_NULL:
		break;
	case JV_KIND_STRING:
		s = strdup(jv_string_value(v));
		break;
	case JV_KIND_NUMBER:
		wp_fmt_double(jv_number_value(v), num);
		s = strdup(num);
		break;
	default: {
		jv t = jv_dump_string(jv_copy(v), 0);

		s = strdup(jv_string_value(t));
		jv_free(t);
	}
	}
	jv_free(v);
	return s;
}

jv wp_num_or_null(double d)
{
	return isnan(d) ? jv_null() : jv_number(d + 0.0);
}
