/* pjm-nodes: PJM pricing nodes (the pnode feed), to find ids and names. */
#include <stdlib.h>

#include "wp.h"
#include "pjm/pjm.h"

static const struct wp_opt opts[] = {
	PJM_TYPE_OPT,
	{ "name", 0, "PATTERN", "node name, * matches any text ('*HUB*')", WP_COMPLETE_NONE },
	{ "zone", 0, "ZONE", "only nodes in this transmission zone", WP_COMPLETE_NONE },
	{ "all", 'a', NULL, "include terminated nodes", WP_COMPLETE_NONE },
	WP_OUTPUT_OPTS,
	WP_NET_OPTS,
	WP_COMMON_OPTS,
	{ 0 },
};

static const struct wp_prog prog = {
	"pjm-nodes", "PJM pricing nodes: ids, names, types and zones", "[options]", opts, "pjm",
};

int main(int argc, char **argv)
{
	struct wp_cli cli = WP_CLI_INIT;
	struct wp_err err = WP_ERR_INIT;
	struct pjm_session s = PJM_SESSION_INIT;
	struct wp_writer *w;
	int rc;

	if ((rc = wp_cli_init(&cli, &prog, argc, argv, &err)) == 0 &&
	    (rc = pjm_session_open(&s, &cli, PJM_CMD_NODES, 0, &err)) == 0 &&
	    (rc = wp_cli_writer(&cli, pjm_node_columns, &w, &err)) == 0)
		rc = pjm_nodes_fetch(&s.c, &s.nq, w, &err);
	pjm_session_close(&s);
	return wp_cli_finish(&cli, rc, &err);
}
