/* brm-cancel: cancel BRM orders (PATCH with an empty list, as the API
 * defines); one by id, or every live order of an auction. */
#include <unistd.h>

#include "wp.h"
#include "brm/brm.h"

static const struct wp_opt opts[] = {
	{ "all", 0, NULL, "every live order of --auction (and --portfolio, --area)", WP_COMPLETE_NONE },
	{ "auction", 'a', "AUCTION", "the auction, with --all", WP_COMPLETE_NONE },
	{ "portfolio", 'p', "NAME", "only this portfolio's orders, with --all", WP_COMPLETE_NONE },
	{ "area", 0, "AREA", "only orders for this area, with --all", WP_COMPLETE_NONE },
	{ "yes", 'y', NULL, "do not ask; needed for --all when stdin is not a terminal", WP_COMPLETE_NONE },
	{ "dry-run", 'n', NULL, "list what would be cancelled, send nothing", WP_COMPLETE_NONE },
	BRM_OPTS,
	{ 0 },
};

static const char *const cols[] = { "order_id", "kind", "auction_id", "portfolio", "area",
				    "state", "version", "outcome", "ref", NULL };

/* Ask on the terminal; a script says --yes. */
static int confirm(struct wp_cli *cli, struct brm_ctx *c, int n, struct wp_err *err)
{
	char line[16];

	if (wp_cli_has(cli, "yes"))
		return 0;
	if (!isatty(STDIN_FILENO)) {
		if (!wp_cli_has(cli, "all"))
			return 0;
		return wp_err_set(err, WP_EUSAGE, "--all needs --yes when stdin is not a terminal");
	}
	fprintf(cli->errs, "%s: cancel %d order%s in %s on %s? [y/N] ", cli->prog->name, n,
		n == 1 ? "" : "s", wp_cli_get(cli, "auction") ? wp_cli_get(cli, "auction") : "BRM",
		c->s.env);
	fflush(cli->errs);
	if (!fgets(line, sizeof line, stdin) || (line[0] != 'y' && line[0] != 'Y'))
		return wp_err_set(err, WP_EFAIL, "nothing cancelled");
	return 0;
}

static int check(struct wp_cli *cli, void *arg, struct wp_err *err)
{
	int all = wp_cli_has(cli, "all");

	if (all && cli->argc)
		return wp_err_set(err, WP_EUSAGE, "order ids or --all, not both");
	if (all && !wp_cli_get(cli, "auction"))
		return wp_err_set(err, WP_EUSAGE, "--all needs --auction");
	if (!all && !cli->argc)
		return wp_err_set(err, WP_EUSAGE, "which order? give ORDER_ID or --all --auction A");
	return 0;
}

static int run(struct wp_cli *cli, struct brm_ctx *c, void *arg, struct wp_err *err)
{
	struct wp_writer *w;
	jv ids;
	int rc, first = 0, n;

	if (wp_cli_has(cli, "all")) {
		if ((rc = brm_live_orders(&c->s, wp_cli_get(cli, "auction"),
					  wp_cli_get(cli, "portfolio"), wp_cli_get(cli, "area"), &ids,
					  err))) {
			jv_free(ids);
			return rc;
		}
	} else {
		ids = jv_array();
		for (int i = 0; i < cli->argc; i++)
			ids = jv_array_append(ids, jv_string(cli->argv[i]));
	}
	n = jv_array_length(jv_copy(ids));
	if (n == 0) {
		jv_free(ids);
		wp_cli_note(cli, "no live orders to cancel");
		return 0;
	}
	if ((rc = wp_cli_writer(cli, cols, &w, err)) ||
	    (!wp_cli_has(cli, "dry-run") && (rc = confirm(cli, c, n, err)))) {
		jv_free(ids);
		return rc;
	}
	/* Each order on its own: one failure does not stop the others. */
	jv_array_foreach(ids, i, id) {
		struct wp_err e = WP_ERR_INIT;
		jv out = jv_null();
		if (wp_cli_has(cli, "dry-run")) {
			out = jv_object_set(jv_object(), jv_string("order_id"), jv_copy(id));
			out = jv_object_set(out, jv_string("outcome"), jv_string("would-cancel"));
			rc = 0;
		} else {
			rc = brm_order_cancel(&c->s, jv_string_value(id), &out, &e);
		}
		rc = brm_put_outcome(w, out, rc, &e);
		if (rc) {
			wp_cli_warn(cli, "%s: %s", jv_string_value(id), e.msg);
			if (!first) {
				first = rc;
				*err = e;
				err->msg[0] = '\0'; /* already printed */
			}
		}
		jv_free(id);
	}
	jv_free(ids);
	return first;
}

static const struct brm_prog prog = {
	{ "brm-cancel", "cancel BRM day-ahead orders", "[options] ORDER_ID... | --all --auction AUCTION",
	  opts, "brm" },
	BRM_WRITE, check, run,
};

int main(int argc, char **argv)
{
	return brm_main(&prog, argc, argv, NULL);
}
