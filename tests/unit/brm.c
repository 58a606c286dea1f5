/* Unit tests for lib/brm: rows to orders, every validation rule and risk
 * limit against a small auction, request bodies, journal, records. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "brm/brm.h"
#include "tap.h"
#include "fsync-spy.h"

/* A 3-hour auction slice in area TEL: two quarter hours, one hour. */
static const char *auction_json =
	"{\"id\":\"BRM_QH_DA_1-20261125\",\"state\":\"Open\","
	"\"closeForBidding\":\"2099-01-01T10:00:00Z\","
	"\"currencies\":[{\"currencyCode\":\"EUR\",\"minPrice\":-500,\"maxPrice\":4000}],"
	"\"contracts\":[{\"areaCode\":\"TEL\",\"contracts\":["
	"{\"id\":\"Q1\",\"deliveryStart\":\"2026-11-25T23:00:00Z\",\"deliveryEnd\":\"2026-11-25T23:15:00Z\"},"
	"{\"id\":\"Q2\",\"deliveryStart\":\"2026-11-25T23:15:00Z\",\"deliveryEnd\":\"2026-11-25T23:30:00Z\"},"
	"{\"id\":\"H1\",\"deliveryStart\":\"2026-11-25T23:00:00Z\",\"deliveryEnd\":\"2026-11-26T00:00:00Z\"}]}],"
	"\"portfolios\":["
	"{\"id\":\"TP1\",\"name\":\"TP1 - DA\",\"currency\":\"EUR\",\"permission\":\"WRITE\",\"areas\":"
	"[{\"code\":\"TEL\",\"curveMinVolumeLimit\":-900,\"curveMaxVolumeLimit\":900,"
	"\"auctionTradingResolution\":900}]},"
	"{\"id\":\"TP2\",\"name\":\"TP2 - DA\",\"currency\":\"EUR\",\"permission\":\"READ\",\"areas\":"
	"[{\"code\":\"TEL\",\"auctionTradingResolution\":900}]}]}";

static jv rec(const char *json)
{
	return jv_parse(json);
}

/* Build an order from NDJSON rows (one string per row). */
static int build(struct brm_order *o, const char *const *rows, struct wp_err *err)
{
	int rc = 0;

	brm_order_release(o);
	o->auction = strdup("BRM_QH_DA_1-20261125");
	o->portfolio = strdup("TP1");
	for (long i = 0; rows[i] && rc == 0; i++)
		rc = brm_order_add(o, rec(rows[i]), i + 2, err);
	return rc;
}

/* Validate rows; returns the problems joined by '\n' (static buffer). */
static const char *problems_of(const char *const *rows, const struct brm_limits *lim,
			       const char *orders, const char *replace, int *rc)
{
	static char out[8192];
	struct brm_order o = BRM_ORDER_INIT;
	struct wp_err err = WP_ERR_INIT;
	struct brm_market m = { jv_parse(auction_json), orders ? jv_parse(orders) : jv_null(),
				1700000000, replace };
	struct brm_limits none = BRM_LIMITS_INIT;
	jv probs = jv_null();

	out[0] = '\0';
	if ((*rc = build(&o, rows, &err))) {
		snprintf(out, sizeof out, "%s", err.msg);
	} else {
		*rc = brm_order_validate(&o, &m, lim ? lim : &none, &probs, &err);
		jv_array_foreach(probs, i, p) {
			snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", i ? "\n" : "",
				 jv_string_value(p));
			jv_free(p);
		}
	}
	jv_free(probs);
	jv_free(m.auction);
	jv_free(m.orders);
	brm_order_release(&o);
	return out;
}

#define GOOD_Q1 "{\"contract\":\"Q1\",\"price\":-500,\"volume\":10}", \
		"{\"contract\":\"Q1\",\"price\":\"80.5\",\"volume\":\"4.5\"}", \
		"{\"contract\":\"Q1\",\"price\":4000,\"volume\":0}"

