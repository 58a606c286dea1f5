/* wp.h: libwattpipe core. Every command includes this one header.
 *
 * Library rules (DESIGN.md section 6):
 *  - lib never exits and never writes to stdout/stderr on its own; the only
 *    streams it touches are the ones a caller hands it.
 *  - A function that can fail returns 0 or a WP_E* code and takes
 *    `struct wp_err *` last; the message says what and where.
 *  - Ownership follows libjq: a function taking a `jv` consumes it (pass
 *    jv_copy() to keep yours); a returned `jv` belongs to the caller.
 *    Other allocations are freed by the matching _release/_free function.
 */
#ifndef WP_H
#define WP_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Status codes are the process exit codes (sysexits), 1:1. */
enum {
	WP_OK = 0,
	WP_EFAIL = 1,        /* ran and found a failure (order rejected, check failed) */
	WP_EUSAGE = 64,      /* bad command line */
	WP_EDATA = 65,       /* bad input data */
	WP_ENOINPUT = 66,    /* input file missing or unreadable */
	WP_EUNAVAIL = 69,    /* service unavailable (404 feed, broker gone) */
	WP_EINTERNAL = 70,   /* a bug */
	WP_ECANTCREAT = 73,  /* cannot write output */
	WP_EIO = 74,         /* I/O error on a store (locked or corrupt database) */
	WP_ETEMP = 75,       /* temporary failure: network, 429/5xx after retries */
	WP_EPROTO = 76,      /* the remote side answered something we cannot use */
	WP_EPERM = 77,       /* authentication or permission refused */
	WP_ECONFIG = 78,     /* configuration error (missing key, unsafe file mode) */
	WP_DONE = -1,        /* not an error: work finished early (--help); exit 0 */
};

struct wp_err {
	int code;
	char msg[1024];
};
#define WP_ERR_INIT { 0, { 0 } }

/* Set err (if not NULL) and return code, so callers can `return wp_err_set(...)`. */
int wp_err_set(struct wp_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int wp_err_vset(struct wp_err *err, int code, const char *fmt, va_list ap);
/* Prefix the existing message: "ctx: old message". Returns err->code. */
int wp_err_prefix(struct wp_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void wp_err_clear(struct wp_err *err);
/* Set err from errno for an operation on path; picks 66/73/74 by what. */
int wp_err_errno(struct wp_err *err, int code, const char *what, const char *path);

#include "core/rec.h"
#include "core/time.h"
#include "core/config.h"
#include "core/http.h"
#include "core/cli.h"

#endif
