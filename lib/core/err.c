/* err.c: the error value every lib function fills. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "wp.h"

int wp_err_vset(struct wp_err *err, int code, const char *fmt, va_list ap)
{
	if (err) {
		err->code = code;
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	}
	return code;
}

int wp_err_set(struct wp_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wp_err_vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

int wp_err_prefix(struct wp_err *err, const char *fmt, ...)
{
	char out[sizeof err->msg];
	size_t n, k;
	va_list ap;

	if (!err)
		return 0;
	va_start(ap, fmt);
	vsnprintf(out, sizeof out - 2, fmt, ap);
	va_end(ap);
	n = strlen(out);
	out[n++] = ':';
	out[n++] = ' ';
	k = strnlen(err->msg, sizeof out - n - 1);
	memcpy(out + n, err->msg, k);
	out[n + k] = '\0';
	memcpy(err->msg, out, sizeof out);
	return err->code;
}

void wp_err_clear(struct wp_err *err)
{
	if (err) {
		err->code = 0;
		err->msg[0] = '\0';
	}
}

int wp_err_errno(struct wp_err *err, int code, const char *what, const char *path)
{
	return wp_err_set(err, code, "%s %s: %s", what, path, strerror(errno));
}
