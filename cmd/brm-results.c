/* brm-results: prices and own trades of a BRM auction as records. */
#include <stdlib.h>

#include "wp.h"
#include "brm/brm.h"

static const struct wp_opt opts[] = {
	{ "auction", 'a', "AUCTION", "the auction (brm-auctions --state ResultsPublished)", WP_COMPLETE_NONE },
	{ "trades", 't', NULL, "own trades instead of area prices", WP_COMPLETE_NONE },
	{ "portfolio", 'p', "NAME", "only this portfolio's trades", WP_COMPLETE_NONE },
	{ "area", 0, "AREA", "only this area's trades", WP_COMPLETE_NONE },
	BRM_OPTS,
	{ 0 },
};

/* The shared price schema (prices-schema.md), then BRM's own fields. */
static const char *const price_cols[] = {
	"interval_start_utc", "interval_end_utc", "interval_start_local", "iso", "market", "run",
	"location", "location_id", "location_type", "price_kind", "lmp", "energy", "congestion",
	"loss", "ghg", "currency", "unit", "brm_auction_id", "brm_contract_id",
	"brm_resolution_min", "brm_status", NULL };
static const char *const trade_cols[] = {
	"auction_id", "order_id", "portfolio", "area", "order_type", "block", "contract_id",
	"interval_start_utc", "interval_end_utc", "interval_start_local", "resolution_min", "side",
	"volume_mw", "net_mw", "price", "currency", "status", "trade_id", NULL };

static int check(struct wp_cli *cli, void *arg, struct wp_err *err)
{
	if (!wp_cli_get(cli, "auction"))
		return wp_err_set(err, WP_EUSAGE, "--auction is required (brm-auctions lists them)");
	return 0;
}

static int run(struct wp_cli *cli, struct brm_ctx *c, void *arg, struct wp_err *err)
{
	const char *auction = wp_cli_get(cli, "auction");
	int trades = wp_cli_has(cli, "trades");
	struct wp_writer *w;
	jv v;
	int rc;

	if ((rc = wp_cli_writer(cli, trades ? trade_cols : price_cols, &w, err)))
		return rc;
	if (trades) {
		if ((rc = brm_trades(&c->s, auction, wp_cli_get(cli, "portfolio"),
				     wp_cli_get(cli, "area"), &v, err)))
			return rc;
		rc = brm_rec_trades(v, c->tz, brm_put_writer, w, err);
	} else {
		if ((rc = brm_prices(&c->s, auction, &v, err)))
			return rc;
		rc = brm_rec_prices(v, c->tz, brm_put_writer, w, err);
	}
	if (rc == 0 && wp_writer_count(w) == 0)
		wp_cli_note(cli, "%s: no %s yet", auction, trades ? "trades" : "prices");
	return rc;
}

static const struct brm_prog prog = {
	{ "brm-results", "prices and own trades of a BRM day-ahead auction", "[options] --auction AUCTION",
	  opts, "brm" },
	BRM_READ, check, run,
};

int main(int argc, char **argv)
{
	return brm_main(&prog, argc, argv, NULL);
}
