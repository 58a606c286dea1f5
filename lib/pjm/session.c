/* session.c: a PJM command's options, key, HTTP context and query. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "pjm/pjm.h"

#define PJM_DEFAULT_BASE "https://api.pjm.com/api/v1"
#define PJM_MAX_ROWS 50000

static void note(void *ctx, const char *msg)
{
	wp_cli_note(ctx, "%s", msg);
}

int pjm_now(const char *s, time_t *now, struct wp_err *err)
{
	char buf[WP_TIME_MAX + 12];

	if (!s || !*s) {
		*now = time(NULL);
		return 0;
	}
	/* A bare day means its noon UTC: the same date in New York. */
	snprintf(buf, sizeof buf, strlen(s) == 10 ? "%sT12:00:00Z" : "%s", s);
	if (wp_parse_time(buf, now, err))
		return wp_err_prefix(err, "WATTPIPE_NOW");
	return 0;
}

static int lmp_options(struct pjm_session *s, struct wp_cli *cli, time_t now,
		       struct wp_err *err)
{
	struct pjm_query *q = &s->q;
	const char *from = wp_cli_get(cli, "from"), *to = wp_cli_get(cli, "to");
	const char *market = wp_cli_get(cli, "market");
	int rc;

	q->now = now;
	q->archive_all = wp_cli_has(cli, "archive-all-nodes");
	if ((rc = pjm_feed_find(market ? market : "da", wp_cli_has(cli, "prelim"),
				&q->feed, err)))
		return rc;
	if ((rc = wp_date_parse(from ? from : "today", s->tz, now, &q->from, err)))
		return wp_err_prefix(err, "--from");
	if ((rc = wp_date_parse(to ? to : (from ? from : "today"), s->tz, now, &q->to, err)))
		return wp_err_prefix(err, "--to");
	if (wp_date_cmp(q->from, q->to) > 0) {
		char a[WP_TIME_MAX], b[WP_TIME_MAX];

		wp_fmt_date(q->from, a);
		wp_fmt_date(q->to, b);
		return wp_err_set(err, WP_EUSAGE, "--from %s is after --to %s", a, b);
	}
	if (wp_cli_has(cli, "type") &&
	    (rc = pjm_type_parse(wp_cli_get(cli, "type"), &q->type, err)))
		return rc;
	return 0;
}

static int nodes_options(struct pjm_session *s, struct wp_cli *cli, struct wp_err *err)
{
	struct pjm_nodes_query *q = &s->nq;

	q->name = wp_cli_get(cli, "name");
	q->zone = wp_cli_get(cli, "zone");
	q->all = wp_cli_has(cli, "all");
	if (wp_cli_has(cli, "type"))
		return pjm_type_parse(wp_cli_get(cli, "type"), &q->type, err);
	return 0;
}

/* HTTP limits: PJM allows non-members 6 requests a minute; members, with
 * [pjm] member = true, 600. [pjm] min_interval / rate_max override. */
static int open_http(struct pjm_session *s, struct wp_cli *cli, struct wp_err *err)
{
	struct wp_http_opts o = WP_HTTP_OPTS_INIT;
	const char *member = wp_cli_setting(cli, NULL, NULL, "pjm", "member", "false", err);
	int rc;

	if (err->code)
		return err->code;
	o.rate_name = "pjm";
	o.rate_window_s = 60;
	o.backoff_s = 10;
	o.secrets[0] = s->key;
	if (strcasecmp(member, "true") == 0 || strcasecmp(member, "yes") == 0 ||
	    strcmp(member, "1") == 0) {
		o.rate_max = 600;
		o.rate_min_interval_s = 0;
	} else {
		o.rate_max = 6;
		o.rate_min_interval_s = 10;
	}
	if ((rc = wp_cli_http(cli, &o, &s->http, err)) == 0)
		s->http_open = 1;
	return rc;
}

int pjm_session_open(struct pjm_session *s, struct wp_cli *cli, enum pjm_cmd cmd,
		     time_t now, struct wp_err *err)
{
	struct pjm_client *c = &s->c;
	const char *base, *rows;
	long page_rows;
	char *end;
	int rc, n;

	if ((rc = wp_tz_load(&s->tz, "America/New_York", NULL, err)))
		return rc;
	rc = cmd == PJM_CMD_LMP ? lmp_options(s, cli, now, err) : nodes_options(s, cli, err);
	if (rc)
		return rc;
	rows = wp_cli_setting(cli, NULL, NULL, "pjm", "page_rows", "50000", err);
	if (err->code)
		return err->code;
	page_rows = strtol(rows, &end, 10);
	if (*end || page_rows < 1 || page_rows > PJM_MAX_ROWS)
		return wp_err_set(err, WP_ECONFIG, "[pjm] page_rows '%s' is not 1 to %d",
				  rows, PJM_MAX_ROWS);
	s->q.page_rows = s->nq.page_rows = page_rows;
	base = wp_cli_setting(cli, "base-url", "PJM_BASE_URL", "pjm", "base_url",
			      PJM_DEFAULT_BASE, err);
	if (err->code)
		return err->code;
	if ((rc = wp_cli_secret(cli, "PJM_API_KEY", "pjm", "api_key", &s->key, err)))
		return rc;
	if ((rc = open_http(s, cli, err)))
		return rc;
	/* Paths are appended to the API root: "https://host/api/v1/" works too. */
	if (!(s->base = strdup(base)))
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	for (n = (int)strlen(s->base); n > 0 && s->base[n - 1] == '/'; n--)
		s->base[n - 1] = '\0';
	*c = (struct pjm_client){ .http = &s->http, .base = s->base, .key = s->key,
				  .tz = s->tz, .page_rows = page_rows,
				  .progress = wp_cli_progress(cli), .prog = cli->prog->name,
				  .note = note, .note_ctx = cli };
	if (cmd == PJM_CMD_LMP && (n = wp_cli_count(cli, "node")) > 0) {
		const char **in = calloc(n, sizeof *in);

		if (!in)
			return wp_err_set(err, WP_EINTERNAL, "out of memory");
		for (int i = 0; i < n; i++)
			in[i] = wp_cli_nth(cli, "node", i);
		rc = pjm_nodes_resolve(c, in, n, &s->q.nodes, &s->q.nnodes, err);
		free(in);
	}
	return rc;
}

void pjm_session_close(struct pjm_session *s)
{
	pjm_query_release(&s->q);
	if (s->http_open)
		wp_http_release(&s->http);
	wp_secret_free(s->key);
	wp_tz_free(s->tz);
	free(s->base);
	s->base = NULL;
	s->key = NULL;
	s->tz = NULL;
	s->http_open = 0;
}
