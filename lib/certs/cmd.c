/* cmd.c: the bridge from the rec-* command lines to the ledger. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "certs/cmd.h"
#include "certs/mrets.h"

int cert_cmd_ledger(struct wp_cli *cli, int readonly, struct cert_ledger **l, struct wp_err *err)
{
	struct cert_ledger_opts o = CERT_LEDGER_OPTS_INIT;
	const char *path, *bt;
	char *dir = NULL, *def = NULL;
	long ms;
	int rc;

	path = wp_cli_setting(cli, "db", "WATTPIPE_REC_DB", "rec", "db", NULL, err);
	if (!path) {
		if ((rc = wp_xdg_dir("data", !readonly, &dir, err)))
			return rc;
		if (asprintf(&def, "%s/rec.db", dir) < 0) {
			free(dir);
			return wp_err_set(err, WP_EINTERNAL, "out of memory");
		}
		path = def;
	}
	bt = wp_cli_setting(cli, "busy-timeout", NULL, "rec", "busy_timeout", "5000", err);
	{
		char *end;

		ms = strtol(bt, &end, 10);
		if (*end || ms < 0 || ms > INT_MAX) {
			free(dir), free(def);
			return wp_err_set(err, WP_EUSAGE, "busy timeout '%s' is not milliseconds", bt);
		}
	}
	o.busy_timeout_ms = (int)ms;
	o.readonly = readonly;
	/* Config before $USER, unlike wp_cli_setting's order: the user set
	 * actor on purpose, and USER is nearly always there. */
	o.actor = wp_cli_setting(cli, NULL, NULL, "rec", "actor", NULL, err);
	if (!o.actor)
		o.actor = wp_cli_setting(cli, NULL, "USER", "rec", "actor", "unknown", err);
	rc = cert_ledger_open(l, path, &o, err);
	if (rc == WP_ENOINPUT)
		rc = wp_err_prefix(err, "rec-import makes the ledger");
	free(dir);
	free(def);
	return rc;
}

static int get_long(struct wp_cli *cli, const char *name, long lo, long hi, long *out,
		    struct wp_err *err)
{
	int rc = wp_cli_long(cli, name, *out, out, err);

	if (!rc && wp_cli_has(cli, name) && (*out < lo || *out > hi))
		rc = wp_err_set(err, WP_EUSAGE, "--%s must be from %ld to %ld", name, lo, hi);
	return rc;
}

static int check_month(const char *s, const char *name, struct wp_err *err)
{
	int y, m, n = 0;

	if (s && (sscanf(s, "%4d-%2d%n", &y, &m, &n) != 2 || s[n] || strlen(s) != 7 || m < 1 ||
		  m > 12))
		return wp_err_set(err, WP_EUSAGE, "--%s '%s' is not YYYY-MM", name, s);
	return 0;
}

int cert_cmd_select(struct wp_cli *cli, struct cert_select *sel, struct wp_err *err)
{
	long year = 0, bank = 0, q = 0;
	int rc;

	sel->registry = wp_cli_get(cli, "registry");
	sel->account = wp_cli_get(cli, "account");
	sel->state = wp_cli_get(cli, "state");
	sel->fuel = wp_cli_get(cli, "fuel");
	sel->generator = wp_cli_get(cli, "generator");
	sel->vintage_from = wp_cli_get(cli, "vintage-from");
	sel->vintage_to = wp_cli_get(cli, "vintage-to");
	sel->serial = wp_cli_get(cli, "serial");
	if (sel->state && strlen(sel->state) != 2)
		return wp_err_set(err, WP_EUSAGE, "--state '%s' is not a two-letter code", sel->state);
	if ((rc = check_month(sel->vintage_from, "vintage-from", err)) ||
	    (rc = check_month(sel->vintage_to, "vintage-to", err)) ||
	    (rc = get_long(cli, "year", 1900, 9999, &year, err)) ||
	    (rc = get_long(cli, "banking-years", 0, 100, &bank, err)) ||
	    (rc = get_long(cli, "quantity", 1, 1000000000000L, &q, err)))
		return rc;
	sel->year = (int)year;
	sel->banking_years = (int)bank;
	sel->quantity = q;
	return 0;
}

