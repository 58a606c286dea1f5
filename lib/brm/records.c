/* records.c: Auction API replies as flat records (field names in the
 * brm-*(1) pages). Times are UTC from the API, plus the market clock. */
#include <stdlib.h>
#include <string.h>

#include "brm/brm.h"

static jv set(jv r, const char *key, jv v)
{
	return jv_object_set(r, jv_string(key), v);
}

static jv str_or_null(const char *s)
{
	return s ? jv_string(s) : jv_null();
}

static jv copy_str(jv r, const char *key, jv from, const char *from_key)
{
	return set(r, key, str_or_null(brm_str(from, from_key)));
}

static jv copy_num(jv r, const char *key, jv from, const char *from_key)
{
	double d = brm_num(from, from_key);
	return set(r, key, isnan(d) ? jv_null() : jv_number(d));
}

/* Enum values may come as ordinals (brm.md section 4). */
static jv enum_name(jv from, const char *key, const char *const *names, int n)
{
	const char *s = brm_str(from, key);
	double d = brm_num(from, key);

	if (s)
		return jv_string(s);
	if (!isnan(d) && d >= 0 && d < n)
		return jv_string(names[(int)d]);
	return jv_null();
}

static const char *const auction_states[] = { "Open", "Closed", "ResultsPublished", "Cancelled" };
static const char *const order_states[] = { "New", "Accepted", "Cancelled", "UserAccepted",
					    "ResultsPublished", "None" };
static const char *const result_states[] = { "NotAvailable", "PreliminaryResults", "Final",
					     "InitialPrice" };
static const char *const sides[] = { "Buy", "Sell" };
static const char *const result_types[] = { "Curve", "Block", "RoundingResidual" };

/* interval_start_utc, interval_end_utc and the local pair of a contract. */
static jv interval(jv r, jv c, const struct wp_tz *tz, int local_end)
{
	char buf[WP_TIME_MAX];
	time_t s, e;

	if (brm_time(c, "deliveryStart", &s) || brm_time(c, "deliveryEnd", &e)) {
		r = set(r, "interval_start_utc", jv_null());
		return set(r, "interval_end_utc", jv_null());
	}
	wp_fmt_utc(s, buf);
	r = set(r, "interval_start_utc", jv_string(buf));
	wp_fmt_utc(e, buf);
	r = set(r, "interval_end_utc", jv_string(buf));
	wp_fmt_local(s, tz, buf);
	r = set(r, "interval_start_local", jv_string(buf));
	if (local_end) {
		wp_fmt_local(e, tz, buf);
		r = set(r, "interval_end_local", jv_string(buf));
	}
	return set(r, "resolution_min", jv_number((double)(e - s) / 60));
}

/* Put every record of list (consumed) until the first error. */
static int put_all(jv list, brm_put_fn put, void *arg, struct wp_err *err)
{
	int rc = 0;

	jv_array_foreach(list, i, r) {
		if (rc == 0)
			rc = put(r, arg, err);
		else
			jv_free(r);
	}
	jv_free(list);
	return rc;
}

int brm_rec_auctions(jv auctions, brm_put_fn put, void *arg, struct wp_err *err)
{
	char buf[WP_TIME_MAX];
	jv out = jv_array();
	time_t t;

	jv_array_foreach(auctions, i, a) {
		jv r = copy_str(jv_object(), "auction_id", a, "id");
		r = copy_str(r, "name", a, "name");
		r = set(r, "state", enum_name(a, "state", auction_states, 4));
		r = set(r, "close_for_bidding_utc",
			brm_time(a, "closeForBidding", &t) ? jv_null() : (wp_fmt_utc(t, buf), jv_string(buf)));
		r = set(r, "delivery_start_utc",
			brm_time(a, "deliveryStart", &t) ? jv_null() : (wp_fmt_utc(t, buf), jv_string(buf)));
		r = set(r, "delivery_end_utc",
			brm_time(a, "deliveryEnd", &t) ? jv_null() : (wp_fmt_utc(t, buf), jv_string(buf)));
		jv cs = brm_array(a, "contracts");
		int n = 0;
		jv_array_foreach(cs, j, c) {
			jv inner = brm_field(c, "contracts");
			n += jv_get_kind(inner) == JV_KIND_ARRAY ? jv_array_length(jv_copy(inner)) : 1;
			jv_free(inner);
			jv_free(c);
		}
		jv_free(cs);
		r = set(r, "contracts", jv_number(n));
		jv cur = jv_array_get(brm_array(a, "currencies"), 0);
		r = copy_str(r, "currency", cur, "currencyCode");
		r = copy_num(r, "min_price", cur, "minPrice");
		r = copy_num(r, "max_price", cur, "maxPrice");
		jv_free(cur);
		out = jv_array_append(out, r);
		jv_free(a);
	}
	jv_free(auctions);
	return put_all(out, put, arg, err);
}

