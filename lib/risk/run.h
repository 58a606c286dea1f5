/* run.h: the three risk commands' work, between the option table and the
 * records: var-calc, var-stress and var-backtest.
 *
 * Each *_run computes every record before returning them as one jv array,
 * so a failure half-way leaves nothing on stdout. The arrays belong to the
 * caller; risk_write writes and consumes one. Notices (dates dropped,
 * capped figures) go to stderr through wp_cli_note in the _from_cli and
 * write helpers, never from the computations.
 */
#ifndef RISK_RUN_H
#define RISK_RUN_H

#include "wp.h"
#include "risk/risk.h"

/* Input options every risk command takes: where the series is in the records. */
#define RISK_SERIES_OPTS \
	{ "date", 0, "FIELD", "date field to align on (default date, else interval_start_utc)", WP_COMPLETE_NONE }, \
	{ "key", 0, "FIELD", "long records: instrument field (default instrument, else location)", WP_COMPLETE_NONE }, \
	{ "value", 0, "FIELD", "long records: value field (default value, else lmp)", WP_COMPLETE_NONE }
/* ... and what it means: returns, P&L, or prices and positions. */
#define RISK_BOOK_OPTS \
	RISK_SERIES_OPTS, \
	{ "from-prices", 0, NULL, "input is prices: P&L = MW position x price difference", WP_COMPLETE_NONE }, \
	{ "returns", 0, "KIND", "input is prices: use log or simple returns (positive prices only)", WP_COMPLETE_WORDS("log simple") }, \
	{ "position", 'p', "NAME=MW", "position in an instrument (with --from-prices; repeatable)", WP_COMPLETE_NONE }, \
	{ "weight", 'w', "NAME=W", "portfolio weight of an instrument's returns (repeatable)", WP_COMPLETE_NONE }, \
	{ "pnl", 0, NULL, "input values are P&L in money, not returns (no cap at 1)", WP_COMPLETE_NONE }

struct risk_book {
	struct risk_series s; /* what is measured: returns, or position P&L per instrument */
	double *w;            /* k weights used in the portfolio (1 each for position P&L) */
	double *shown;        /* k weights or MW positions as the user gave them */
	int pnl;              /* money, not returns: no sanity cap */
	int from_prices;
	int portfolio;        /* a portfolio record is wanted */
};
#define RISK_BOOK_INIT { RISK_SERIES_INIT, NULL, NULL, 0, 0, 0 }
/* Reads the input named by the operand (or stdin). levels: keep prices
 * as they are (var-stress) and require --position. */
int risk_book_from_cli(struct risk_book *b, struct wp_cli *cli, int levels, struct wp_err *err);
void risk_book_release(struct risk_book *b);

/* Confidence levels from repeated or comma-separated -c, in [0.5, 1). */
int risk_confidences_from_cli(struct wp_cli *cli, const char *def, double *conf, size_t max,
			      size_t *n, struct wp_err *err);

/* Write the records of arr (consumed) through the command's writer. */
int risk_write(struct wp_cli *cli, const char *const *columns, jv arr, struct wp_err *err);

/* ---- var-calc ---- */
struct risk_calc {
	unsigned methods;     /* bit (1 << enum risk_method) */
	double conf[16];
	size_t nconf;
	double horizon;       /* days; figures scale by sqrt(horizon) */
	int as_return, es_nonop;
	struct risk_mc mc;
	/* filled by risk_calc_run */
	long inverse, capped, es_empty, repaired;
};
extern const char *const risk_calc_columns[];
int risk_calc_from_cli(struct risk_calc *c, struct wp_cli *cli, struct wp_err *err);
int risk_calc_run(struct risk_calc *c, const struct risk_book *b, jv *out, struct wp_err *err);

/* ---- var-backtest ---- */
struct risk_bt_opts {
	enum risk_method method;
	double conf;
	size_t window;
	int summary_only;
};
extern const char *const risk_backtest_columns[];
int risk_bt_from_cli(struct risk_bt_opts *o, struct wp_cli *cli, struct wp_err *err);
int risk_bt_run(const struct risk_bt_opts *o, const struct risk_book *b, jv *out,
		struct wp_err *err);

/* ---- var-stress ---- */
extern const char *const risk_stress_columns[];
int risk_stress_from_cli(struct risk_scenarios *sc, double *conf, struct wp_cli *cli,
			 struct wp_err *err);
int risk_stress_all(const struct risk_scenarios *sc, double conf, const struct risk_book *b,
		    jv *out, long *repaired, struct wp_err *err);

#endif