int cert_cmd_move_select(struct wp_cli *cli, struct cert_select *sel, struct wp_err *err)
{
	int rc = cert_cmd_select(cli, sel, err);

	if (!rc && !sel->serial == !sel->quantity)
		rc = wp_err_set(err, WP_EUSAGE, "give either --serial or --quantity");
	return rc;
}

/* --mrets on a move: only M-RETS certificates are selected, and unless
 * dry_run the client is opened and *remote set to file the move there.
 * Close m with cert_mrets_close whatever this returns. */
static int move_mrets(struct wp_cli *cli, struct cert_select *sel, int dry_run,
		      struct cert_mrets *m, const struct cert_remote **remote, struct wp_err *err)
{
	int rc;

	*remote = NULL;
	if (sel->registry && strcasecmp(sel->registry, "M-RETS") != 0)
		return wp_err_set(err, WP_EUSAGE, "--mrets moves M-RETS certificates only");
	sel->registry = "M-RETS";
	/* The registry first, the ledger after it: a failure at M-RETS leaves
	 * the ledger as it was. A dry run sends nothing. */
	if (dry_run)
		return 0;
	if ((rc = cert_mrets_open(m, cli, err)))
		return rc;
	m->remote.fn = cert_mrets_file;
	m->remote.ctx = m;
	*remote = &m->remote;
	return 0;
}

int cert_cmd_move(struct wp_cli *cli, struct cert_select *sel, const struct cert_retirement *r,
		  const char *to, int dry_run, const char *const *cols, struct wp_err *err)
{
	struct cert_ledger *l = NULL;
	struct cert_mrets m = CERT_MRETS_INIT;
	const struct cert_remote *rp = NULL;
	struct wp_writer *w;
	int rc;

	if (wp_cli_has(cli, "mrets") && (rc = move_mrets(cli, sel, dry_run, &m, &rp, err)))
		goto out;
	m.retirement = r;
	m.to_account = to;
	if (!(rc = wp_cli_writer(cli, cols, &w, err)) && !(rc = cert_cmd_ledger(cli, 0, &l, err)))
		rc = r ? cert_retire(l, sel, r, rp, dry_run, cert_cmd_emit, w, err)
		       : cert_transfer(l, sel, to, rp, dry_run, cert_cmd_emit, w, err);
out:
	cert_ledger_close(l);
	cert_mrets_close(&m);
	return rc;
}

int cert_cmd_emit(void *w, jv rec, struct wp_err *err)
{
	return wp_writer_put(w, rec, err);
}

int cert_cmd_datafile(struct wp_cli *cli, const char *opt, const char *key, const char *name,
		      char **out, struct wp_err *err)
{
	const char *v = wp_cli_setting(cli, opt, NULL, "rec", key, NULL, err);
	char exe[PATH_MAX], *slash;
	ssize_t n;
	int up;

	if (v) {
		*out = strdup(v);
		return *out ? 0 : wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	/* PREFIX/bin/rec-report -> PREFIX/share/wattpipe/NAME. In the source
	 * tree bin/ sits beside share/ the same way; build/san/bin (make
	 * sanitize) is two levels further down, hence the walk up. */
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return wp_err_set(err, WP_ECONFIG, "cannot find the program's directory; give --%s",
				  opt);
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')))
		*slash = '\0'; /* the program's directory */
	for (up = 0; up < 3 && (slash = strrchr(exe, '/')); up++) {
		*slash = '\0'; /* one level up */
		if (asprintf(out, "%s/share/wattpipe/%s", exe, name) < 0)
			return wp_err_set(err, WP_EINTERNAL, "out of memory");
		if (access(*out, R_OK) == 0)
			return 0;
		free(*out);
		*out = NULL;
	}
	return wp_err_set(err, WP_ENOINPUT,
			  "no %s in share/wattpipe near the program: give --%s or [rec] %s", name,
			  opt, key);
}
