/* brm-order: validate and place a BRM curve or block order from records. */
#include <stdlib.h>
#include <string.h>

#include "wp.h"
#include "brm/brm.h"

static const struct wp_opt opts[] = {
	{ "auction", 'a', "AUCTION", "auction id (brm-auctions --state Open)", WP_COMPLETE_NONE },
	{ "portfolio", 'p', "NAME", "portfolio name or id", WP_COMPLETE_NONE },
	{ "area", 0, "AREA", "delivery area (default: the portfolio's only area)", WP_COMPLETE_NONE },
	{ "comment", 0, "TEXT", "comment stored with the order (at most 219 characters)", WP_COMPLETE_NONE },
	{ "replace", 0, "ORDER_ID", "replace this order's curves or blocks (PATCH)", WP_COMPLETE_NONE },
	{ "dry-run", 'n', NULL, "validate, print the JSON that would be sent, send nothing", WP_COMPLETE_NONE },
	{ "rules", 0, NULL, "list the validation rules and risk limits, and exit", WP_COMPLETE_NONE },
	{ "input", 'i', "FORMAT", "input format: ndjson or csv (default: detect)", WP_COMPLETE_WORDS("ndjson csv") },
	BRM_OPTS,
	{ 0 },
};

static const char *const result_cols[] = { "order_id", "kind", "auction_id", "portfolio", "area",
					   "state", "version", "outcome", "ref", NULL };

static int rules(struct wp_cli *cli, struct wp_err *err)
{
	static const char *const cols[] = { "rule", "applies_to", "text", NULL };
	static const char *const scope[] = { "order", "curve", "point", "block", "period" };
	struct wp_writer *w;
	int rc;

	if ((rc = wp_cli_writer(cli, cols, &w, err)))
		return rc;
	for (const struct brm_rule *r = brm_rules; r->id && rc == 0; r++) {
		jv rec = jv_object_set(jv_object(), jv_string("rule"), jv_string(r->id));
		rec = jv_object_set(rec, jv_string("applies_to"), jv_string(scope[r->scope]));
		rec = jv_object_set(rec, jv_string("text"), jv_string(r->text));
		rc = wp_writer_put(w, rec, err);
	}
	return rc;
}

/* Every row first: a bad row stops everything before the network is used. */
static int read_rows(struct wp_cli *cli, struct brm_order *o, struct wp_err *err)
{
	struct wp_reader *r;
	FILE *f;
	jv rec;
	int rc;

	if (cli->argc > 1)
		return wp_err_set(err, WP_EUSAGE, "one input file at most");
	if ((rc = wp_cli_reader(cli, cli->argc ? cli->argv[0] : NULL, &r, &f, err)))
		return rc;
	o->src = cli->argc && strcmp(cli->argv[0], "-") ? cli->argv[0] : "stdin";
	while ((rc = wp_reader_next(r, &rec, err)) == 0 && jv_is_valid(rec))
		if ((rc = brm_order_add(o, rec, wp_reader_line(r), err)))
			break;
	wp_reader_free(r);
	if (f)
		fclose(f);
	if (rc == 0 && o->nrows == 0)
		rc = wp_err_set(err, WP_EDATA, "%s: no order rows", o->src);
	return rc;
}

static int run(struct wp_cli *cli, struct brm_ctx *c, void *arg, struct wp_err *err)
{
	struct brm_order *o = arg;
	struct brm_limits lim = BRM_LIMITS_INIT;
	const char *replace = wp_cli_get(cli, "replace");
	struct wp_writer *w;
	jv problems, out;
	int rc;

	if ((rc = brm_limits_from_cli(cli, &lim, err)))
		return rc;
	rc = brm_order_check(&c->s, o, replace, &lim, &problems, err);
	jv_array_foreach(problems, i, p) {
		wp_cli_warn(cli, "%s", jv_string_value(p));
		jv_free(p);
	}
	jv_free(problems);
	if (rc)
		return rc;
	if (wp_cli_has(cli, "dry-run")) {
		char ref[40];
		if ((rc = brm_ref_new(ref, err)))
			return rc;
		jv d = jv_dump_string(brm_order_json(o, ref, replace != NULL), 0);
		fprintf(cli->out, "%s\n", jv_string_value(d));
		jv_free(d);
		wp_cli_note(cli, "dry run: would %s %s/%s%s%s; nothing sent", replace ? "PATCH" : "POST",
			    c->s.api_url, o->kind == BRM_CURVE ? "curveorders" : "blockorders",
			    replace ? "/" : "", replace ? replace : "");
		return 0;
	}
	if ((rc = wp_cli_writer(cli, result_cols, &w, err)))
		return rc;
	rc = brm_order_place(&c->s, o, replace, &out, err);
	return brm_put_outcome(w, out, rc, err);
}

static int opt_copy(struct wp_cli *cli, const char *name, int required, char **out,
		    struct wp_err *err)
{
	const char *v = wp_cli_get(cli, name);

	if (!v)
		return required ? wp_err_set(err, WP_EUSAGE, "--%s is required", name) : 0;
	return (*out = strdup(v)) ? 0 : wp_err_set(err, WP_EINTERNAL, "out of memory");
}

/* --rules needs no session; an order is read whole before one is opened. */
static int check(struct wp_cli *cli, void *arg, struct wp_err *err)
{
	struct brm_order *o = arg;
	int rc;

	if (wp_cli_has(cli, "rules"))
		return (rc = rules(cli, err)) ? rc : WP_DONE;
	if ((rc = opt_copy(cli, "auction", 1, &o->auction, err)) ||
	    (rc = opt_copy(cli, "portfolio", 1, &o->portfolio, err)) ||
	    (rc = opt_copy(cli, "area", 0, &o->area, err)) ||
	    (rc = opt_copy(cli, "comment", 0, &o->comment, err)))
		return rc;
	return read_rows(cli, o, err);
}

static const struct brm_prog prog = {
	{ "brm-order", "validate and place a BRM day-ahead curve or block order", "[options] [FILE]",
	  opts, "brm" },
	BRM_WRITE, check, run,
};

int main(int argc, char **argv)
{
	struct brm_order o = BRM_ORDER_INIT;
	int rc = brm_main(&prog, argc, argv, &o);

	brm_order_release(&o);
	return rc;
}