static void test_rows(void)
{
	struct brm_order o = BRM_ORDER_INIT;
	struct wp_err err = WP_ERR_INIT;
	const char *rows[] = { GOOD_Q1, "{\"contract\":\"Q2\",\"price\":-500,\"volume\":-1}", NULL };

	is_int(build(&o, rows, &err), 0, "curve rows parse");
	is_int(o.ncurves, 2, "two contracts, two curves");
	is_int(o.curves[0].n, 3, "Q1 has three points in input order");
	is_num(o.curves[0].pts[1].price, 80.5, 0, "price from a CSV-like string");
	is_int(o.curves[0].pts[1].line, 3, "point remembers its line");

	const char *bad[] = { "{\"contract\":\"Q1\",\"price\":\"8O\",\"volume\":1}", NULL };
	is_int(build(&o, bad, &err), WP_EDATA, "a non-number price is bad data");
	is_str(err.msg, "stdin:2: price '8O' is not a number", "message names line and field");

	const char *none[] = { "{\"contract\":\"Q1\",\"volume\":1}", NULL };
	is_int(build(&o, none, &err), WP_EDATA, "a missing price is bad data");
	is_str(err.msg, "stdin:2: no price", "message says what is missing");

	const char *mixed[] = { GOOD_Q1,
				"{\"block\":\"B1\",\"price\":50,\"min_acceptance_ratio\":1,"
				"\"contract\":\"Q1\",\"volume\":5}",
				NULL };
	is_int(build(&o, mixed, &err), WP_EDATA, "curve and block rows do not mix");

	const char *blocks[] = {
		"{\"block\":\"B1\",\"price\":50,\"min_acceptance_ratio\":0.5,\"contract\":\"Q1\","
		"\"volume\":5,\"exclusive_group\":\"G\"}",
		"{\"block\":\"B1\",\"price\":\"\",\"contract\":\"Q2\",\"volume\":5}",
		"{\"block\":\"B2\",\"price\":60,\"min_acceptance_ratio\":1,\"contract\":\"Q2\","
		"\"volume\":-3,\"linked_to\":\"B1\"}",
		NULL };
	is_int(build(&o, blocks, &err), 0, "block rows parse");
	is_int(o.nblocks, 2, "two blocks");
	is_int(o.blocks[0].n, 2, "B1 has two periods");
	is_str(o.blocks[0].group, "G", "exclusive group kept");
	is_str(o.blocks[1].linked_to, "B1", "link kept");

	const char *clash[] = {
		"{\"block\":\"B1\",\"price\":50,\"min_acceptance_ratio\":1,\"contract\":\"Q1\",\"volume\":5}",
		"{\"block\":\"B1\",\"price\":51,\"contract\":\"Q2\",\"volume\":5}", NULL };
	is_int(build(&o, clash, &err), WP_EDATA, "a block's price differing on a later row");
	is_str(err.msg, "stdin:3: block B1: price 51 differs from 50", "message names the row");
	brm_order_release(&o);
}

static void expect(const char *what, const char *const *rows, const struct brm_limits *lim,
		   const char *orders, const char *replace, const char *want)
{
	int rc;
	const char *got = problems_of(rows, lim, orders, replace, &rc);
	char name[256];

	snprintf(name, sizeof name, "%s: exit 65", what);
	is_int(rc, WP_EDATA, name);
	snprintf(name, sizeof name, "%s: message", what);
	if (!ok(strstr(got, want) != NULL, name))
		printf("#   want '%s' in:\n#   %s\n", want, got);
}

