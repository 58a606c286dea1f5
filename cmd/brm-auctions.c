/* brm-auctions: BRM day-ahead auctions, their contracts and portfolios. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wp.h"
#include "brm/brm.h"

static const struct wp_opt opts[] = {
	{ "from", 0, "DAY", "first delivery day, CET (default today)", WP_COMPLETE_NONE },
	{ "to", 0, "DAY", "last delivery day, CET (default +2d: the auction open now)", WP_COMPLETE_NONE },
	{ "state", 's', "STATE", "only auctions in this state", WP_COMPLETE_WORDS("Open Closed ResultsPublished Cancelled") },
	{ "id", 0, "AUCTION", "one auction (with --contracts or --portfolios)", WP_COMPLETE_NONE },
	{ "contracts", 'c', NULL, "the auction's contracts, in delivery order", WP_COMPLETE_NONE },
	{ "portfolios", 'p', NULL, "the auction's portfolios, areas and limits", WP_COMPLETE_NONE },
	BRM_OPTS,
	{ 0 },
};

static const char *const auction_cols[] = {
	"auction_id", "state", "close_for_bidding_utc", "delivery_start_utc", "delivery_end_utc",
	"contracts", "currency", "min_price", "max_price", "name", NULL };
static const char *const contract_cols[] = {
	"auction_id", "area", "contract_id", "interval_start_utc", "interval_end_utc",
	"interval_start_local", "interval_end_local", "resolution_min", NULL };
static const char *const portfolio_cols[] = {
	"auction_id", "portfolio", "portfolio_id", "permission", "area", "area_name", "eic_code",
	"resolution_min", "min_volume_mw", "max_volume_mw", "currency", "min_price", "max_price",
	"company", NULL };

struct filter {
	struct wp_writer *w;
	const char *state;
};

static int put(jv rec, void *arg, struct wp_err *err)
{
	struct filter *f = arg;
	const char *st = brm_str(rec, "state");

	if (f->state && (!st || strcasecmp(st, f->state))) {
		jv_free(rec);
		return 0;
	}
	return wp_writer_put(f->w, rec, err);
}

/* Bidding for delivery day D closes on D-1: the window of --from/--to
 * days runs from the start of D-1 (shift -1) to the start of D (shift 0). */
static int day(struct wp_cli *cli, struct brm_ctx *c, const char *opt, int def, int shift,
	       time_t *out, struct wp_err *err)
{
	struct wp_date d;
	time_t now = time(NULL);
	int rc;

	if (wp_cli_get(cli, opt)) {
		if ((rc = wp_date_parse(wp_cli_get(cli, opt), c->day_tz, now, &d, err)))
			return wp_err_prefix(err, "--%s", opt);
	} else {
		d = wp_date_add(wp_date_at(c->day_tz, now), def);
	}
	*out = wp_day_start(c->day_tz, wp_date_add(d, shift));
	return 0;
}

static int run(struct wp_cli *cli, struct brm_ctx *c, void *arg, struct wp_err *err)
{
	const char *id = wp_cli_get(cli, "id");
	int contracts = wp_cli_has(cli, "contracts"), portfolios = wp_cli_has(cli, "portfolios");
	struct filter f = { NULL, wp_cli_get(cli, "state") };
	time_t from, to;
	jv v;
	int rc;

	if ((contracts || portfolios) && !id)
		return wp_err_set(err, WP_EUSAGE, "--contracts and --portfolios need --id AUCTION");
	if (contracts && portfolios)
		return wp_err_set(err, WP_EUSAGE, "--contracts or --portfolios, not both");
	if (id) {
		if ((rc = wp_cli_writer(cli, contracts ? contract_cols : portfolios ? portfolio_cols
										   : auction_cols,
					&f.w, err)) ||
		    (rc = brm_auction(&c->s, id, &v, err)))
			return rc;
		if (contracts)
			return brm_rec_contracts(v, c->tz, put, &f, err);
		if (portfolios)
			return brm_rec_portfolios(v, put, &f, err);
		return brm_rec_auctions(JV_ARRAY(v), put, &f, err);
	}
	if ((rc = day(cli, c, "from", 0, -1, &from, err)) ||
	    (rc = day(cli, c, "to", 2, 0, &to, err)))
		return rc;
	if (to <= from)
		return wp_err_set(err, WP_EUSAGE, "--to is before --from");
	if ((rc = wp_cli_writer(cli, auction_cols, &f.w, err)) ||
	    (rc = brm_auctions(&c->s, from, to, &v, err)))
		return rc;
	return brm_rec_auctions(v, put, &f, err);
}

static const struct brm_prog prog = {
	{ "brm-auctions", "BRM day-ahead auctions, their contracts and portfolios", "[options]",
	  opts, "brm" },
	BRM_READ, NULL, run,
};

int main(int argc, char **argv)
{
	return brm_main(&prog, argc, argv, NULL);
}