struct row {
	jv rec;
	time_t start, len;
};

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (y->len > x->len) - (y->len < x->len);
}

int brm_rec_contracts(jv auction, const struct wp_tz *tz, brm_put_fn put, void *arg,
		      struct wp_err *err)
{
	const char *id = brm_str(auction, "id");
	jv groups = brm_array(auction, "contracts");
	struct row *rows = NULL;
	int n = 0, cap = 0, rc = 0;

	jv_array_foreach(groups, i, g) {
		jv list = brm_field(g, "contracts");
		const char *area = brm_str(g, "areaCode");
		if (jv_get_kind(list) != JV_KIND_ARRAY) {
			jv_free(list);
			list = JV_ARRAY(jv_copy(g)); /* A1's flat list */
			area = NULL;
		}
		jv_array_foreach(list, j, c) {
			if (n == cap) {
				struct row *v = realloc(rows, (cap = cap ? 2 * cap : 256) * sizeof *v);
				if (!v) {
					jv_free(c);
					rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
					break;
				}
				rows = v;
			}
			time_t s = 0, e = 0;
			brm_time(c, "deliveryStart", &s);
			brm_time(c, "deliveryEnd", &e);
			jv r = set(jv_object(), "auction_id", str_or_null(id));
			r = set(r, "area", str_or_null(area));
			r = copy_str(r, "contract_id", c, "id");
			rows[n++] = (struct row){ interval(r, c, tz, 1), s, e - s };
			jv_free(c);
		}
		jv_free(list);
		jv_free(g);
	}
	jv_free(groups);
	/* Ids are opaque (brm.md section 6): order by time, longest first. */
	if (rc == 0)
		qsort(rows, n, sizeof *rows, cmp_row);
	for (int i = 0; i < n; i++) {
		if (rc == 0)
			rc = put(rows[i].rec, arg, err);
		else
			jv_free(rows[i].rec);
	}
	free(rows);
	jv_free(auction);
	return rc;
}

int brm_rec_portfolios(jv auction, brm_put_fn put, void *arg, struct wp_err *err)
{
	jv out = jv_array(), pfs = brm_array(auction, "portfolios");
	jv cur = brm_array(auction, "currencies");

	jv_array_foreach(pfs, i, p) {
		const char *code = brm_str(p, "currency");
		jv limits = brm_find(cur, "currencyCode", code);
		jv areas = brm_array(p, "areas");
		jv_array_foreach(areas, j, a) {
			jv r = copy_str(jv_object(), "auction_id", auction, "id");
			r = copy_str(r, "portfolio", p, "name");
			r = copy_str(r, "portfolio_id", p, "id");
			r = copy_str(r, "company", p, "companyName");
			r = copy_str(r, "permission", p, "permission");
			r = copy_str(r, "area", a, "code");
			r = copy_str(r, "area_name", a, "name");
			r = copy_str(r, "eic_code", a, "eicCode");
			r = copy_num(r, "min_volume_mw", a, "curveMinVolumeLimit");
			r = copy_num(r, "max_volume_mw", a, "curveMaxVolumeLimit");
			double res = brm_num(a, "auctionTradingResolution");
			r = set(r, "resolution_min", isnan(res) ? jv_null() : jv_number(res / 60));
			r = set(r, "currency", str_or_null(code));
			r = copy_num(r, "min_price", limits, "minPrice");
			r = copy_num(r, "max_price", limits, "maxPrice");
			out = jv_array_append(out, r);
			jv_free(a);
		}
		jv_free(areas);
		jv_free(limits);
		jv_free(p);
	}
	jv_free(pfs);
	jv_free(cur);
	jv_free(auction);
	return put_all(out, put, arg, err);
}

jv brm_order_state(jv order)
{
	jv st = enum_name(order, "state", order_states, 6);

	if (jv_get_kind(st) == JV_KIND_NULL) {
		/* Block lists carry state per block; the first stands for all. */
		jv b = jv_array_get(brm_array(order, "blocks"), 0);
		jv_free(st);
		st = enum_name(b, "state", order_states, 6);
		jv_free(b);
	}
	return st;
}

