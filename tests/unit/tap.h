/* tap.h: the smallest TAP producer for the C unit tests (run by prove).
 *
 *	ok(cond, "what");  is_int(got, want, "what");  is_str(got, want, "what");
 *	is_num(got, want, tol, "what");  return done_testing();
 */
#ifndef TAP_H
#define TAP_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static int ok_(int cond, const char *what, const char *file, int line)
{
	tap_n++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, what);
	if (!cond) {
		tap_failed++;
		printf("#   at %s:%d\n", file, line);
	}
	return cond;
}
#define ok(c, what) ok_(!!(c), what, __FILE__, __LINE__)

#define is_int(got, want, what) do { \
	long long g_ = (got), w_ = (want); \
	if (!ok(g_ == w_, what)) printf("#   got %lld, want %lld\n", g_, w_); \
} while (0)

#define is_str(got, want, what) do { \
	const char *g_ = (got), *w_ = (want); \
	if (!ok(g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_, what)) \
		printf("#   got '%s'\n#  want '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
} while (0)

#define is_num(got, want, tol, what) do { \
	double g_ = (got), w_ = (want); \
	if (!ok(fabs(g_ - w_) <= (tol), what)) printf("#   got %.17g, want %.17g\n", g_, w_); \
} while (0)

static int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}

#endif
