/* http: retries, Retry-After, timeouts, cache, trace redaction and the
 * shared rate limiter, against tests/fakes/http-scripted on 127.0.0.1. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "wp.h"

static char tmp[] = "/tmp/wp-http-test.XXXXXX";
static char base[64], logpath[600], cachedir[600];
static pid_t fake;

static const char script[] =
	"{\"/ok\": [{\"body\": \"hello\", \"headers\": {\"X-Thing\": \" a b \"}}],\n"
	" \"/flaky\": [{\"status\": 503}, {\"status\": 502}, {\"body\": \"finally\"}],\n"
	" \"/busy\": [{\"status\": 429, \"headers\": {\"Retry-After\": \"1\"}}, {\"body\": \"ok\"}],\n"
	" \"/busydate\": [{\"status\": 503, \"headers\": {\"Retry-After\": \"@+2\"}}, {\"body\": \"ok\"}],\n"
	" \"/toolong\": [{\"status\": 429, \"headers\": {\"Retry-After\": \"3600\"}}],\n"
	" \"/post503\": [{\"status\": 503}, {\"body\": \"second\"}],\n"
	" \"/auth\": [{\"status\": 401, \"body\": \"{\\\"message\\\": \\\"Access denied\\\"}\"}],\n"
	" \"/down\": [{\"status\": 503}],\n"
	" \"/slow\": [{\"delay\": 3, \"body\": \"late\"}],\n"
	" \"/cached\": [{\"body\": \"v1\"}, {\"body\": \"v2\"}, {\"body\": \"v3\"}],\n"
	" \"/secret\": [{\"body\": \"ok\"}],\n"
	" \"/rate\": [{\"body\": \"r\"}]}\n";

static void bail(const char *why)
{
	printf("Bail out! %s\n", why);
	if (fake > 0)
		kill(fake, SIGTERM);
	exit(1);
}

static void start_fake(void)
{
	char spath[600], ppath[600], epath[600];
	FILE *f;

	snprintf(spath, sizeof spath, "%s/script.json", tmp);
	snprintf(ppath, sizeof ppath, "%s/port", tmp);
	snprintf(epath, sizeof epath, "%s/fake.stderr", tmp);
	snprintf(logpath, sizeof logpath, "%s/fake.log", tmp);
	if (!(f = fopen(spath, "w")) || fputs(script, f) < 0 || fclose(f) != 0)
		bail("cannot write the script");
	fflush(stdout);
	if ((fake = fork()) < 0)
		bail("fork");
	if (fake == 0) {
		if (!freopen(epath, "w", stderr))
			_exit(127);
		execl("/usr/bin/python3", "python3", "tests/fakes/http-scripted", "--port-file",
		      ppath, "--log", logpath, "--script", spath, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		int port = 0;

		if ((f = fopen(ppath, "r"))) {
			if (fscanf(f, "%d", &port) != 1)
				port = 0;
			fclose(f);
		}
		if (port > 0) {
			snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
			return;
		}
		usleep(25000);
	}
	bail("tests/fakes/http-scripted did not start (run from the top directory)");
}

/* Requests the fake logged for path. */
static int hits(const char *path)
{
	char want[128], line[8192];
	FILE *f = fopen(logpath, "r");
	int n = 0;

	snprintf(want, sizeof want, "\"path\": \"%s\",", path);
	while (f && fgets(line, sizeof line, f))
		n += strstr(line, want) != NULL;
	if (f)
		fclose(f);
	return n;
}