int brm_order_in_state(jv order, const char *state)
{
	jv st = brm_order_state(order);
	int in = jv_get_kind(st) == JV_KIND_STRING && !strcmp(jv_string_value(st), state);

	jv_free(st);
	return in;
}

static jv order_record(jv o, const char *kind)
{
	jv r = copy_str(jv_object(), "order_id", o, "orderId");
	jv curves = brm_array(o, "curves"), blocks = brm_array(o, "blocks");
	int points = 0;

	r = set(r, "kind", jv_string(kind));
	r = copy_str(r, "auction_id", o, "auctionId");
	r = copy_str(r, "portfolio", o, "portfolio");
	r = copy_str(r, "area", o, "areaCode");
	r = set(r, "state", brm_order_state(o));
	r = copy_num(r, "version", o, "version");
	r = copy_str(r, "modified_utc", o, "modified");
	r = copy_str(r, "modifier", o, "modifier");
	r = copy_str(r, "comment", o, "comment");
	jv_array_foreach(curves, i, c) {
		jv pts = brm_array(c, "curvePoints");
		points += jv_array_length(pts);
		jv_free(c);
	}
	jv_array_foreach(blocks, i, b) {
		jv per = brm_array(b, "periods");
		points += jv_array_length(per);
		jv_free(b);
	}
	r = set(r, "curves", jv_number(jv_array_length(curves)));
	r = set(r, "blocks", jv_number(jv_array_length(blocks)));
	return set(r, "points", jv_number(points));
}

int brm_rec_orders(jv orders, brm_put_fn put, void *arg, struct wp_err *err)
{
	jv out = jv_array();

	if (jv_get_kind(orders) == JV_KIND_ARRAY) {
		/* The versions of one order. */
		jv_array_foreach(orders, i, o) {
			jv b = brm_field(o, "blocks");
			int block = jv_get_kind(b) == JV_KIND_ARRAY;
			jv_free(b);
			out = jv_array_append(out, order_record(o, block ? "block" : "curve"));
			jv_free(o);
		}
	} else {
		jv list = brm_array(orders, "curveOrders");
		jv_array_foreach(list, i, o) {
			out = jv_array_append(out, order_record(o, "curve"));
			jv_free(o);
		}
		jv_free(list);
		list = brm_array(orders, "blockLists");
		jv_array_foreach(list, i, o) {
			out = jv_array_append(out, order_record(o, "block"));
			jv_free(o);
		}
		jv_free(list);
	}
	jv_free(orders);
	return put_all(out, put, arg, err);
}

int brm_rec_order_rows(jv order, brm_put_fn put, void *arg, struct wp_err *err)
{
	jv out = jv_array(), curves = brm_array(order, "curves"), blocks = brm_array(order, "blocks");

	jv_array_foreach(curves, i, c) {
		jv pts = brm_array(c, "curvePoints");
		jv_array_foreach(pts, j, p) {
			jv r = copy_str(jv_object(), "order_id", order, "orderId");
			r = copy_str(r, "contract", c, "contractId");
			r = copy_num(r, "price", p, "price");
			r = copy_num(r, "volume", p, "volume");
			out = jv_array_append(out, r);
			jv_free(p);
		}
		jv_free(pts);
		jv_free(c);
	}
	jv_array_foreach(blocks, i, b) {
		jv per = brm_array(b, "periods");
		jv_array_foreach(per, j, p) {
			jv r = copy_str(jv_object(), "order_id", order, "orderId");
			r = copy_str(r, "block", b, "name");
			r = copy_num(r, "price", b, "price");
			r = copy_num(r, "min_acceptance_ratio", b, "minimumAcceptanceRatio");
			r = copy_str(r, "linked_to", b, "linkedTo");
			r = copy_str(r, "exclusive_group", b, "exclusiveGroup");
			jv sp = brm_field(b, "isSpreadBlock");
			r = set(r, "spread", jv_bool(jv_get_kind(sp) == JV_KIND_TRUE));
			jv_free(sp);
			r = copy_str(r, "contract", p, "contractId");
			r = copy_num(r, "volume", p, "volume");
			r = set(r, "state", enum_name(b, "state", order_states, 6));
			out = jv_array_append(out, r);
			jv_free(p);
		}
		jv_free(per);
		jv_free(b);
	}
	jv_free(curves);
	jv_free(blocks);
	jv_free(order);
	return put_all(out, put, arg, err);
}

int brm_rec_prices(jv prices, const struct wp_tz *tz, brm_put_fn put, void *arg,
		   struct wp_err *err)
{
	jv out = jv_array();