static void test_rules(void)
{
	int rc;
	const char *good[] = { GOOD_Q1, NULL };
	const char *got = problems_of(good, NULL, NULL, NULL, &rc);
	is_int(rc, 0, "a good curve passes every rule");
	is_str(got, "", "and has no problems");

	const char *v2[] = { "{\"contract\":\"Q1\",\"price\":-500,\"volume\":10}",
			     "{\"contract\":\"Q1\",\"price\":55,\"volume\":5}",
			     "{\"contract\":\"Q1\",\"price\":55,\"volume\":4}",
			     "{\"contract\":\"Q1\",\"price\":4000,\"volume\":0}", NULL };
	expect("V2 rising prices", v2, NULL, NULL, NULL,
	       "stdin:4: BRM_QH_DA_1-20261125 TP1 - DA/TEL Q1 point 3: price 55 not above 55 (V2)");
	const char *v2b[] = { "{\"contract\":\"Q1\",\"price\":-500,\"volume\":10}", NULL };
	expect("V2 two points", v2b, NULL, NULL, NULL, "Q1: 1 point, a curve needs at least 2 (V2)");
	const char *v3[] = { "{\"contract\":\"Q1\",\"price\":-500,\"volume\":10}",
			     "{\"contract\":\"Q1\",\"price\":50,\"volume\":12}",
			     "{\"contract\":\"Q1\",\"price\":4000,\"volume\":0}", NULL };
	expect("V3 volumes", v3, NULL, NULL, NULL, "Q1 point 2: volume 12 above 10 (V3)");

	static char many[201][80];
	const char *v4[203];
	for (int i = 0; i < 201; i++) {
		snprintf(many[i], sizeof many[i], "{\"contract\":\"Q1\",\"price\":%d,\"volume\":0}",
			 i == 200 ? 4000 : -500 + i);
		v4[i] = many[i];
	}
	v4[201] = NULL;
	expect("V4 200 points", v4, NULL, NULL, NULL, "Q1: 201 points (limit 200) (V4)");

	const char *v5[] = { "{\"contract\":\"Q1\",\"price\":-400,\"volume\":10}",
			     "{\"contract\":\"Q1\",\"price\":3000,\"volume\":0}", NULL };
	expect("V5 ends", v5, NULL, NULL, NULL, "last price 3000, must be the auction's max 4000 (V5)");

	const char *orders = "{\"curveOrders\":[{\"orderId\":\"g-1\",\"portfolio\":\"TP1 - DA\","
			     "\"areaCode\":\"TEL\",\"state\":\"Accepted\"}],\"blockLists\":[]}";
	expect("V6 one curve order", good, NULL, orders, NULL,
	       "TP1 - DA/TEL: curve order g-1 exists already; modify it with --replace g-1 (V6)");
	got = problems_of(good, NULL, orders, "g-1", &rc);
	is_int(rc, 0, "V6: --replace of the live order passes");
	expect("V6 replace unknown", good, NULL, orders, "g-2",
	       "order g-2 is not a curve order of this portfolio and auction (V6)");

	const char *v7[] = { "{\"contract\":\"Q1\",\"price\":-500,\"volume\":10.25}",
			     "{\"contract\":\"Q1\",\"price\":80.125,\"volume\":1}",
			     "{\"contract\":\"Q1\",\"price\":4000,\"volume\":0}", NULL };
	expect("V7 volume step", v7, NULL, NULL, NULL, "volume 10.25 not a multiple of 0.1 (V7)");
	expect("V7 price step", v7, NULL, NULL, NULL, "price 80.125 not a multiple of 0.01 (V7)");

	const char *v8[] = { "{\"contract\":\"Q1\",\"price\":-500,\"volume\":10}",
			     "{\"contract\":\"Q1\",\"price\":4500,\"volume\":0}", NULL };
	expect("V8 price limits", v8, NULL, NULL, NULL, "point 2: price 4500 above max 4000 (V8)");
	const char *v9[] = { "{\"contract\":\"Q1\",\"price\":-500,\"volume\":950}",
			     "{\"contract\":\"Q1\",\"price\":4000,\"volume\":0}", NULL };
	expect("V9 volume limits", v9, NULL, NULL, NULL, "volume 950 above limit 900 (V9)");
	const char *v10[] = { "{\"contract\":\"X9\",\"price\":-500,\"volume\":1}",
			      "{\"contract\":\"X9\",\"price\":4000,\"volume\":0}",
			      "{\"contract\":\"H1\",\"price\":-500,\"volume\":1}",
			      "{\"contract\":\"H1\",\"price\":4000,\"volume\":0}", NULL };
	expect("V10 unknown contract", v10, NULL, NULL, NULL,
	       "stdin:2: BRM_QH_DA_1-20261125 TP1 - DA/TEL X9: X9 not in auction "
	       "BRM_QH_DA_1-20261125 (V10)");
	expect("V10 resolution", v10, NULL, NULL, NULL,
	       "H1 lasts 60 min, the portfolio trades 15-min contracts (V10)");

	/* V11 and V12 need other portfolios and auctions. */
	{
		struct brm_order o = BRM_ORDER_INIT;
		struct wp_err err = WP_ERR_INIT;
		jv probs;
		jv a = jv_parse(auction_json);
		struct brm_market m = { a, jv_null(), 1700000000, NULL };
		struct brm_limits none = BRM_LIMITS_INIT;
		const char *rows[] = { GOOD_Q1, NULL };

		build(&o, rows, &err);
		free(o.portfolio);
		o.portfolio = strdup("TP2");
		is_int(brm_order_validate(&o, &m, &none, &probs, &err), WP_EDATA, "V11 READ portfolio");
		jv p0 = jv_array_get(jv_copy(probs), 0);
		is_str(jv_string_value(p0),
		       "stdin: BRM_QH_DA_1-20261125 TP2 - DA/TEL: portfolio TP2 - DA is READ-only (V11)",
		       "V11 message at order level, portfolio id resolved to its name");
		jv_free(p0);
		jv_free(probs);

		free(o.portfolio);
		o.portfolio = strdup("TP1");
		m.auction = jv_object_set(jv_copy(a), jv_string("state"), jv_string("Closed"));
		is_int(brm_order_validate(&o, &m, &none, &probs, &err), WP_EDATA, "V12 closed");
		p0 = jv_array_get(jv_copy(probs), 0);
		ok(strstr(jv_string_value(p0), "auction is Closed, not Open (gate closure 2099-01-01T10:00:00Z) (V12)") != NULL,
		   "V12 message");
		jv_free(p0);
		jv_free(probs);
		jv_free(m.auction);
		m.auction = a;
		m.now = 4070944800 - 10; /* 10 s before 2099-01-01T10:00:00Z */
		is_int(brm_order_validate(&o, &m, &none, &probs, &err), WP_EDATA,
		       "V12 too close to gate closure");
		jv_free(probs);

		free(o.comment);
		o.comment = malloc(231);
		memset(o.comment, 'x', 230);
		o.comment[230] = '\0';
		m.now = 1700000000;
		is_int(brm_order_validate(&o, &m, &none, &probs, &err), WP_EDATA, "V14 long comment");
		p0 = jv_array_get(jv_copy(probs), 0);
		ok(strstr(jv_string_value(p0), "comment 230 chars (limit 219") != NULL, "V14 message");
		jv_free(p0);
		jv_free(probs);
		jv_free(a);
		brm_order_release(&o);
	}

	const char *b[] = {
		"{\"block\":\"B1\",\"price\":50,\"min_acceptance_ratio\":1.5,\"contract\":\"Q1\",\"volume\":5}",
		"{\"block\":\"B1\",\"contract\":\"Q2\",\"volume\":-5}",
		"{\"block\":\"B2\",\"price\":50,\"min_acceptance_ratio\":1,\"contract\":\"Q1\","
		"\"volume\":5,\"linked_to\":\"B9\"}",
		"{\"block\":\"B3\",\"price\":50,\"min_acceptance_ratio\":1,\"contract\":\"Q1\","
		"\"volume\":5,\"linked_to\":\"B4\"}",
		"{\"block\":\"B4\",\"price\":50,\"min_acceptance_ratio\":1,\"contract\":\"Q1\","
		"\"volume\":5,\"linked_to\":\"B3\"}",
		"{\"block\":\"B4\",\"contract\":\"Q1\",\"volume\":5}", NULL };
	expect("V1 block sign", b, NULL, NULL, NULL,
	       "stdin:2: BRM_QH_DA_1-20261125 TP1 - DA/TEL block B1: mixes buy (> 0) and sell (< 0) volumes (V1)");
	expect("V13 ratio", b, NULL, NULL, NULL, "block B1: min_acceptance_ratio 1.5 outside 0..1 (V13)");
	expect("V13 unknown link", b, NULL, NULL, NULL, "block B2: linked_to \"B9\" unknown (V13)");
	expect("V13 cycle", b, NULL, NULL, NULL, "block B3: linked_to makes a cycle (V13)");
	expect("V6 contract once per block", b, NULL, NULL, NULL,
	       "stdin:7: BRM_QH_DA_1-20261125 TP1 - DA/TEL block B4 period 2 (Q1): contract also in period 1 (V6)");

	/* Risk limits. */
	struct brm_limits lim = BRM_LIMITS_INIT;
	lim.max_mw = 8;
	expect("R1 max MW", good, &lim, NULL, NULL,
	       "Q1: 10 MW above the limit of 8 MW per period (R1)");
	lim.max_mw = NAN;
	/* 10 MW at -500 for a quarter hour = 1250 EUR worst case. */
	lim.max_notional = 1000;
	expect("R2 notional", good, &lim, NULL, NULL,
	       "worst-case notional 1250.00 EUR above the limit of 1000 EUR per auction (R2)");
	lim.max_notional = 1250;
	got = problems_of(good, &lim, NULL, NULL, &rc);
	is_int(rc, 0, "R2 at exactly the limit passes");
	lim.max_notional = NAN;
	lim.band_min = 0;
	lim.band_max = 50;
	expect("R3 band", good, &lim, NULL, NULL, "Q1 point 2: price 80.5 outside the band 0..50 (R3)");
	got = problems_of(good, &lim, NULL, NULL, &rc);
	ok(strstr(got, "point 1") == NULL, "R3 exempts the curve's mandatory -500 end");
}