static int log_has(const char *s)
{
	char line[8192];
	FILE *f = fopen(logpath, "r");
	int found = 0;

	while (f && !found && fgets(line, sizeof line, f))
		found = strstr(line, s) != NULL;
	if (f)
		fclose(f);
	return found;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct wp_http_opts test_opts(void)
{
	struct wp_http_opts o = WP_HTTP_OPTS_INIT;

	o.connect_timeout_s = 2;
	o.timeout_s = 5;
	o.backoff_s = 0.01;
	o.backoff_max_s = 5;
	return o;
}

/* One request on a fresh context; resp must be released by the caller. */
static int get(const struct wp_http_opts *o, const char *method, const char *path, int idem,
	       long ttl, struct wp_http_resp *resp, struct wp_err *err)
{
	struct wp_http h;
	char url[256];
	struct wp_http_req req = { method, url, NULL, NULL, 0, idem, ttl };
	int rc;

	snprintf(url, sizeof url, "%s%s", base, path);
	if (wp_http_init(&h, o, err) != 0)
		bail(err->msg);
	rc = wp_http_do(&h, &req, resp, err);
	wp_http_release(&h);
	return rc;
}

static void basics(void)
{
	struct wp_http_opts o = test_opts();
	struct wp_http_resp r;
	struct wp_err err = WP_ERR_INIT;
	char *v;

	is_int(get(&o, NULL, "/ok", 1, 0, &r, &err), 0, "GET /ok");
	is_int(r.status, 200, "  status 200");
	is_str(r.body, "hello", "  body");
	is_int(r.len, 5, "  length");
	is_int(r.attempts, 1, "  one attempt");
	ok(!r.from_cache, "  not from the cache");
	v = wp_http_header(&r, "x-thing");
	is_str(v, "a b", "  header by case-insensitive name, trimmed");
	free(v);
	ok(wp_http_header(&r, "X-Absent") == NULL, "  absent header is NULL");
	is_int(wp_http_status_err(NULL, &r, "GET /ok", &err), 0, "  200 is not an error");
	wp_http_resp_release(&r);
	ok(log_has("\"User-Agent\": \"wattpipe/"), "User-Agent sent");

	is_int(get(&o, NULL, "/missing", 1, 0, &r, &err), 0, "404 is an answer, not a failure");
	is_int(r.status, 404, "  status 404");
	is_int(wp_http_status_err(NULL, &r, "pjm nodes", &err), WP_EUNAVAIL, "  maps to 69");
	is_str(err.msg, "pjm nodes: HTTP 404 Not Found: no such path", "  message");
	wp_http_resp_release(&r);
}

static void retries(void)
{
	struct wp_http_opts o = test_opts();
	struct wp_http_resp r;
	struct wp_err err = WP_ERR_INIT;
	char want[300];
	double t0;

	is_int(get(&o, NULL, "/flaky", 1, 0, &r, &err), 0, "503, 502, 200: success");
	is_int(r.attempts, 3, "  after 3 attempts");
	is_str(r.body, "finally", "  the last answer's body");
	is_int(hits("/flaky"), 3, "  the fake saw 3 requests");
	wp_http_resp_release(&r);

	t0 = now();
	is_int(get(&o, NULL, "/busy", 1, 0, &r, &err), 0, "429 with Retry-After: 1, then 200");
	ok(now() - t0 >= 0.95, "  waited the second asked for");
	is_int(r.attempts, 2, "  2 attempts");
	wp_http_resp_release(&r);

	t0 = now();
	is_int(get(&o, NULL, "/busydate", 1, 0, &r, &err), 0,
	       "503 with Retry-After as an HTTP date, then 200");
	ok(now() - t0 >= 0.5, "  waited until about that date");
	wp_http_resp_release(&r);

	is_int(get(&o, NULL, "/toolong", 1, 0, &r, &err), WP_ETEMP,
	       "Retry-After beyond backoff_max: give up at once");
	ok(strstr(err.msg, "asks to wait 3600 s") != NULL, "  saying how long the server wants");
	is_int(hits("/toolong"), 1, "  one request");
	wp_http_resp_release(&r);

	is_int(get(&o, "POST", "/post503", 0, 0, &r, &err), 0, "POST answered 503: returned");
	is_int(r.status, 503, "  status 503 for the caller to judge");
	is_int(r.attempts, 1, "  sent once");
	is_int(hits("/post503"), 1, "  the fake saw one POST");
	wp_http_resp_release(&r);

	is_int(get(&o, NULL, "/auth", 1, 0, &r, &err), 0, "401 returned as an answer");
	is_int(r.status, 401, "  status 401");
	is_int(r.attempts, 1, "  not retried");
	is_int(wp_http_status_err(NULL, &r, "pjm", &err), WP_EPERM, "  maps to 77");
	is_str(err.msg, "pjm: HTTP 401 Unauthorized: {\"message\": \"Access denied\"}",
	       "  message with the start of the body");
	wp_http_resp_release(&r);

	is_int(get(&o, NULL, "/down", 1, 0, &r, &err), WP_ETEMP, "503 every time: 75");
	snprintf(want, sizeof want, "GET %s/down: HTTP 503 after 4 attempts", base);
	is_str(err.msg, want, "  message with method, URL, status and attempts");
	is_int(r.attempts, 4, "  1 + 3 retries");
	is_int(r.status, 503, "  the last answer is kept");
	wp_http_resp_release(&r);

	o.timeout_s = 1;
	o.retries = 1;
	t0 = now();
	is_int(get(&o, NULL, "/slow", 1, 0, &r, &err), WP_ETEMP, "timeout: 75");
	ok(strstr(err.msg, "timed out") && strstr(err.msg, "after 2 attempts"),
	   "  message says timed out after 2 attempts");
	ok(now() - t0 >= 1.9, "  each attempt ran to its timeout");
	is_int(hits("/slow"), 2, "  timeouts are retried");
	wp_http_resp_release(&r);
}

static void refused(void)
{
	struct wp_http_opts o = test_opts();
	struct wp_http_resp r;
	struct wp_err err = WP_ERR_INIT;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof sa;
	char save[64], want[200];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	/* A port that was free a moment ago: nobody listens there now. */
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
		bail("socket");
	close(fd);
	memcpy(save, base, sizeof save);
	snprintf(base, sizeof base, "http://127.0.0.1:%d", ntohs(sa.sin_port));
	o.retries = 2;
	is_int(get(&o, NULL, "/x", 1, 0, &r, &err), WP_ETEMP, "connection refused: 75");
	is_int(r.attempts, 3, "  retried");
	snprintf(want, sizeof want, "GET %s/x: ", base);
	ok(strncmp(err.msg, want, strlen(want)) == 0 && strstr(err.msg, "after 3 attempts"),
	   "  message names the URL and the attempts");
	wp_http_resp_release(&r);
	is_int(get(&o, "POST", "/x", 0, 0, &r, &err), WP_ETEMP, "POST refused: 75");
	is_int(r.attempts, 1, "  not retried");
	ok(strstr(err.msg, "nothing was sent") != NULL, "  says nothing was sent");
	wp_http_resp_release(&r);
	/* Error messages never carry a secret, even when the URL does. */
	o.secrets[0] = "sekret-123";
	o.retries = 0;
	get(&o, NULL, "/sekret-123/x?k=sekret-123", 1, 0, &r, &err);
	snprintf(want, sizeof want, "GET %s/***/x: ", base);
	ok(strncmp(err.msg, want, strlen(want)) == 0 && !strstr(err.msg, "sekret"),
	   "error message: secret redacted, query left out");
	wp_http_resp_release(&r);
	memcpy(base, save, sizeof base);

	is_int(get(&o, NULL, "/%zz", 1, 0, &r, &err), 0, "a bad escape is the server's business");
	wp_http_resp_release(&r);
	snprintf(save, sizeof save, "%s", base);
	snprintf(base, sizeof base, "ftp://127.0.0.1:1");
	is_int(get(&o, NULL, "/x", 1, 0, &r, &err), WP_EUSAGE, "ftp:// refused: 64");
	wp_http_resp_release(&r);
	snprintf(base, sizeof base, "%s", save);
}

static void cache(void)
{
	struct wp_http_opts o = test_opts();
	struct wp_http_resp r;
	struct wp_err err = WP_ERR_INIT;
	char path[700];
	struct stat st;

	o.cache_dir = cachedir;
	get(&o, NULL, "/cached", 1, 60, &r, &err);
	is_str(r.body, "v1", "first GET fetched");
	ok(!r.from_cache, "  from the network");
	wp_http_resp_release(&r);
	get(&o, NULL, "/cached", 1, 60, &r, &err);
	is_str(r.body, "v1", "second GET within the TTL");
	ok(r.from_cache && r.attempts == 0, "  from the cache");
	is_int(r.status, 200, "  status kept");
	is_int(hits("/cached"), 1, "  the fake saw one request");
	wp_http_resp_release(&r);

	o.no_cache = 1;
	get(&o, NULL, "/cached", 1, 60, &r, &err);
	is_str(r.body, "v2", "--no-cache goes to the network");
	is_int(hits("/cached"), 2, "  the fake saw a second request");
	wp_http_resp_release(&r);
	o.no_cache = 0;
	get(&o, NULL, "/cached", 1, 60, &r, &err);
	is_str(r.body, "v1", "--no-cache neither read nor wrote the cache");
	wp_http_resp_release(&r);

	get(&o, NULL, "/cached?other=1", 1, 60, &r, &err);
	is_str(r.body, "v3", "another URL is another entry");
	wp_http_resp_release(&r);
	get(&o, NULL, "/cached", 1, 0, &r, &err);
	ok(!r.from_cache, "TTL 0: not cached");
	wp_http_resp_release(&r);

	usleep(1100000);
	get(&o, NULL, "/cached", 1, 1, &r, &err);
	ok(!r.from_cache, "an entry older than its TTL is a miss");
	wp_http_resp_release(&r);

	snprintf(path, sizeof path, "%s/http", cachedir);
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0700, "cache dir is 0700");
	char cmd[1600], line[300] = "";
	snprintf(cmd, sizeof cmd, "find '%s' -type f ! -perm 0600 | wc -l; find '%s' -type f | wc -l",
		 path, path);
	FILE *p = popen(cmd, "r");
	int bad = -1, files = -1;
	if (p && fgets(line, sizeof line, p))
		bad = atoi(line);
	if (p && fgets(line, sizeof line, p))
		files = atoi(line);
	if (p)
		pclose(p);
	is_int(files, 2, "two cache files");
	is_int(bad, 0, "cache files are 0600");

	/* A POST is never cached. */
	get(&o, "POST", "/ok", 0, 60, &r, &err);
	wp_http_resp_release(&r);
	get(&o, "POST", "/ok", 0, 60, &r, &err);
	ok(!r.from_cache, "POST is not cached");
	wp_http_resp_release(&r);
}

