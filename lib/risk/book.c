/* book.c: what var-calc, var-stress and var-backtest share: the series
 * and positions from the command line and input records. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "wp.h"
#include "risk/risk.h"
#include "risk/run.h"

void risk_book_release(struct risk_book *b)
{
	risk_series_release(&b->s);
	free(b->w);
	free(b->shown);
	*b = (struct risk_book)RISK_BOOK_INIT;
}

/* "NAME=NUMBER" (NAME may hold '='; the last one splits). */
static int parse_assign(const char *opt, const char *arg, char **name, double *v,
			struct wp_err *err)
{
	const char *eq = strrchr(arg, '=');
	char *end;

	if (!eq || eq == arg)
		return wp_err_set(err, WP_EUSAGE, "--%s '%s': want INSTRUMENT=NUMBER", opt, arg);
	errno = 0;
	*v = strtod(eq + 1, &end);
	if (errno || end == eq + 1 || *end || !isfinite(*v))
		return wp_err_set(err, WP_EUSAGE, "--%s '%s': '%s' is not a number", opt, arg,
				  eq + 1);
	if (!(*name = strndup(arg, (size_t)(eq - arg))))
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	return 0;
}

/* --position / --weight into a k-vector; mark[j] = 1 for the named ones. */
static int assignments(struct wp_cli *cli, const char *opt, const struct risk_series *s,
		       double *v, int *mark, struct wp_err *err)
{
	int n = wp_cli_count(cli, opt), rc = 0;

	for (int i = 0; i < n && rc == 0; i++) {
		char *name = NULL;
		double x = 0;
		if ((rc = parse_assign(opt, wp_cli_nth(cli, opt, i), &name, &x, err)))
			break;
		int j = risk_series_find(s, name);
		if (j < 0) {
			char have[400] = "";
			size_t len = 0;
			for (size_t q = 0; q < s->k && len < sizeof(have) - 2; q++)
				len += (size_t)snprintf(have + len, sizeof(have) - len, "%s%s",
							q ? ", " : "", s->names[q]);
			rc = wp_err_set(err, WP_EUSAGE, "--%s %s: no such instrument in the input (it has %s)",
					opt, name, have);
		} else if (mark[j]) {
			rc = wp_err_set(err, WP_EUSAGE, "--%s %s given twice", opt, name);
		} else {
			v[j] = x;
			mark[j] = 1;
		}
		free(name);
	}
	return rc;
}

static int add_record(void *b, jv rec, const char *name, long line, struct wp_err *err)
{
	char where[64];

	snprintf(where, sizeof(where), "%s:%ld", name, line);
	return risk_builder_add(b, rec, where, err);
}

static int read_records(struct wp_cli *cli, struct risk_series *s, struct wp_err *err)
{
	struct risk_input in = { wp_cli_get(cli, "date"), wp_cli_get(cli, "key"),
				 wp_cli_get(cli, "value") };
	struct risk_builder *b = NULL;
	int rc;

	if (cli->argc > 1)
		return wp_err_set(err, WP_EUSAGE, "one input file at most (got %d)", cli->argc);
	if (!(rc = risk_builder_new(&b, &in, err)) &&
	    !(rc = wp_cli_read(cli, cli->argc ? cli->argv[0] : NULL, add_record, b, err)))
		rc = risk_builder_finish(b, s, err);
	risk_builder_free(b);
	return rc;
}

int risk_book_from_cli(struct risk_book *b, struct wp_cli *cli, int levels, struct wp_err *err)
{
	struct risk_series *s = &b->s;
	const char *ret = wp_cli_get(cli, "returns");
	int from_prices = wp_cli_has(cli, "from-prices") || levels;
	int npos = wp_cli_count(cli, "position"), nw = wp_cli_count(cli, "weight");
	int *mark = NULL, rc;
	enum risk_transform t = RISK_LEVELS;

	if (ret && strcmp(ret, "log") != 0 && strcmp(ret, "simple") != 0)
		return wp_err_set(err, WP_EUSAGE, "--returns '%s': log or simple", ret);
	if (ret && from_prices)
		return wp_err_set(err, WP_EUSAGE,
				  "--returns and --from-prices exclude each other: P&L comes from "
				  "price differences, returns from price ratios");
	if (npos && nw)
		return wp_err_set(err, WP_EUSAGE, "--position and --weight exclude each other");
	if (npos && !from_prices)
		return wp_err_set(err, WP_EUSAGE,
				  "--position (MW) applies to prices: add --from-prices, or use "
				  "--weight for returns");
	if (nw && from_prices)
		return wp_err_set(err, WP_EUSAGE,
				  "--weight applies to returns; with prices give --position NAME=MW");
	if (levels && !npos)
		return wp_err_set(err, WP_EUSAGE, "give the book as --position INSTRUMENT=MW");
	if ((rc = read_records(cli, s, err)))
		return rc;
	if (s->dropped)
		wp_cli_note(cli, "%zu date%s dropped: not every instrument has a value there",
			    s->dropped, s->dropped == 1 ? "" : "s");
	b->pnl = from_prices || wp_cli_has(cli, "pnl");
	b->from_prices = from_prices;

	/* weights: named ones only; none named: every instrument, no portfolio
	 * unless prices make one (1 MW each) */
	size_t k = s->k;
	b->w = calloc(k, sizeof(double));
	b->shown = calloc(k, sizeof(double));
	mark = calloc(k, sizeof(int));
	if (!b->w || !b->shown || !mark) {
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
		goto out;
	}
	if ((rc = assignments(cli, npos ? "position" : "weight", s, b->shown, mark, err)))
		goto out;
	if (npos || nw) {
		if ((rc = risk_series_select(s, mark, err)))
			goto out;
		size_t q = 0;
		for (size_t j = 0; j < k; j++)
			if (mark[j])
				b->shown[q++] = b->shown[j];
		k = s->k;
		b->portfolio = k > 1;
	} else {
		for (size_t j = 0; j < k; j++)
			b->shown[j] = 1;
		b->portfolio = from_prices && k > 1;
		if (from_prices && !levels)
			wp_cli_note(cli, "no --position: 1 MW of each instrument");
	}
	if (levels)
		goto out;
	t = from_prices ? RISK_DIFF : !ret ? RISK_LEVELS : strcmp(ret, "log") == 0 ? RISK_LOG
										   : RISK_SIMPLE;
	if ((rc = risk_series_transform(s, t, err)))
		goto out;
	/* P&L of a position: MW times the price change; the book is their sum */
	if (from_prices) {
		risk_series_scale(s, b->shown);
		for (size_t j = 0; j < k; j++)
			b->w[j] = 1;
	} else {
		memcpy(b->w, b->shown, k * sizeof(double));
	}
out:
	free(mark);
	return rc;
}
