/* iris-listen: store Elexon IRIS messages durably, one JSON file each. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wp.h"
#include "iris/iris.h"
#include "iris/settings.h"

static const struct wp_opt opts[] = {
	{ "dir", 'd', "DIR", "spool directory (default $XDG_DATA_HOME/wattpipe/iris)", WP_COMPLETE_DIR },
	{ "once", 0, NULL, "store what is queued, then exit (for cron)", WP_COMPLETE_NONE },
	{ "stdout", 0, NULL, "also write each stored record as NDJSON", WP_COMPLETE_NONE },
	{ "settings", 0, "FILE", "Elexon's client settings JSON (ClientId, Secret, QueueName, ...)", WP_COMPLETE_FILE },
	{ "client-id", 0, "ID", "app registration (client) id issued with the queue", WP_COMPLETE_NONE },
	{ "queue", 0, "NAME", "IRIS queue name", WP_COMPLETE_NONE },
	{ "namespace", 0, "NAME", "Service Bus namespace (default elexon-insights-iris)", WP_COMPLETE_NONE },
	{ "tenant", 0, "ID", "Entra ID tenant id", WP_COMPLETE_NONE },
	{ "amqp-url", 0, "URL", "broker (default amqps://NAMESPACE.servicebus.windows.net:5671)", WP_COMPLETE_NONE },
	{ "token-url", 0, "URL", "token endpoint (default from the tenant)", WP_COMPLETE_NONE },
	{ "credit", 0, "N", "messages in flight (default 5)", WP_COMPLETE_NONE },
	{ "idle", 0, "SECONDS", "--once: quiet time that means drained (default 2)", WP_COMPLETE_NONE },
	{ "retries", 0, "N", "--once: connection attempts before exit 75 (default 3)", WP_COMPLETE_NONE },
	{ "backoff", 0, "SECONDS", "first reconnect delay, doubling to 60 (default 1)", WP_COMPLETE_NONE },
	{ "secret-file", 0, "FILE", "read the client secret from FILE (mode 0600)", WP_COMPLETE_FILE },
	{ "cacert", 0, "FILE", "extra CA certificate bundle", WP_COMPLETE_FILE },
	{ "timeout", 0, "SECONDS", "token request timeout (default 30)", WP_COMPLETE_NONE },
	WP_COMMON_OPTS,
	{ 0 }
};

static const struct wp_prog prog = {
	"iris-listen", "Store Elexon IRIS messages durably, one JSON file each",
	"[options]", opts, "iris",
};

struct ctx {
	struct wp_cli *cli;
	struct wp_http http;
	struct wp_writer *w;
	const char *token_url, *client_id;
	char *secret;
};

static int get_token(void *p, char **tok, double *expires_in, struct wp_err *err)
{
	struct ctx *c = p;

	return iris_token_fetch(&c->http, c->token_url, c->client_id, c->secret, tok,
				expires_in, err);
}

static int emit(void *p, const char *dataset, const char *message_id, jv records,
		struct wp_err *err)
{
	struct ctx *c = p;
	int rc = iris_write_records(c->w, dataset, message_id, records, err);

	/* The line is out before the message is accepted. */
	if (!rc && fflush(c->cli->out) != 0)
		rc = wp_err_set(err, WP_ECANTCREAT, "stdout: write error");
	return rc;
}

static void on_note(void *p, const char *msg)
{
	wp_cli_warn(((struct ctx *)p)->cli, "%s", msg);
}

/* Signals are taken by this thread (blocked everywhere else), so the
 * listener is stopped from ordinary code. A second signal ends at once:
 * nothing is accepted before it is on disk, so that loses nothing. */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static struct iris_listener *live;

static void *signals(void *p)
{
	sigset_t set;
	int sig, n = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	while (sigwait(&set, &sig) == 0) {
		if (n++)
			_exit(128 + sig);
		pthread_mutex_lock(&live_lock);
		if (live)
			iris_listener_stop(live);
		pthread_mutex_unlock(&live_lock);
	}
	return NULL;
}