static void trace_and_redaction(void)
{
	struct wp_http_opts o = test_opts();
	struct wp_http h;
	struct wp_http_resp r;
	struct wp_err err = WP_ERR_INIT;
	char url[256], *text = NULL, *s;
	size_t len = 0;
	const char *hdrs[] = { "Ocp-Apim-Subscription-Key: sekret-123",
			       "Authorization: Bearer tok-987", "X-Note: holds sekret-123 inside",
			       "Accept: application/json", NULL };
	struct wp_http_req req = { "POST", url, hdrs, "{\"a\":1}", 7, 1, 0 };

	o.trace = open_memstream(&text, &len);
	o.secrets[0] = "sekret-123";
	snprintf(url, sizeof url, "%s/secret?key=sekret-123&pw=p%%40ss%%20word", base);
	wp_http_init(&h, &o, &err);
	is_int(wp_http_add_secret(&h, "p@ss word", &err), 0, "a secret added after init");
	is_int(wp_http_do(&h, &req, &r, &err), 0, "POST with secrets in headers and URL");
	wp_http_resp_release(&r);
	fclose(o.trace);
	ok(text && strstr(text, "> POST ") && strstr(text, "/secret?key=***&pw=***"),
	   "trace: request line, secrets in the URL (plain and encoded) redacted");
	ok(text && strstr(text, "> Ocp-Apim-Subscription-Key: ***\n"), "trace: API key header ***");
	ok(text && strstr(text, "> Authorization: ***\n"), "trace: Authorization ***");
	ok(text && strstr(text, "> X-Note: holds *** inside\n"), "trace: secret inside a value");
	ok(text && strstr(text, "> Accept: application/json\n"), "trace: other headers shown");
	ok(text && strstr(text, "> (7 bytes of body)\n"), "trace: body size, not content");
	ok(text && strstr(text, "< HTTP 200 (2 bytes, "), "trace: status, size and time");
	ok(text && !strstr(text, "sekret") && !strstr(text, "tok-987") && !strstr(text, "p%40ss"),
	   "trace: no secret anywhere");
	ok(log_has("\"Ocp-Apim-Subscription-Key\": \"sekret-123\""),
	   "the real key was sent");
	free(text);

	s = wp_http_redact(&h, "a sekret-123 b p%40ss%20word c");
	is_str(s, "a *** b *** c", "wp_http_redact");
	free(s);
	static const char *many[WP_HTTP_MAX_SECRETS] = { "s1", "s2", "s3", "s4", "s5", "s6" };
	for (int i = 2; i < WP_HTTP_MAX_SECRETS; i++)
		wp_http_add_secret(&h, many[i - 2], &err);
	is_int(wp_http_add_secret(&h, "one too many", &err), WP_EINTERNAL,
	       "more secrets than WP_HTTP_MAX_SECRETS refused");
	wp_http_release(&h);

}