static void test_exposure(void)
{
	/* Buy 10 MW at 0 falling to 0 MW at 4000: price x volume peaks
	 * mid-segment at 2000 x 5 = 10000 EUR/h, above both ends. */
	int rc;
	struct brm_limits lim = BRM_LIMITS_INIT;
	const char *rows[] = { "{\"contract\":\"Q1\",\"price\":-500,\"volume\":10}",
			       "{\"contract\":\"Q1\",\"price\":0,\"volume\":10}",
			       "{\"contract\":\"Q1\",\"price\":4000,\"volume\":0}", NULL };
	lim.max_notional = 2499; /* a quarter hour of 10000 EUR/h is 2500 */
	const char *got = problems_of(rows, &lim, NULL, NULL, &rc);
	ok(strstr(got, "notional 2500.00 EUR") != NULL, "R2 finds the peak inside a segment");
	lim.max_notional = 2500;
	problems_of(rows, &lim, NULL, NULL, &rc);
	is_int(rc, 0, "R2 at the interior peak passes");
}

static void test_json(void)
{
	struct brm_order o = BRM_ORDER_INIT;
	struct wp_err err = WP_ERR_INIT;
	const char *rows[] = { "{\"contract\":\"Q1\",\"price\":-500,\"volume\":12.3}",
			       "{\"contract\":\"Q1\",\"price\":4000,\"volume\":0}", NULL };

	build(&o, rows, &err);
	free(o.portfolio);
	o.portfolio = strdup("TP1 - DA");
	o.area = strdup("TEL");
	o.comment = strdup("morning");
	jv d = jv_dump_string(brm_order_json(&o, "wp:00ff", 0), 0);
	is_str(jv_string_value(d),
	       "{\"auctionId\":\"BRM_QH_DA_1-20261125\",\"portfolio\":\"TP1 - DA\",\"areaCode\":"
	       "\"TEL\",\"comment\":\"morning wp:00ff\",\"curves\":[{\"contractId\":\"Q1\","
	       "\"curvePoints\":[{\"price\":-500,\"volume\":12.3},{\"price\":4000,\"volume\":0}]}]}",
	       "POST body in the API's camelCase shape");
	jv_free(d);
	d = jv_dump_string(brm_order_json(&o, "wp:00ff", 1), 0);
	ok(strncmp(jv_string_value(d), "{\"comment\":", 11) == 0, "PATCH body has no header fields");
	jv_free(d);
	brm_order_release(&o);

	char ref[40], ref2[40];
	is_int(brm_ref_new(ref, &err), 0, "reference made");
	brm_ref_new(ref2, &err);
	is_int((long long)strlen(ref), 35, "wp: and 32 hex digits");
	ok(strcmp(ref, ref2) != 0, "references differ");
}

