/* ledger.h: internals shared by the certs/ files; not for commands. */
#ifndef CERTS_LEDGER_H
#define CERTS_LEDGER_H

#include <sqlite3.h>

#include "certs/certs.h"

struct cert_ledger {
	sqlite3 *db;
	char *path;
	struct cert_ledger_opts o;
	long long seq; /* audit seq of the open transaction */
};

int cert_db_err(struct cert_ledger *l, int rc, const char *what, struct wp_err *err);
int cert_exec(struct cert_ledger *l, const char *sql, const char *what, struct wp_err *err);
int cert_prepare(struct cert_ledger *l, sqlite3_stmt **st, const char *sql, struct wp_err *err);
/* BEGIN IMMEDIATE and reserve the next audit seq in l->seq. */
int cert_txn_begin(struct cert_ledger *l, struct wp_err *err);
/* COMMIT, or ROLLBACK when commit is 0. */
int cert_txn_end(struct cert_ledger *l, int commit, struct wp_err *err);
/* Append the audit row l->seq for the open transaction; consumes detail. */
int cert_audit_append(struct cert_ledger *l, const char *operation, jv detail,
		      struct wp_err *err);

#endif