/* --secret-file > the --settings file's Secret > environment > config. */
static int get_secret(struct wp_cli *cli, const struct iris_settings *s, char **out,
		      struct wp_err *err)
{
	if (s->file_secret && !wp_cli_get(cli, "secret-file"))
		return (*out = strdup(s->file_secret)) ? 0 : wp_err_set(err, WP_EINTERNAL, "out of memory");
	return wp_cli_secret(cli, "IRIS_CLIENT_SECRET", "iris", "secret", out, err);
}

static int run(struct wp_cli *cli, struct wp_err *err)
{
	struct iris_settings s = IRIS_SETTINGS_INIT;
	struct wp_http_opts hopts = WP_HTTP_OPTS_INIT;
	struct iris_listen_opts lo = IRIS_LISTEN_OPTS_INIT;
	struct iris_listen_stats st = { 0 };
	struct iris_store store = IRIS_STORE_INIT;
	struct iris_listener *l = NULL;
	struct ctx c = { .cli = cli };
	struct wp_writer_opts wo = { .format = WP_FMT_NDJSON };
	pthread_t tid;
	sigset_t set;
	int rc;

	hopts.timeout_s = 30;
	if ((rc = iris_listen_settings(cli, &s, err)) ||
	    (rc = get_secret(cli, &s, &c.secret, err)) ||
	    (rc = wp_cli_http(cli, &hopts, &c.http, err)) ||
	    (rc = wp_http_add_secret(&c.http, c.secret, err)))
		goto out;
	c.token_url = s.token_url;
	c.client_id = s.client_id;
	if (wp_cli_has(cli, "stdout") && (rc = wp_writer_open(&c.w, cli->out, &wo, err)))
		goto out;
	if ((rc = iris_store_open(&store, s.dir, 1, err)))
		goto out;
	lo.url = s.amqp_url;
	lo.hostname = s.fqdn;
	lo.audience = s.audience;
	lo.queue = s.queue;
	lo.cacert = wp_cli_get(cli, "cacert");
	lo.credit = s.credit;
	lo.once = wp_cli_has(cli, "once");
	lo.idle_s = s.idle_s;
	lo.retries = (int)s.retries;
	lo.backoff_s = s.backoff_s;
	lo.store = &store;
	lo.token = get_token;
	lo.emit = c.w ? emit : NULL;
	lo.note = on_note;
	lo.ctx = &c;
	lo.trace = cli->verbose ? cli->errs : NULL;
	if ((rc = iris_listener_new(&l, &lo, err)))
		goto out;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	live = l;
	if (pthread_create(&tid, NULL, signals, NULL) == 0)
		pthread_detach(tid);
	rc = iris_listener_run(l, &st, err);
	pthread_mutex_lock(&live_lock);
	live = NULL;
	pthread_mutex_unlock(&live_lock);
	wp_cli_note(cli, "%ld received, %ld written, %ld already stored, %ld rejected, "
		    "%ld released; accept latency p50 %.2f ms, p99 %.2f ms",
		    st.received, st.written, st.same, st.rejected, st.released,
		    iris_listen_stats_pct(&st, 50), iris_listen_stats_pct(&st, 99));
out:
	if (c.w) {
		struct wp_err werr = WP_ERR_INIT;
		int wrc = wp_writer_close(c.w, &werr);

		if (wrc && !rc)
			rc = wrc, *err = werr;
	}
	iris_listener_free(l);
	iris_listen_stats_release(&st);
	iris_store_release(&store);
	wp_http_release(&c.http);
	wp_secret_free(c.secret);
	iris_settings_release(&s);
	return rc;
}

int main(int argc, char **argv)
{
	struct wp_cli cli = WP_CLI_INIT;
	struct wp_err err = WP_ERR_INIT;
	int rc;

	if ((rc = wp_cli_init(&cli, &prog, argc, argv, &err)) == 0)
		rc = run(&cli, &err);
	return wp_cli_finish(&cli, rc, &err);
}
