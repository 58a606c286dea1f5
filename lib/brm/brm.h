/* brm.h: BRM day-ahead auctions on Nord Pool's Auction API
 * (../shared/api/brm.md).
 *
 *  - order.c: the order model built from input records, the validation
 *    rules and the user's risk limits as one table (brm-order --rules, the
 *    man page and the tests list the same rules), the JSON request bodies;
 *  - api.c: the session (environments, OAuth2 password grant, token cache,
 *    one re-login on 401), reads, and writes that are sent once and, after
 *    an ambiguous failure, learn from the orders whether they landed;
 *  - journal.c: the fsync'd, append-only audit journal;
 *  - records.c: API replies turned into flat output records;
 *  - session.c: what every brm-* program sets up from its command line,
 *    and brm_main, the whole of their main().
 *
 * Ownership: functions taking a jv consume it; returned jv values belong to
 * the caller. Strings in the structs below are malloc'd and freed by the
 * matching _release, except those marked "borrowed".
 */
#ifndef BRM_H
#define BRM_H

#include <math.h>
#include <time.h>

#include "wp.h"

/* ---- environments ---------------------------------------------------- */

struct brm_env {
	const char *name;     /* "test", "prod" */
	const char *token_url; /* STS token endpoint */
	const char *api_url;  /* .../api/v1 */
};
/* "test" or "prod"; anything else is WP_ECONFIG (never a fallback to prod). */
int brm_env_lookup(const char *name, const struct brm_env **out, struct wp_err *err);

/* ---- orders ------------------------------------------------------------ */

enum brm_kind { BRM_CURVE, BRM_BLOCK };

struct brm_point {
	double price, volume; /* EUR/MWh; MW, > 0 buys, < 0 sells */
	long line;            /* input line, for messages */
};
struct brm_curve {
	char *contract;
	struct brm_point *pts;
	int n, cap;
};
struct brm_period {
	char *contract;
	double volume;
	long line;
};
struct brm_block {
	char *name, *linked_to, *group;
	double price, mar;    /* limit price; minimum acceptance ratio 0..1 */
	int spread;
	struct brm_period *per;
	int n, cap;
	long line;
};
struct brm_order {
	enum brm_kind kind;
	int nrows;
	const char *src;      /* borrowed: input name for messages ("stdin") */
	char *auction, *portfolio, *area, *comment;
	struct brm_curve *curves;
	int ncurves, capc;
	struct brm_block *blocks;
	int nblocks, capb;
};
#define BRM_ORDER_INIT { BRM_CURVE, 0, "stdin", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }
void brm_order_release(struct brm_order *o);

/* One input record (consumed). Curve rows: contract, price, volume; rows
 * of one contract make its curve, points in input order. Block rows:
 * block, price, min_acceptance_ratio, linked_to, exclusive_group, spread,
 * contract, volume; rows of one block are its periods and repeat (or leave
 * empty) its attributes. An order is all curves or all blocks. A malformed
 * row is WP_EDATA "SRC:LINE: what". */
int brm_order_add(struct brm_order *o, jv rec, long line, struct wp_err *err);

/* Risk limits of the user (config [brm]); NaN = no limit. */
struct brm_limits {
	double max_mw;        /* per contract: largest curve volume + block volumes */
	double max_notional;  /* per auction: worst-case |price x volume| x hours, EUR */
	double band_min, band_max; /* prices allowed, besides the auction's own
				    * min/max ends every curve must reach */
};
#define BRM_LIMITS_INIT { NAN, NAN, NAN, NAN }

/* What an order is checked against, fetched in the same run. */
struct brm_market {
	jv auction;           /* A2 reply */
	jv orders;            /* A3 reply for the portfolio/area, or jv_null() */
	time_t now;
	const char *replace;  /* borrowed: --replace order id, or NULL */
};