	/* An object per Nord Pool's kit, a one-element array in newer clients. */
	if (jv_get_kind(prices) == JV_KIND_ARRAY) {
		jv first = jv_array_get(jv_copy(prices), 0);
		jv_free(prices);
		prices = jv_is_valid(first) ? first : jv_null();
	}
	jv contracts = brm_array(prices, "contracts");
	jv_array_foreach(contracts, i, c) {
		jv areas = brm_array(c, "areas");
		jv_array_foreach(areas, j, a) {
			jv ps = brm_array(a, "prices");
			jv_array_foreach(ps, k, p) {
				jv status = enum_name(p, "status", result_states, 4);
				double price = brm_num(p, "marketPrice");
				const char *st = jv_get_kind(status) == JV_KIND_STRING
							 ? jv_string_value(status) : "";
				if (isnan(price)) { /* no price (yet): nothing to report */
					jv_free(status);
					jv_free(p);
					continue;
				}
				/* The shared price schema (prices-schema.md), BRM extras after unit. */
				jv r = interval(jv_object(), c, tz, 0);
				jv res = brm_field(r, "resolution_min");
				r = jv_object_delete(r, jv_string("resolution_min"));
				r = set(r, "iso", jv_string("BRM"));
				r = set(r, "market", jv_string("DA"));
				r = set(r, "run", jv_string(!strcmp(st, "Final") ? "final" : "prelim"));
				r = copy_str(r, "location", a, "areaCode");
				r = set(r, "location_id", jv_null());
				r = set(r, "location_type", jv_string("ZONE"));
				r = set(r, "price_kind", jv_string("lmp"));
				r = set(r, "lmp", jv_number(price));
				r = set(r, "energy", jv_null());
				r = set(r, "congestion", jv_null());
				r = set(r, "loss", jv_null());
				r = set(r, "ghg", jv_null());
				r = copy_str(r, "currency", p, "currencyCode");
				r = set(r, "unit", jv_string("MWh"));
				r = copy_str(r, "brm_auction_id", prices, "auction");
				r = copy_str(r, "brm_contract_id", c, "contractId");
				r = set(r, "brm_resolution_min", res);
				r = set(r, "brm_status", status);
				out = jv_array_append(out, r);
				jv_free(p);
			}
			jv_free(ps);
			jv_free(a);
		}
		jv_free(areas);
		jv_free(c);
	}
	jv_free(contracts);
	jv_free(prices);
	return put_all(out, put, arg, err);
}

int brm_rec_trades(jv summaries, const struct wp_tz *tz, brm_put_fn put, void *arg,
		   struct wp_err *err)
{
	jv out = jv_array();

	jv_array_foreach(summaries, i, s) {
		jv type = enum_name(s, "orderResultType", result_types, 3);
		if (jv_get_kind(type) == JV_KIND_NULL) {
			jv_free(type);
			type = enum_name(s, "orderType", result_types, 3);
		}
		jv trades = brm_array(s, "trades");
		jv_array_foreach(trades, j, t) {
			jv r = copy_str(jv_object(), "auction_id", s, "auctionId");
			r = copy_str(r, "order_id", s, "orderId");
			r = copy_str(r, "portfolio", s, "portfolio");
			r = copy_str(r, "area", s, "areaCode");
			r = set(r, "order_type", jv_copy(type));
			r = copy_str(r, "block", s, "name");
			r = copy_str(r, "contract_id", t, "contractId");
			r = interval(r, t, tz, 0);
			jv side = enum_name(t, "side", sides, 2);
			double v = brm_num(t, "volume");
			int sell = jv_get_kind(side) == JV_KIND_STRING &&
				   !strcmp(jv_string_value(side), "Sell");
			r = set(r, "side", side);
			r = set(r, "volume_mw", isnan(v) ? jv_null() : jv_number(v));
			/* Net position: + bought, - sold, so volumes add up. */
			r = set(r, "net_mw", isnan(v) ? jv_null() : jv_number(sell ? -fabs(v) : fabs(v)));
			r = copy_num(r, "price", t, "price");
			r = copy_str(r, "currency", s, "currencyCode");
			r = set(r, "status", enum_name(t, "status", result_states, 4));
			r = copy_str(r, "trade_id", t, "tradeId");
			out = jv_array_append(out, r);
			jv_free(t);
		}
		jv_free(trades);
		jv_free(type);
		jv_free(s);
	}
	jv_free(summaries);
	return put_all(out, put, arg, err);
}