static void rate_limit(void)
{
	struct wp_http_opts o = test_opts();
	pid_t kids[2];
	int status, good = 0;
	double t0 = now();
	char path[700];
	struct stat st;

	o.cache_dir = cachedir;
	o.rate_name = "test";
	o.rate_max = 2;
	o.rate_window_s = 1.0;
	fflush(stdout);
	for (int i = 0; i < 2; i++) {
		if ((kids[i] = fork()) == 0) {
			struct wp_http_resp r;
			struct wp_err err = WP_ERR_INIT;
			int bad = 0;

			for (int k = 0; k < 2; k++) {
				bad |= get(&o, NULL, "/rate", 1, 0, &r, &err) != 0 || r.status != 200;
				wp_http_resp_release(&r);
			}
			_exit(bad);
		}
	}
	for (int i = 0; i < 2; i++)
		good += waitpid(kids[i], &status, 0) == kids[i] && WIFEXITED(status) &&
			WEXITSTATUS(status) == 0;
	is_int(good, 2, "two processes, two requests each");
	is_int(hits("/rate"), 4, "  the fake saw 4 requests");
	ok(now() - t0 >= 0.95, "  2 per second between them: at least a second for 4");
	snprintf(path, sizeof path, "%s/rate-test", cachedir);
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "  lock file is 0600");
}

