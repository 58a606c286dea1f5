/* records.c: the spool read back, folder by folder, file by file, in name
 * order; and the checkpoint that lets cron jobs take only new files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wp.h"
#include "iris/iris.h"

time_t iris_name_time(const char *name)
{
	const char *p = strchr(name, '_');
	struct tm tm = { 0 };
	int v[5], w[5] = { 4, 2, 2, 2, 2 };

	if (!p)
		return -1;
	p++;
	for (int i = 0; i < 5; i++) {
		v[i] = 0;
		for (int k = 0; k < w[i]; k++, p++) {
			if (*p < '0' || *p > '9')
				return -1;
			v[i] = v[i] * 10 + (*p - '0');
		}
	}
	if (*p != '_' && *p != '.')
		return -1;
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	return timegm(&tm);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in dir accepted by keep; *out and its strings malloc'd. */
static int list(int dfd, int (*keep)(int, const struct dirent *), char ***out, size_t *n)
{
	int fd = dup(dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((e = readdir(d))) {
		if (!keep(dfd, e))
			continue;
		if (*n == cap) {
			char **nv = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof *v);

			if (!nv)
				break;
			v = nv;
		}
		if (!(v[*n] = strdup(e->d_name)))
			break;
		(*n)++;
	}
	closedir(d);
	qsort(v, *n, sizeof *v, by_name);
	*out = v;
	return 0;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int is_dataset(int dfd, const struct dirent *e)
{
	struct stat st;

	return e->d_name[0] != '.' && strcmp(e->d_name, IRIS_REJECTED) != 0 &&
	       fstatat(dfd, e->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

static int is_json(int dfd, const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return e->d_name[0] != '.' && n > 5 && strcmp(e->d_name + n - 5, ".json") == 0;
}

static int ts_after(struct timespec a, struct timespec b)
{
	return a.tv_sec > b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec > b.tv_nsec);
}

static int wanted(int dfd, const char *name, const struct iris_scan *q)
{
	struct stat st;
	time_t t;

	if (q->from || q->to) {
		t = iris_name_time(name);
		if (t < 0 || (q->from && t < q->from) || (q->to && t >= q->to))
			return 0;
	}
	if (q->after.tv_sec || q->until.tv_sec) {
		if (fstatat(dfd, name, &st, 0) < 0)
			return 0;
		/* ctime: a rename sets it, so a file counts from when it
		 * appeared under its final name. */
		if (!ts_after(st.st_ctim, q->after))
			return 0;
		if (q->until.tv_sec && ts_after(st.st_ctim, q->until))
			return 0;
	}
	return 1;
}

static int read_file(int dfd, const char *root, const char *ds, const char *name,
		     jv *records, struct wp_err *err)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	jv v;

	if (fd < 0)
		return wp_err_set(err, WP_ENOINPUT, "%s/%s/%s: %s", root, ds, name, strerror(errno));
	do {
		if (len + 65536 > cap) {
			char *nb = realloc(buf, cap = (len + 65536) * 2);

			if (!nb) {
				free(buf);
				close(fd);
				return wp_err_set(err, WP_EINTERNAL, "out of memory");
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n > 0)
			len += (size_t)n;
	} while (n > 0 || (n < 0 && errno == EINTR));
	close(fd);
	if (n < 0) {
		free(buf);
		return wp_err_set(err, WP_EIO, "%s/%s/%s: %s", root, ds, name, strerror(errno));
	}
	v = jv_parse_sized(buf ? buf : "", (int)len);
	free(buf);
	if (jv_get_kind(v) == JV_KIND_OBJECT)
		v = jv_array_append(jv_array(), v);
	if (jv_get_kind(v) != JV_KIND_ARRAY) {
		jv_free(v);
		return wp_err_set(err, WP_EDATA, "%s/%s/%s: not a JSON array of records", root, ds, name);
	}
	*records = v;
	return 0;
}

int iris_scan_files(const char *root, const struct iris_scan *q,
		    int (*fn)(void *ctx, const char *dataset, const char *name,
			      jv records, struct wp_err *err),
		    void *ctx, struct wp_err *err)
{
	int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;
	char **ds = NULL, **files;
	size_t nds = 0, nf;

	if (rootfd < 0)
		return wp_err_set(err, WP_ENOINPUT, "spool %s: %s", root, strerror(errno));
	if (q->dataset) {
		char one[IRIS_DATASET_MAX];

		if (iris_sanitize(q->dataset, one, sizeof one) < 0 || strcmp(one, q->dataset)) {
			close(rootfd);
			return wp_err_set(err, WP_EUSAGE, "bad dataset name '%s'", q->dataset);
		}
		ds = malloc(sizeof *ds);
		if (ds && (ds[0] = strdup(one)))
			nds = 1;
	} else if (list(rootfd, is_dataset, &ds, &nds) < 0) {
		rc = wp_err_set(err, WP_ENOINPUT, "spool %s: %s", root, strerror(errno));
	}
	for (size_t i = 0; !rc && i < nds; i++) {
		int dfd = openat(rootfd, ds[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd < 0) {
			if (errno != ENOENT)
				rc = wp_err_set(err, WP_ENOINPUT, "%s/%s: %s", root, ds[i], strerror(errno));
			continue; /* a dataset never received yet is just empty */
		}
		if (list(dfd, is_json, &files, &nf) < 0) {
			rc = wp_err_set(err, WP_ENOINPUT, "%s/%s: %s", root, ds[i], strerror(errno));
			close(dfd);
			break;
		}
		for (size_t k = 0; !rc && k < nf; k++) {
			jv records;

			if (!wanted(dfd, files[k], q))
				continue;
			if (!(rc = read_file(dfd, root, ds[i], files[k], &records, err)))
				rc = fn(ctx, ds[i], files[k], records, err);
		}
		free_list(files, nf);
		close(dfd);
	}
	free_list(ds, nds);
	close(rootfd);
	return rc;
}

int iris_checkpoint_read(const char *path, struct timespec *ts, struct wp_err *err)
{
	FILE *f = fopen(path, "r");
	long long s = 0;
	long ns = 0;

	ts->tv_sec = 0;
	ts->tv_nsec = 0;
	if (!f)
		return errno == ENOENT ? 0 : wp_err_errno(err, WP_ENOINPUT, "cannot read checkpoint", path);
	if (fscanf(f, "%lld.%ld", &s, &ns) != 2 || s < 0 || ns < 0 || ns > 999999999) {
		fclose(f);
		return wp_err_set(err, WP_EDATA, "checkpoint %s: not SECONDS.NANOSECONDS", path);
	}
	fclose(f);
	ts->tv_sec = (time_t)s;
	ts->tv_nsec = ns;
	return 0;
}

/* Replaced atomically and durably: a crash leaves the old or the new one. */
int iris_checkpoint_write(const char *path, struct timespec ts, struct wp_err *err)
{
	char tmp[4096];
	FILE *f;
	int ok;

	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	if (!(f = fopen(tmp, "w")))
		return wp_err_errno(err, WP_ECANTCREAT, "cannot write checkpoint", tmp);
	ok = fprintf(f, "%lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec) > 0 &&
	     fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) < 0) {
		wp_err_errno(err, WP_ECANTCREAT, "cannot write checkpoint", path);
		unlink(tmp);
		return WP_ECANTCREAT;
	}
	wp_fsync_parent(path);
	return 0;
}
