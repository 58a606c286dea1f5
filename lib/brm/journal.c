/* journal.c: the audit trail of every BRM write (DESIGN.md section 7):
 * one NDJSON line per request and per outcome, appended and fsync'd
 * before the caller goes on, never rewritten. No secrets go in: entries
 * hold the order bodies, never a password or token. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "brm/brm.h"

int brm_journal_append(const char *path, jv entry, struct wp_err *err)
{
	char now[WP_TIME_MAX];
	const char *text;
	size_t len, off = 0;
	int fd, rc = 0;

	wp_fmt_utc(time(NULL), now);
	/* "time" first, so the file reads naturally. */
	jv line = jv_object_merge(jv_object_set(jv_object(), jv_string("time"), jv_string(now)), entry);
	jv d = jv_dump_string(line, 0);
	d = jv_string_append_str(d, "\n");
	text = jv_string_value(d);
	len = strlen(text);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		rc = wp_err_errno(err, WP_ECANTCREAT, "journal", path);
		goto out;
	}
	/* O_APPEND: each write lands at the end, even with several writers. */
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = wp_err_errno(err, WP_ECANTCREAT, "journal", path);
			break;
		}
		off += (size_t)n;
	}
	if (rc == 0 && fsync(fd))
		rc = wp_err_errno(err, WP_ECANTCREAT, "journal fsync", path);
	/* The first line created the file: its directory entry must be on
	 * disk too, or a crash could lose the whole journal. */
	if (rc == 0 && lseek(fd, 0, SEEK_CUR) == (off_t)len && wp_fsync_parent(path))
		rc = wp_err_errno(err, WP_ECANTCREAT, "journal directory fsync", path);
	if (close(fd) && rc == 0)
		rc = wp_err_errno(err, WP_ECANTCREAT, "journal", path);
out:
	jv_free(d);
	return rc;
}
