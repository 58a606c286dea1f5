/* serial.c: certificate serial ranges "<base>-<start> to <end>". */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wp.h"
#include "certs/certs.h"

/* A positive decimal with no sign, no spaces and no leading zero. */
static int parse_num(const char *s, size_t n, long long *out)
{
	long long v = 0;
	size_t i;

	if (n == 0 || n > 18 || s[0] == '0')
		return -1;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int cert_serial_parse(const char *s, struct cert_serial *out, struct wp_err *err)
{
	const char *to = strstr(s, " to "), *dash;
	size_t blen;

	if (!to)
		return wp_err_set(err, WP_EDATA, "serial '%s': expected '<base>-<start> to <end>'", s);
	for (dash = to; dash > s && dash[-1] != '-'; dash--)
		;
	if (dash == s || dash - 1 == s)
		return wp_err_set(err, WP_EDATA, "serial '%s': no '-' before the start number", s);
	blen = (size_t)(dash - 1 - s);
	if (blen >= sizeof out->base)
		return wp_err_set(err, WP_EDATA, "serial '%.40s...': base longer than %d bytes", s,
				  CERT_BASE_MAX - 1);
	if (parse_num(dash, (size_t)(to - dash), &out->start) ||
	    parse_num(to + 4, strlen(to + 4), &out->end))
		return wp_err_set(err, WP_EDATA, "serial '%s': start and end must be whole numbers from 1",
				  s);
	if (out->end < out->start)
		return wp_err_set(err, WP_EDATA, "serial '%s': end %lld is before start %lld", s,
				  out->end, out->start);
	memcpy(out->base, s, blen);
	out->base[blen] = '\0';
	return 0;
}

int cert_serial_format(const struct cert_serial *r, char *buf, size_t n)
{
	return snprintf(buf, n, "%s-%lld to %lld", r->base, r->start, r->end);
}

long long cert_serial_count(const struct cert_serial *r)
{
	return r->end >= r->start ? r->end - r->start + 1 : 0;
}

int cert_serial_take(const struct cert_serial *r, long long q, struct cert_serial *taken,
		     struct cert_serial *rest, struct wp_err *err)
{
	long long n = cert_serial_count(r);

	if (q < 1 || q > n)
		return wp_err_set(err, WP_EDATA, "cannot take %lld of %lld certificates", q, n);
	*taken = *r;
	taken->end = r->start + q - 1;
	*rest = *r;
	rest->start = r->start + q;
	return 0;
}

int cert_serial_sub(const struct cert_serial *r, long long s, long long e,
		    struct cert_serial *out, struct wp_err *err)
{
	if (s < r->start || e > r->end || e < s)
		return wp_err_set(err, WP_EDATA, "%lld to %lld is not inside %s-%lld to %lld", s, e,
				  r->base, r->start, r->end);
	*out = *r;
	out->start = s;
	out->end = e;
	return 0;
}

int cert_serial_overlap(const struct cert_serial *a, const struct cert_serial *b)
{
	return strcmp(a->base, b->base) == 0 && a->start <= b->end && b->start <= a->end;
}