enum brm_scope { BRM_AT_ORDER, BRM_AT_CURVE, BRM_AT_POINT, BRM_AT_BLOCK, BRM_AT_PERIOD };
struct brm_vctx;
struct brm_rule {
	const char *id;       /* "V2", "R1" */
	enum brm_scope scope;
	void (*check)(struct brm_vctx *c);
	const char *text;     /* the rule in one line, for --rules and brm-order(1) */
};
extern const struct brm_rule brm_rules[]; /* ends with { NULL } */

/* Check o against every rule. *problems is set (not consumed) to a jv
 * array, the caller's, with one string per violation: "SRC:LINE: AUCTION PORTFOLIO/AREA CONTRACT
 * point N: what (RULE)". Resolves o->portfolio to the portfolio's name and
 * defaults o->area when the portfolio has one area. Returns WP_EDATA when
 * there is any problem (err says how many), 0 otherwise. */
int brm_order_validate(struct brm_order *o, const struct brm_market *m,
		       const struct brm_limits *lim, jv *problems, struct wp_err *err);

/* Resolve o->portfolio (a name or an id) to the portfolio's name in the
 * auction, and default o->area when the portfolio has one area. Leaves
 * them as they are when not found (validation then reports it). */
int brm_order_resolve(struct brm_order *o, jv auction, struct wp_err *err);

/* The request body: POST (create) when patch is 0, else PATCH (replace).
 * ref ("wp:<uuid>") is appended to the comment so a lost reply can be
 * reconciled by reading the orders back. */
jv brm_order_json(const struct brm_order *o, const char *ref, int patch);

/* A fresh reference "wp:<32 hex digits>"; buf needs 40 bytes. */
int brm_ref_new(char buf[40], struct wp_err *err);

/* ---- session and API ---------------------------------------------------- */

struct brm_session {
	struct wp_http *http;       /* borrowed */
	const char *env;            /* borrowed: "test", "prod" */
	char *token_url, *api_url;
	const char *user, *password; /* borrowed; the password never leaves this struct
				      * except in the token request body */
	const char *client_id, *client_secret; /* borrowed */
	char *token_cache;          /* path of the cached token, or NULL */
	char *journal;              /* path of the audit journal, or NULL */
	char *token;
	time_t refresh_at;          /* log in again from this instant */
	int logins;                 /* token requests made by this process */
};
#define BRM_SESSION_INIT { 0 }
void brm_session_release(struct brm_session *s);

/* Get a token: the cached one when still fresh (force = 0), else the
 * password grant. Refused credentials are WP_EPERM. */
int brm_login(struct brm_session *s, int force, struct wp_err *err);

/* One API call. path is below api_url ("/auctions?x=1"). body is consumed
 * (jv_invalid() for none). Logs in when needed; on a 401 logs in once more
 * and repeats once. Returns 0 with *status and *reply (parsed JSON,
 * jv_null() when empty) for any HTTP answer; WP_EPERM for a second 401;
 * WP_ETEMP when no answer came. On an error *reply is jv_null() and
 * *status the last status seen (a first 401), or 0. */
int brm_call(struct brm_session *s, const char *method, const char *path, jv body,
	     int idempotent, long *status, jv *reply, struct wp_err *err);
/* The exit code for a non-2xx answer, with the API's own message:
 * 400 -> WP_EFAIL on a write (the exchange refused), WP_EDATA on a read;
 * 401/403 -> WP_EPERM; 404 -> WP_EUNAVAIL; 405 -> WP_EINTERNAL;
 * 429, 502-504 -> WP_ETEMP; other 5xx -> WP_EUNAVAIL. Consumes reply. */
int brm_status_err(long status, jv reply, int write, const char *what, struct wp_err *err);

/* Reads; each returns 0 with *out, or an error. */
int brm_get(struct brm_session *s, const char *path, jv *out, struct wp_err *err);
int brm_auctions(struct brm_session *s, time_t from, time_t to, jv *out, struct wp_err *err);
int brm_auction(struct brm_session *s, const char *id, jv *out, struct wp_err *err);
/* A3 for one portfolio and area (NULL = all). */
int brm_orders(struct brm_session *s, const char *auction, const char *portfolio,
	       const char *area, jv *out, struct wp_err *err);