static void text_helpers(void)
{
	static const struct {
		long status;
		int code;
	} map[] = { { 204, 0 },           { 301, WP_EPROTO },   { 400, WP_EPROTO },
		    { 401, WP_EPERM },    { 403, WP_EPERM },    { 404, WP_EUNAVAIL },
		    { 422, WP_EPROTO },   { 429, WP_ETEMP },    { 500, WP_ETEMP },
		    { 503, WP_ETEMP } };
	struct wp_err err = WP_ERR_INIT;
	char *s, what[32];

	for (size_t i = 0; i < sizeof map / sizeof *map; i++) {
		struct wp_http_resp r = { map[i].status, NULL, 0, NULL, 0, 1 };
		snprintf(what, sizeof what, "HTTP %ld -> %d", map[i].status, map[i].code);
		is_int(wp_http_status_err(NULL, &r, "x", &err), map[i].code, what);
	}
	s = wp_url_escape("a b&c=d/é~_.-");
	is_str(s, "a%20b%26c%3Dd%2F%C3%A9~_.-", "wp_url_escape");
	free(s);
	{
		/* A server that echoes the request must not leak the key. */
		struct wp_http_opts so = WP_HTTP_OPTS_INIT;
		struct wp_http sh;
		char body[] = "{\"error\": \"key sk-echo-0123456789 is not valid\"}";
		struct wp_http_resp er = { 400, body, sizeof body - 1, NULL, 0, 1 };

		so.secrets[0] = "sk-echo-0123456789";
		is_int(wp_http_init(&sh, &so, &err), 0, "a client with a secret");
		is_int(wp_http_status_err(&sh, &er, "pjm", &err), WP_EPROTO, "400 maps to 76");
		is_str(err.msg, "pjm: HTTP 400 Bad Request: {\"error\": \"key *** is not valid\"}",
		       "  the echoed key is redacted in the message");
		wp_http_release(&sh);
	}
}

static void progress(void)
{
	struct wp_progress p;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	wp_progress_start(&p, f, "pjm-lmp", "rows");
	wp_progress_update(&p, 100, 400, 1, 4);
	wp_progress_update(&p, 200, 400, 2, 4); /* too soon: skipped */
	wp_progress_update(&p, 400, 400, 4, 4); /* the end always shows */
	wp_progress_end(&p);
	fclose(f);
	is_str(text,
	       "\rpjm-lmp: 100/400 rows, page 1/4\033[K"
	       "\rpjm-lmp: 400/400 rows, page 4/4\033[K"
	       "\r\033[K",
	       "progress: throttled, final count shown, line cleared");
	free(text);
	wp_progress_start(&p, NULL, "x", "rows");
	wp_progress_update(&p, 1, 2, 1, 1);
	wp_progress_end(&p);
	ok(1, "progress without a stream writes nothing and does not crash");
}

int main(void)
{
	char cmd[700];

	if (!mkdtemp(tmp))
		bail("mkdtemp");
	snprintf(cachedir, sizeof cachedir, "%s/cache", tmp);
	start_fake();
	text_helpers();
	progress();
	basics();
	retries();
	refused();
	cache();
	trace_and_redaction();
	rate_limit();
	kill(fake, SIGTERM);
	waitpid(fake, NULL, 0);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmp);
	return done_testing();
}
