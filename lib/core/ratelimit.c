/* ratelimit.c: a request budget shared by every process on the machine.
 *
 * cache_dir/rate-NAME holds the wall-clock times of the latest requests,
 * one per line. A process takes an exclusive flock, works out when the
 * next request is allowed (rate_max per rate_window_s, rate_min_interval_s
 * apart), sleeps until then while still holding the lock (so waiting
 * processes queue up behind it), records its time and lets go. The lock
 * dies with the process, so a killed job never blocks the others.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wp.h"
#include "http-private.h"

#define RATE_KEEP 1024 /* most request times remembered */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The request times in the file, ascending, dropping any from the future
 * (a clock set back must not stall everyone). */
static int read_times(int fd, double *t, double now)
{
	char buf[RATE_KEEP * 24 + 1], *p, *e;
	ssize_t n;
	size_t got = 0;
	int k = 0;

	while (got < sizeof buf - 1 && (n = pread(fd, buf + got, sizeof buf - 1 - got, (off_t)got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	for (p = buf; k < RATE_KEEP; p = e) {
		double v = strtod(p, &e);
		if (e == p)
			break;
		if (v <= now + 1)
			t[k++] = v;
	}
	qsort(t, (size_t)k, sizeof *t, cmp_double);
	return k;
}

static int write_times(int fd, const double *t, int k)
{
	char buf[RATE_KEEP * 24 + 1];
	size_t len = 0;

	for (int i = 0; i < k; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%.6f\n", t[i]);
	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, len, 0) != (ssize_t)len)
		return -1;
	return 0;
}

int wp_http_rate_wait(const struct wp_http_opts *o, double *waited, struct wp_err *err)
{
	double t[RATE_KEEP + 1];
	char *path = NULL;
	double now, at;
	int fd, k, keep, rc = 0;
	int max = o->rate_max < RATE_KEEP ? o->rate_max : RATE_KEEP;

	*waited = 0;
	if (!o->rate_name || !o->cache_dir || (o->rate_max <= 0 && o->rate_min_interval_s <= 0))
		return 0;
	for (const char *p = o->rate_name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return wp_err_set(err, WP_EINTERNAL, "bad rate limiter name '%s'",
					  o->rate_name);
	if (asprintf(&path, "%s/rate-%s", o->cache_dir, o->rate_name) < 0)
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	if (mkdir(o->cache_dir, 0700) != 0 && errno != EEXIST) {
		rc = wp_err_errno(err, WP_ECANTCREAT, "cache directory", o->cache_dir);
		goto out;
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		rc = wp_err_errno(err, WP_ECANTCREAT, "rate limit file", path);
		goto out;
	}
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			rc = wp_err_errno(err, WP_EIO, "lock", path);
			close(fd);
			goto out;
		}
	}
	now = wp_http_wall();
	k = read_times(fd, t, now);
	at = now;
	if (max > 0 && k >= max)
		at = t[k - max] + o->rate_window_s;
	if (o->rate_min_interval_s > 0 && k > 0 && t[k - 1] + o->rate_min_interval_s > at)
		at = t[k - 1] + o->rate_min_interval_s;
	if (at > now) {
		*waited = at - now;
		wp_http_sleep(at - now);
		now = wp_http_wall();
		if (now < at) /* the wall clock moved back while we slept */
			now = at;
	}
	t[k++] = now;
	keep = max > 0 ? max : 1;
	if (k > keep) {
		memmove(t, t + k - keep, (size_t)keep * sizeof *t);
		k = keep;
	}
	if (write_times(fd, t, k) != 0)
		rc = wp_err_errno(err, WP_ECANTCREAT, "rate limit file", path);
	close(fd); /* releases the lock */
out:
	free(path);
	return rc;
}