/* The ids of the orders among A3's that can still change: neither
 * cancelled nor settled by published results. *ids is always set. */
int brm_live_orders(struct brm_session *s, const char *auction, const char *portfolio,
		    const char *area, jv *ids, struct wp_err *err);
/* A4 (own trades, [] before results) and A5 (area prices). */
int brm_trades(struct brm_session *s, const char *auction, const char *portfolio,
	       const char *area, jv *out, struct wp_err *err);
int brm_prices(struct brm_session *s, const char *auction, jv *out, struct wp_err *err);
/* C2/B2: one order, trying curve orders first; *kind tells which. */
int brm_order_get(struct brm_session *s, const char *id, enum brm_kind *kind, jv *out,
		  struct wp_err *err);
/* C4/B4: every version of one order, oldest first. */
int brm_order_versions(struct brm_session *s, const char *id, jv *out, struct wp_err *err);

/* Fetch what o is checked against in this run (A2, and A3 for its
 * portfolio and area) and validate it: brm_order_validate's *problems
 * (always set, the caller's) and result. */
int brm_order_check(struct brm_session *s, struct brm_order *o, const char *replace,
		    const struct brm_limits *lim, jv *problems, struct wp_err *err);

/* Writes. Each journals the request before sending it and the outcome
 * after, sends it once on a fresh connection, and after an ambiguous
 * failure (no answer, 408, 429, 5xx) reads the orders back, looking for
 * the "wp:" reference it put in the comment. *out (jv_null() when nothing
 * landed) is a record {order_id, kind, auction_id, portfolio, area, state,
 * version, outcome, ref}; outcome is "created", "modified", "cancelled",
 * their "-after-error" forms when the read-back found the write, or
 * "already-cancelled". Errors: WP_EFAIL the exchange refused it (its
 * message in err); WP_ETEMP it did not land (after 429/503) or its state
 * is unknown (err says which); WP_ECANTCREAT the journal failed (before
 * sending: nothing sent; after: *out says what happened). */
int brm_order_place(struct brm_session *s, const struct brm_order *o, const char *replace,
		    jv *out, struct wp_err *err);
int brm_order_cancel(struct brm_session *s, const char *id, jv *out, struct wp_err *err);

/* ---- the command line ----------------------------------------------------- */

/* Options every brm-* program has: they end its table, before { 0 }. */
#define BRM_OPTS \
	{ "env", 0, "ENV", "test (default) or prod; prod writes need it on the command line", WP_COMPLETE_WORDS("test prod") }, \
	{ "user", 'u', "NAME", "BRM user name (default $BRM_USERNAME, [brm] username)", WP_COMPLETE_NONE }, \
	WP_OUTPUT_OPTS, \
	WP_NET_OPTS, \
	WP_COMMON_OPTS

struct brm_ctx {
	struct wp_http http;
	int http_ok;
	struct brm_session s;
	const struct brm_env *env;
	char *password;
	struct wp_tz *tz;         /* Europe/Bucharest, for *_local fields */
	struct wp_tz *day_tz;     /* Europe/Brussels: delivery days are CET days */
};
#define BRM_CTX_INIT { .http_ok = 0 }
/* BRM_WRITE: prod needs --env prod on the command line, the journal is
 * opened, the environment is stated on stderr (also for BRM_DRY_RUN). */
enum brm_mode { BRM_READ, BRM_WRITE, BRM_DRY_RUN };
/* A brm-* program, for brm_main. */
struct brm_prog {
	struct wp_prog cli;
	enum brm_mode mode;       /* a BRM_WRITE program given --dry-run runs as BRM_DRY_RUN */
	/* Command-line checks before anything is opened, and work that needs
	 * no session (it returns WP_DONE when that was all); may be NULL. */
	int (*check)(struct wp_cli *cli, void *arg, struct wp_err *err);
	int (*run)(struct wp_cli *cli, struct brm_ctx *c, void *arg, struct wp_err *err);
};
/* The whole of a brm-* main(): parse argv, check, open the context, run,
 * close, finish; returns the exit status. arg goes to check and run. */
