/* cmd.h: what the rec-* commands share: option groups and the bridge from
 * a parsed command line (core cli.h) to the ledger. */
#ifndef CERTS_CMD_H
#define CERTS_CMD_H

#include "wp.h"
#include "certs/certs.h"

#define CERT_LEDGER_OPTS \
	{ "db", 0, "PATH", "ledger file (default $XDG_DATA_HOME/wattpipe/rec.db)", WP_COMPLETE_FILE }, \
	{ "busy-timeout", 0, "MS", "wait this long for another writer (default 5000)", WP_COMPLETE_NONE }

#define CERT_FILTER_OPTS \
	{ "registry", 0, "NAME", "only this registry", WP_COMPLETE_WORDS("M-RETS NAR WREGIS PJM-GATS") }, \
	{ "account", 0, "ID", "only this account", WP_COMPLETE_NONE }, \
	{ "state", 0, "XX", "eligible for this state (two-letter code)", WP_COMPLETE_NONE }, \
	{ "year", 0, "YEAR", "eligible for this compliance year (vintage year, see --banking-years)", WP_COMPLETE_NONE }, \
	{ "banking-years", 0, "N", "vintages up to N years before --year also qualify (default 0)", WP_COMPLETE_NONE }, \
	{ "fuel", 0, "FUEL", "only this fuel", WP_COMPLETE_NONE }, \
	{ "generator", 0, "ID", "only this generator id", WP_COMPLETE_NONE }, \
	{ "vintage-from", 0, "YYYY-MM", "vintages from this month", WP_COMPLETE_NONE }, \
	{ "vintage-to", 0, "YYYY-MM", "vintages up to this month", WP_COMPLETE_NONE }

#define CERT_MOVE_OPTS \
	{ "serial", 0, "RANGE", "move exactly this range, '<base>-<start> to <end>'", WP_COMPLETE_NONE }, \
	{ "quantity", 'n', "N", "move N certificates chosen by the policy", WP_COMPLETE_NONE }, \
	{ "oldest-vintage-first", 0, NULL, "policy for --quantity (the default and only one)", WP_COMPLETE_NONE }

/* The ledger by --db > $WATTPIPE_REC_DB > config [rec] db > XDG data dir,
 * with --busy-timeout > config [rec] busy_timeout > 5000 ms, and the
 * actor for the audit from config [rec] actor > $USER. */
int cert_cmd_ledger(struct wp_cli *cli, int readonly, struct cert_ledger **l, struct wp_err *err);
/* The filter and move options into sel (strings borrowed from cli). */
int cert_cmd_select(struct wp_cli *cli, struct cert_select *sel, struct wp_err *err);
/* The same for rec-retire and rec-transfer, which need exactly one of
 * --serial and --quantity. */
int cert_cmd_move_select(struct wp_cli *cli, struct cert_select *sel, struct wp_err *err);
/* The rest of rec-retire (r set) and rec-transfer (to set) once their
 * options are read: with --mrets only M-RETS certificates are selected
 * and, unless dry_run, the move is filed there before the ledger commits;
 * the pieces moved go to the writer with columns cols. */
int cert_cmd_move(struct wp_cli *cli, struct cert_select *sel, const struct cert_retirement *r,
		  const char *to, int dry_run, const char *const *cols, struct wp_err *err);
/* A cert_emit_fn writing to a struct wp_writer (the ctx). */
int cert_cmd_emit(void *w, jv rec, struct wp_err *err);
/* A reference file: option > config [rec] key > SHAREDIR/name, where
 * SHAREDIR is share/wattpipe next to the program's bin directory. *out is
 * malloc'd. */
int cert_cmd_datafile(struct wp_cli *cli, const char *opt, const char *key, const char *name,
		      char **out, struct wp_err *err);

#endif
