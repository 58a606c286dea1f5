/* store.c: the IRIS spool. A file is either absent or complete: bytes go
 * to a temp file that is fsync'd, then renamed without replacing into its
 * final name, then the directory is fsync'd; only after that may the
 * caller acknowledge the message. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wp.h"
#include "iris/iris.h"

#define TMP_TAG ".tmp."

static int is_temp(const char *name)
{
	return name[0] == '.' && strstr(name, TMP_TAG) != NULL;
}

/* A crash between write and rename leaves .NAME.tmp.PID files: remove them
 * (we hold the lock, so no writer is alive). */
static void remove_stale_temps(struct iris_store *s)
{
	DIR *top, *sub;
	struct dirent *e, *f;
	int fd;

	if ((fd = dup(s->rootfd)) < 0 || !(top = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(top))) {
		if (e->d_name[0] == '.')
			continue;
		if ((fd = openat(s->rootfd, e->d_name, O_RDONLY | O_DIRECTORY)) < 0)
			continue;
		if (!(sub = fdopendir(fd))) {
			close(fd);
			continue;
		}
		while ((f = readdir(sub)))
			if (is_temp(f->d_name))
				unlinkat(dirfd(sub), f->d_name, 0);
		closedir(sub);
	}
	closedir(top);
}

int iris_store_open(struct iris_store *s, const char *root, int lock,
		    struct wp_err *err)
{
	if (mkdir(root, 0755) == 0) {
		/* A new spool's own entry must survive a crash, like a new
		 * dataset folder's. */
		if (wp_fsync_parent(root) < 0)
			return wp_err_errno(err, WP_ECANTCREAT, "cannot sync the folder of", root);
	} else if (errno != EEXIST) {
		return wp_err_errno(err, WP_ECANTCREAT, "cannot create directory", root);
	}
	s->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->rootfd < 0)
		return wp_err_errno(err, WP_ECANTCREAT, "cannot open directory", root);
	if (!(s->root = strdup(root))) {
		iris_store_release(s);
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	if (!lock)
		return 0;
	s->lockfd = openat(s->rootfd, ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (s->lockfd < 0) {
		wp_err_errno(err, WP_ECANTCREAT, "cannot create lock file in", root);
		iris_store_release(s);
		return WP_ECANTCREAT;
	}
	if (flock(s->lockfd, LOCK_EX | LOCK_NB) < 0) {
		wp_err_set(err, WP_ETEMP, "%s is in use by another iris-listen", root);
		iris_store_release(s);
		return WP_ETEMP;
	}
	remove_stale_temps(s);
	return 0;
}

void iris_store_release(struct iris_store *s)
{
	if (s->lockfd >= 0)
		close(s->lockfd);
	if (s->rootfd >= 0)
		close(s->rootfd);
	free(s->root);
	s->root = NULL;
	s->rootfd = s->lockfd = -1;
}

/* 1 when the file name in dirfd holds exactly buf, 0 when it differs,
 * -1 (errno set) when it cannot be read. */
static int same_bytes(int dfd, const char *name, const void *buf, size_t len)
{
	char chunk[65536];
	const char *p = buf;
	size_t off = 0;
	struct stat st;
	ssize_t n;
	int fd, same = 1;

	if ((fd = openat(dfd, name, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) < 0 || (size_t)st.st_size != len) {
		close(fd);
		return 0;
	}
	while (same && (n = read(fd, chunk, sizeof chunk)) > 0) {
		if (off + (size_t)n > len || memcmp(chunk, p + off, (size_t)n))
			same = 0;
		off += (size_t)n;
	}
	if (n < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return same && off == len;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Rename tmp to name unless name exists (EEXIST). renameat2 where the
 * file system has it, else link + unlink (a crash between them leaves a
 * temp file that the next start removes). */
static int move_noreplace(int dfd, const char *tmp, const char *name)
{
	if (renameat2(dfd, tmp, dfd, name, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	if (linkat(dfd, tmp, dfd, name, 0) < 0)
		return -1;
	unlinkat(dfd, tmp, 0);
	return 0;
}

static int open_dir(struct iris_store *s, const char *dir, struct wp_err *err)
{
	int fd = openat(s->rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0 || errno != ENOENT)
		goto out;
	if (mkdirat(s->rootfd, dir, 0755) < 0 && errno != EEXIST)
		goto out;
	/* The new folder's entry in ROOT must survive a crash too. */
	if (fsync(s->rootfd) < 0)
		goto out;
	fd = openat(s->rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
out:
	if (fd < 0)
		wp_err_set(err, WP_ECANTCREAT, "cannot create directory %s/%s: %s",
			   s->root, dir, strerror(errno));
	return fd;
}

/* Write buf to dfd/name through a temp file. 0, or -1 with errno set and
 * *what naming the failed step; EEXIST means name appeared meanwhile. */
static int write_new(struct iris_store *s, int dfd, const char *name,
		     const void *buf, size_t len, const char **what)
{
	char tmp[IRIS_NAME_MAX + 64];
	int fd, e;

	snprintf(tmp, sizeof tmp, ".%s" TMP_TAG "%ld.%lu", name, (long)getpid(), ++s->seq);
	*what = "cannot create";
	if ((fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
		return -1;
	*what = "cannot write";
	if (write_all(fd, buf, len) < 0)
		goto fail;
	*what = "cannot sync";
	if (fsync(fd) < 0)
		goto fail;
	*what = "cannot close";
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	*what = "cannot rename into";
	if (move_noreplace(dfd, tmp, name) < 0)
		goto fail;
	return 0;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlinkat(dfd, tmp, 0);
	errno = e;
	return -1;
}

/* The folder's entries must reach the disk before a message is
 * accepted: now, or at iris_store_sync when deferred. */
static int sync_dir(struct iris_store *s, int dfd, const char *dir)
{
	if (s->defer_sync) {
		for (int i = 0; i < s->ndirty; i++)
			if (!strcmp(s->dirty[i], dir))
				return 0;
		if (s->ndirty < IRIS_DIRTY_MAX && strlen(dir) < IRIS_DATASET_MAX) {
			strcpy(s->dirty[s->ndirty++], dir);
			return 0;
		}
	}
	return fsync(dfd);
}

int iris_store_sync(struct iris_store *s, struct wp_err *err)
{
	int rc = 0;

	for (int i = 0; i < s->ndirty; i++) {
		int fd = openat(s->rootfd, s->dirty[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if ((fd < 0 || fsync(fd) < 0) && !rc)
			rc = wp_err_set(err, WP_ECANTCREAT, "cannot sync directory %s/%s: %s",
					s->root, s->dirty[i], strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	s->ndirty = 0;
	return rc;
}

int iris_store_put(struct iris_store *s, const char *dir, const char *name,
		   const void *buf, size_t len, enum iris_put *how,
		   char **path, struct wp_err *err)
{
	char alt[IRIS_NAME_MAX + 32];
	const char *target = name, *what = "";
	int dfd, same, n = 0, rc = 0;

	if ((dfd = open_dir(s, dir, err)) < 0)
		return WP_ECANTCREAT;
	*how = IRIS_PUT_WRITTEN;
	for (;;) {
		same = same_bytes(dfd, target, buf, len);
		if (same == 1) {
			*how = IRIS_PUT_SAME;
			break;
		}
		if (same < 0 && errno != ENOENT) {
			what = "cannot read";
			goto fail;
		}
		if (same == 0) {
			/* Same id, other content: keep both, never overwrite. */
			*how = IRIS_PUT_DUP;
			snprintf(alt, sizeof alt, "%s.dup%d", name, ++n);
			target = alt;
			continue;
		}
		if (write_new(s, dfd, target, buf, len, &what) == 0)
			break;
		if (errno != EEXIST)
			goto fail;
	}
	what = "cannot sync directory of";
	if (sync_dir(s, dfd, dir) < 0)
		goto fail;
	if (path && asprintf(path, "%s/%s", dir, target) < 0)
		*path = NULL;
	close(dfd);
	return rc;
fail:
	rc = wp_err_set(err, WP_ECANTCREAT, "%s %s/%s/%s: %s", what, s->root, dir,
			target, strerror(errno));
	close(dfd);
	return rc;
}
