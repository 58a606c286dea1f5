/* brm-orders: own BRM orders with their state, one order's versions, an
 * order's curve points or blocks, or the audit journal. */
#include <stdlib.h>
#include <string.h>

#include "wp.h"
#include "brm/brm.h"

static const struct wp_opt opts[] = {
	{ "auction", 'a', "AUCTION", "the auction whose orders to list", WP_COMPLETE_NONE },
	{ "portfolio", 'p', "NAME", "only this portfolio's orders", WP_COMPLETE_NONE },
	{ "area", 0, "AREA", "only orders for this area", WP_COMPLETE_NONE },
	{ "history", 0, "ORDER_ID", "every version of one order", WP_COMPLETE_NONE },
	{ "rows", 0, "ORDER_ID", "one order's curve points or block periods, as brm-order reads them", WP_COMPLETE_NONE },
	{ "journal", 'j', NULL, "the audit journal of this machine's writes (with --auction: that auction's)", WP_COMPLETE_NONE },
	BRM_OPTS,
	{ 0 },
};

static const char *const order_cols[] = { "order_id", "kind", "auction_id", "portfolio", "area",
					  "state", "version", "modified_utc", "modifier", "curves",
					  "blocks", "points", "comment", NULL };
static const char *const journal_cols[] = { "time", "environment", "user", "phase", "method",
					    "path", "auction_id", "portfolio", "area", "status",
					    "outcome", "order_id", "ref", "message", NULL };

/* The journal back as records: no network, no credentials needed. */
static int journal(struct wp_cli *cli, struct wp_err *err)
{
	const char *auction = wp_cli_get(cli, "auction");
	struct wp_writer *w;
	struct wp_reader *r;
	char *path;
	FILE *f;
	jv rec;
	int rc;

	if ((rc = brm_journal_path(0, &path, err)))
		return rc;
	if (!(f = fopen(path, "r"))) {
		rc = wp_err_errno(err, WP_ENOINPUT, "no journal", path);
		free(path);
		return rc;
	}
	if ((rc = wp_cli_writer(cli, journal_cols, &w, err)) == 0 &&
	    (rc = wp_reader_open(&r, f, path, WP_FMT_NDJSON, err)) == 0) {
		while ((rc = wp_reader_next(r, &rec, err)) == 0 && jv_is_valid(rec)) {
			const char *a = brm_str(rec, "auction_id");
			if (auction && (!a || strcmp(a, auction)))
				jv_free(rec);
			else if ((rc = wp_writer_put(w, rec, err)))
				break;
		}
		wp_reader_free(r);
	}
	fclose(f);
	free(path);
	return rc;
}

/* One mode at most; --journal is all done here. */
static int check(struct wp_cli *cli, void *arg, struct wp_err *err)
{
	int rc, modes = !!wp_cli_get(cli, "history") + !!wp_cli_get(cli, "rows") +
			wp_cli_has(cli, "journal");

	if (modes > 1)
		return wp_err_set(err, WP_EUSAGE, "--history, --rows and --journal exclude each other");
	if (wp_cli_has(cli, "journal"))
		return (rc = journal(cli, err)) ? rc : WP_DONE;
	if (!modes && !wp_cli_get(cli, "auction"))
		return wp_err_set(err, WP_EUSAGE, "--auction is required (brm-auctions lists them)");
	return 0;
}

static int run(struct wp_cli *cli, struct brm_ctx *c, void *arg, struct wp_err *err)
{
	const char *history = wp_cli_get(cli, "history"), *rows = wp_cli_get(cli, "rows");
	const char *auction = wp_cli_get(cli, "auction");
	struct wp_writer *w;
	enum brm_kind kind;
	jv v;
	int rc;

	if (rows) {
		if ((rc = wp_cli_writer(cli, NULL, &w, err)) ||
		    (rc = brm_order_get(&c->s, rows, &kind, &v, err)))
			return rc;
		return brm_rec_order_rows(v, brm_put_writer, w, err);
	}
	if ((rc = wp_cli_writer(cli, order_cols, &w, err)))
		return rc;
	if (history) {
		if ((rc = brm_order_versions(&c->s, history, &v, err)))
			return rc;
		return brm_rec_orders(v, brm_put_writer, w, err);
	}
	if ((rc = brm_orders(&c->s, auction, wp_cli_get(cli, "portfolio"), wp_cli_get(cli, "area"),
			     &v, err)))
		return rc;
	return brm_rec_orders(v, brm_put_writer, w, err);
}

static const struct brm_prog prog = {
	{ "brm-orders", "own BRM day-ahead orders, their versions, and the audit journal",
	  "[options]", opts, "brm" },
	BRM_READ, check, run,
};

int main(int argc, char **argv)
{
	return brm_main(&prog, argc, argv, NULL);
}
