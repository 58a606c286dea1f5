/* cache.c: the on-disk HTTP response cache.
 *
 * One file per request under cache_dir/http/, named by a hash of the key
 * ("GET url" with secrets redacted). The file starts with a text header
 * giving the store time, status and sizes, then the key itself, so a hash
 * collision reads as a miss, never as someone else's answer:
 *
 *	wattpipe-cache 1 STORED STATUS HEADERS_LEN BODY_LEN\n
 *	KEY\n
 *	HEADERS BODY
 *
 * Writes go to a temporary file renamed into place, so a reader in another
 * process sees a whole answer or none.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wp.h"
#include "http-private.h"

#define CACHE_MAGIC "wattpipe-cache 1"

/* FNV-1a, twice with different seeds: 128 bits to name a file. */
static uint64_t fnv1a(const char *s, uint64_t h)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static char *cache_path(const char *dir, const char *key)
{
	char *p;

	if (asprintf(&p, "%s/http/%016" PRIx64 "%016" PRIx64, dir,
		     fnv1a(key, 0xcbf29ce484222325ULL), fnv1a(key, 0x84222325cbf29ce4ULL)) < 0)
		return NULL;
	return p;
}

static char *read_fd(int fd, size_t *len)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	ssize_t n;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !(buf = malloc((size_t)st.st_size + 1)))
		return NULL;
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	*len = got;
	return buf;
}

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

int wp_http_cache_get(const char *cache_dir, const char *key, long ttl_s,
		      struct wp_http_resp *resp)
{
	char *path = cache_path(cache_dir, key), *buf = NULL, *p;
	long long stored;
	long status;
	size_t len = 0, hlen, blen, klen = strlen(key);
	int fd, n = 0, hit = 0;

	if (!path)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return 0;
	buf = read_fd(fd, &len);
	close(fd);
	if (!buf)
		return 0;
	if (sscanf(buf, CACHE_MAGIC " %lld %ld %zu %zu\n%n", &stored, &status, &hlen, &blen, &n) !=
		    4 ||
	    n == 0)
		goto out;
	p = buf + n;
	/* Sizes must add up exactly; anything else is a stale format or damage. */
	if (len - (size_t)n < klen + 1 || memcmp(p, key, klen) != 0 || p[klen] != '\n' ||
	    len - (size_t)n - klen - 1 != hlen + blen)
		goto out;
	if (ttl_s >= 0 && wp_http_wall() - (double)stored >= (double)ttl_s)
		goto out;
	p += klen + 1;
	resp->headers = dup_n(p, hlen);
	resp->body = dup_n(p + hlen, blen);
	if (!resp->headers || !resp->body) {
		wp_http_resp_release(resp);
		goto out;
	}
	resp->status = status;
	resp->len = blen;
	resp->from_cache = 1;
	resp->attempts = 0;
	hit = 1;
out:
	free(buf);
	return hit;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int wp_http_cache_put(const char *cache_dir, const char *key, const struct wp_http_resp *resp,
		      struct wp_err *err)
{
	char *dir = NULL, *tmp = NULL, *path = NULL, head[128];
	size_t hlen = resp->headers ? strlen(resp->headers) : 0;
	int fd = -1, rc = 0, n, bad;

	if (asprintf(&dir, "%s/http", cache_dir) < 0 || asprintf(&tmp, "%s/.tmp-XXXXXX", dir) < 0 ||
	    !(path = cache_path(cache_dir, key))) {
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
		goto out;
	}
	if ((mkdir(cache_dir, 0700) != 0 && errno != EEXIST) ||
	    (mkdir(dir, 0700) != 0 && errno != EEXIST) || (fd = mkstemp(tmp)) < 0) {
		rc = wp_err_errno(err, WP_ECANTCREAT, "cache", dir);
		goto out;
	}
	n = snprintf(head, sizeof head, CACHE_MAGIC " %lld %ld %zu %zu\n",
		     (long long)wp_http_wall(), resp->status, hlen, resp->len);
	bad = write_all(fd, head, (size_t)n) || write_all(fd, key, strlen(key)) ||
	      write_all(fd, "\n", 1) || write_all(fd, resp->headers ? resp->headers : "", hlen) ||
	      write_all(fd, resp->body ? resp->body : "", resp->len);
	if (close(fd) != 0)
		bad = 1;
	fd = -1;
	if (bad) {
		rc = wp_err_errno(err, WP_ECANTCREAT, "cache write", tmp);
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) != 0) {
		rc = wp_err_errno(err, WP_ECANTCREAT, "cache rename to", path);
		unlink(tmp);
	}
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	free(dir);
	free(tmp);
	free(path);
	return rc;
}