static void test_journal(void)
{
	char dir[] = "/tmp/brm-unit.XXXXXX", path[256], buf[4096];
	struct wp_err err = WP_ERR_INIT;
	struct stat st;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof path, "%s/brm-journal.ndjson", dir);
	is_int(brm_journal_append(path, jv_parse("{\"outcome\":\"created\"}"), &err), 0, "append");
	is_int(brm_journal_append(path, jv_parse("{\"outcome\":\"refused\"}"), &err), 0, "append again");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "journal is 0600");
	int fd = open(path, O_RDONLY);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	ok(strncmp(buf, "{\"time\":\"", 9) == 0, "entries start with their time");
	ok(strstr(buf, "\"outcome\":\"created\"}\n{") && strstr(buf, "\"outcome\":\"refused\"}\n"),
	   "two lines, in order");
	ok(was_synced(path), "the journal file was fsync'd");
	ok(was_synced(dir), "the new journal's directory was fsync'd too");
	unlink(path);
	rmdir(dir);
	snprintf(path, sizeof path, "/nonexistent-dir/j.ndjson");
	is_int(brm_journal_append(path, jv_object(), &err), WP_ECANTCREAT, "unwritable journal: 73");
}

static int collect(jv r, void *arg, struct wp_err *err)
{
	jv *all = arg;
	*all = jv_array_append(*all, r);
	return 0;
}