int brm_main(const struct brm_prog *p, int argc, char **argv, void *arg);
/* Environment (--env > BRM_ENV > [brm] env > test), hosts (--base-url >
 * BRM_BASE_URL > [brm] base_url > the environment's; BRM_SSO_URL and
 * BRM_API_URL override one each), user and password, HTTP, token cache. */
int brm_ctx_open(struct brm_ctx *c, struct wp_cli *cli, enum brm_mode mode, struct wp_err *err);
void brm_ctx_close(struct brm_ctx *c);
/* Risk limits from [brm] max_mw, max_notional, band_min, band_max. */
int brm_limits_from_cli(struct wp_cli *cli, struct brm_limits *lim, struct wp_err *err);
/* $XDG_STATE_HOME/wattpipe/brm-journal.ndjson, its directory made (0700)
 * when create; *out malloc'd. */
int brm_journal_path(int create, char **out, struct wp_err *err);
/* The brm_put_fn of a plain writer (arg is the struct wp_writer *). */
int brm_put_writer(jv rec, void *w, struct wp_err *err);
/* Write the record of a write (out, consumed; skipped unless an object)
 * even when rc says its journal line failed: what happened on the
 * exchange is shown whatever else went wrong. Returns rc, else the
 * writer's error (then in err). */
int brm_put_outcome(struct wp_writer *w, jv out, int rc, struct wp_err *err);

/* ---- journal -------------------------------------------------------------- */

/* Append one entry (consumed) as an NDJSON line with "time" set, then
 * fsync. The directory is created 0700, the file 0600. */
int brm_journal_append(const char *path, jv entry, struct wp_err *err);

/* ---- records --------------------------------------------------------------- */

/* Flat output records; tz is the market clock for the *_local fields.
 * Each calls put(rec, arg) per record (consumed) and stops at its first
 * error. */
typedef int (*brm_put_fn)(jv rec, void *arg, struct wp_err *err);
int brm_rec_auctions(jv auctions, brm_put_fn put, void *arg, struct wp_err *err);
int brm_rec_contracts(jv auction, const struct wp_tz *tz, brm_put_fn put, void *arg,
		      struct wp_err *err);
int brm_rec_portfolios(jv auction, brm_put_fn put, void *arg, struct wp_err *err);
int brm_rec_orders(jv orders, brm_put_fn put, void *arg, struct wp_err *err);
/* One record per curve point or block period, in brm-order's input shape. */
int brm_rec_order_rows(jv order, brm_put_fn put, void *arg, struct wp_err *err);
int brm_rec_prices(jv prices, const struct wp_tz *tz, brm_put_fn put, void *arg,
		   struct wp_err *err);
int brm_rec_trades(jv trades, const struct wp_tz *tz, brm_put_fn put, void *arg,
		   struct wp_err *err);

/* Small jv helpers shared by the brm files. */
jv brm_field(jv o, const char *key);            /* value, or invalid; o not consumed */
jv brm_array(jv o, const char *key);            /* array, or an empty one; o not consumed */
/* The state of an order, or of a block list's first block, by name even
 * when the API sends its number; null if none. order not consumed. */
jv brm_order_state(jv order);
/* 1 when that state is state ("Cancelled"), else 0; order not consumed. */
int brm_order_in_state(jv order, const char *state);
/* The first object of list whose key is the string value, or null; list
 * not consumed. */
jv brm_find(jv list, const char *key, const char *value);
const char *brm_str(jv o, const char *key);     /* borrowed string or NULL; o not consumed */
double brm_num(jv o, const char *key);          /* number or NaN; o not consumed */
int brm_time(jv o, const char *key, time_t *t); /* 0 or -1; o not consumed */

#endif