static void test_records(void)
{
	struct wp_tz *tz;
	struct wp_err err = WP_ERR_INIT;
	jv all = jv_array();

	if (wp_tz_load(&tz, "Europe/Bucharest", NULL, &err)) {
		ok(0, "load Europe/Bucharest");
		return;
	}
	is_int(brm_rec_contracts(jv_parse(auction_json), tz, collect, &all, &err), 0, "contracts");
	is_int(jv_array_length(jv_copy(all)), 3, "three contracts");
	jv first = jv_array_get(jv_copy(all), 0), second = jv_array_get(jv_copy(all), 1);
	is_str(brm_str(first, "contract_id"), "H1", "sorted by start, longest first");
	is_str(brm_str(second, "contract_id"), "Q1", "then the quarter hour");
	is_str(brm_str(first, "interval_start_local"), "2026-11-26T01:00:00+02:00",
	       "local time on the Romanian clock");
	is_num(brm_num(second, "resolution_min"), 15, 0, "resolution in minutes");
	jv_free(first);
	jv_free(second);
	jv_free(all);

	all = jv_array();
	brm_rec_prices(jv_parse("[{\"auction\":\"A\",\"contracts\":[{\"contractId\":\"Q1\","
				"\"deliveryStart\":\"2026-11-25T23:00:00Z\",\"deliveryEnd\":"
				"\"2026-11-25T23:15:00Z\",\"areas\":[{\"areaCode\":\"TEL\",\"prices\":"
				"[{\"currencyCode\":\"EUR\",\"marketPrice\":81.25,\"status\":2}]}]},"
				"{\"contractId\":\"Q2\",\"deliveryStart\":\"2026-11-25T23:15:00Z\","
				"\"deliveryEnd\":\"2026-11-25T23:30:00Z\",\"areas\":[{\"areaCode\":"
				"\"TEL\",\"prices\":[{\"currencyCode\":\"EUR\",\"marketPrice\":null,"
				"\"status\":\"NotAvailable\"}]}]}]}]"),
		       tz, collect, &all, &err);
	is_int(jv_array_length(jv_copy(all)), 1, "prices as an array; no record without a price");
	first = jv_array_get(jv_copy(all), 0);
	is_num(brm_num(first, "lmp"), 81.25, 0, "price kept as given");
	is_str(brm_str(first, "brm_status"), "Final", "ordinal status 2 is Final");
	is_str(brm_str(first, "run"), "final", "final run");
	jv_free(first);
	jv_free(all);

	all = jv_array();
	brm_rec_trades(jv_parse("[{\"auctionId\":\"A\",\"orderId\":\"o\",\"orderType\":\"Block\","
				"\"name\":\"B1\",\"trades\":[{\"contractId\":\"Q1\",\"deliveryStart\":"
				"\"2026-11-25T23:00:00Z\",\"deliveryEnd\":\"2026-11-25T23:15:00Z\","
				"\"volume\":5,\"price\":81.25,\"side\":\"Sell\",\"status\":\"Final\"}]}]"),
		       tz, collect, &all, &err);
	first = jv_array_get(jv_copy(all), 0);
	is_str(brm_str(first, "order_type"), "Block", "orderType accepted for orderResultType");
	is_num(brm_num(first, "net_mw"), -5, 0, "a sale nets negative");
	jv_free(first);
	jv_free(all);
	wp_tz_free(tz);
}

static void test_order_state(void)
{
	jv o = jv_parse("{\"orderId\":\"x\",\"state\":2}");
	jv b = jv_parse("{\"orderId\":\"y\",\"blocks\":[{\"name\":\"B1\",\"state\":\"Accepted\"}]}");

	ok(brm_order_in_state(o, "Cancelled"), "state 2 is Cancelled (OrderState number)");
	ok(!brm_order_in_state(o, "Accepted"), "and nothing else");
	ok(brm_order_in_state(b, "Accepted") && !brm_order_in_state(b, "Cancelled"),
	   "a block list has its first block's state");
	jv_free(o);
	jv_free(b);
}

static void test_empty_order(void)
{
	struct brm_order o = BRM_ORDER_INIT;
	struct brm_market m = { jv_parse(auction_json), jv_null(), 1700000000, NULL };
	struct brm_limits none = BRM_LIMITS_INIT;
	struct wp_err err = WP_ERR_INIT;
	jv probs = jv_null();

	is_int(brm_order_validate(&o, &m, &none, &probs, &err), WP_EDATA, "no rows: bad data");
	is_str(err.msg, "stdin: no order rows", "no rows: said so");
	is_int(jv_array_length(probs), 0, "no rows: an empty problem list, the caller's to free");
	jv_free(m.auction);
}

static void test_env(void)
{
	const struct brm_env *e;
	struct wp_err err = WP_ERR_INIT;

	is_int(brm_env_lookup("test", &e, &err), 0, "test environment");
	ok(strstr(e->api_url, ".test.") != NULL, "test host");
	is_int(brm_env_lookup("production", &e, &err), WP_ECONFIG, "unknown env is a config error");
	is_int(brm_env_lookup("", &e, &err), WP_ECONFIG, "empty env never falls back to prod");
}

int main(void)
{
	test_rows();
	test_rules();
	test_exposure();
	test_json();
	test_journal();
	test_records();
	test_order_state();
	test_empty_order();
	test_env();
	/* Every rule in the table has an id and a text for the man page. */
	int n = 0, complete = 0;
	for (const struct brm_rule *r = brm_rules; r->id; r++, n++)
		complete += r->text && r->check && (r->id[0] == 'V' || r->id[0] == 'R');
	is_int(complete, n, "every rule entry has an id, a check and a text");
	return done_testing();
}
