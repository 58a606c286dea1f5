/* audit.c: the append-only audit table, each row chained to the one before
 * by SHA-256 over its own fields and the previous row's hash. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "wp.h"
#include "certs/certs.h"
#include "certs/ledger.h"

static const char genesis[] =
	"0000000000000000000000000000000000000000000000000000000000000000";

/* The hashed text: fields joined by a NUL byte (which none can contain). */
static void row_hash(long long seq, const char *time_utc, const char *actor, const char *op,
		     const char *detail, const char *prev, char out[65])
{
	struct cert_sha256 h;
	char num[24];
	const char *f[6];
	int i;

	snprintf(num, sizeof num, "%lld", seq);
	f[0] = num, f[1] = time_utc, f[2] = actor, f[3] = op, f[4] = detail, f[5] = prev;
	cert_sha256_init(&h);
	for (i = 0; i < 6; i++)
		cert_sha256_update(&h, f[i], strlen(f[i]) + 1);
	cert_sha256_hex(&h, out);
}

int cert_audit_append(struct cert_ledger *l, const char *operation, jv detail,
		      struct wp_err *err)
{
	sqlite3_stmt *st;
	char prev[65], hash[65], when[WP_TIME_MAX];
	jv text;
	int rc;

	wp_fmt_utc(l->o.now ? l->o.now : time(NULL), when);
	text = jv_dump_string(detail, JV_PRINT_SORTED);
	if ((rc = cert_prepare(l, &st, "SELECT hash FROM audit ORDER BY seq DESC LIMIT 1", err)))
		goto out;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(prev, sizeof prev, "%s", (const char *)sqlite3_column_text(st, 0));
	else
		memcpy(prev, genesis, sizeof prev);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		rc = cert_db_err(l, rc, "read audit", err);
		goto out;
	}
	row_hash(l->seq, when, l->o.actor, operation, jv_string_value(text), prev, hash);
	if ((rc = cert_prepare(l, &st, "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?)", err)))
		goto out;
	sqlite3_bind_int64(st, 1, l->seq);
	sqlite3_bind_text(st, 2, when, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, l->o.actor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, operation, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, jv_string_value(text), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, prev, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, hash, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	rc = rc == SQLITE_DONE ? 0 : cert_db_err(l, rc, "append audit row", err);
out:
	jv_free(text);
	return rc;
}

static const char *col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}

int cert_audit_list(struct cert_ledger *l, cert_emit_fn emit, void *ctx, struct wp_err *err)
{
	sqlite3_stmt *st;
	int rc, erc = 0;

	if ((rc = cert_prepare(l, &st,
			       "SELECT seq, time_utc, actor, operation, detail, prev_hash, hash"
			       " FROM audit ORDER BY seq",
			       err)))
		return rc;
	while (!erc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		jv detail = jv_parse(col(st, 4));
		jv r = jv_object();

		if (!jv_is_valid(detail)) {
			jv_free(detail);
			detail = jv_string(col(st, 4));
		}
		r = jv_object_set(r, jv_string("seq"), jv_number((double)sqlite3_column_int64(st, 0)));
		r = jv_object_set(r, jv_string("time_utc"), jv_string(col(st, 1)));
		r = jv_object_set(r, jv_string("actor"), jv_string(col(st, 2)));
		r = jv_object_set(r, jv_string("operation"), jv_string(col(st, 3)));
		r = jv_object_set(r, jv_string("detail"), detail);
		r = jv_object_set(r, jv_string("prev_hash"), jv_string(col(st, 5)));
		r = jv_object_set(r, jv_string("hash"), jv_string(col(st, 6)));
		erc = emit(ctx, r, err);
	}
	sqlite3_finalize(st);
	if (erc)
		return erc;
	return rc == SQLITE_DONE ? 0 : cert_db_err(l, rc, "read audit", err);
}

int cert_audit_verify(struct cert_ledger *l, long *rows, struct wp_err *err)
{
	sqlite3_stmt *st;
	char prev[65], hash[65];
	long long want = 1, maxref = 0;
	int rc;

	*rows = 0;
	memcpy(prev, genesis, sizeof prev);
	if ((rc = cert_prepare(l, &st,
			       "SELECT seq, time_utc, actor, operation, detail, prev_hash, hash"
			       " FROM audit ORDER BY seq",
			       err)))
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long seq = sqlite3_column_int64(st, 0);

		if (seq != want) {
			rc = wp_err_set(err, WP_EFAIL, "audit row %lld: expected row %lld (a row "
						       "was removed or inserted)",
					seq, want);
			goto out;
		}
		if (strcmp(col(st, 5), prev) != 0) {
			rc = wp_err_set(err, WP_EFAIL,
					"audit row %lld: previous hash does not match row %lld",
					seq, seq - 1);
			goto out;
		}
		row_hash(seq, col(st, 1), col(st, 2), col(st, 3), col(st, 4), prev, hash);
		if (strcmp(hash, col(st, 6)) != 0) {
			rc = wp_err_set(err, WP_EFAIL,
					"audit row %lld: hash does not match its content (altered)",
					seq);
			goto out;
		}
		memcpy(prev, hash, sizeof prev);
		want++;
		(*rows)++;
	}
	if (rc != SQLITE_DONE) {
		rc = cert_db_err(l, rc, "read audit", err);
		goto out;
	}
	sqlite3_finalize(st);
	/* Every batch and piece names the audit row that made it: a missing
	 * tail of the chain shows up here. */
	if ((rc = cert_prepare(l, &st,
			       "SELECT max(coalesce((SELECT max(audit_seq) FROM batch), 0),"
			       " coalesce((SELECT max(audit_seq) FROM piece), 0))",
			       err)))
		return rc;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		maxref = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_ROW)
		return cert_db_err(l, rc, "read ledger", err);
	if (maxref >= want)
		return wp_err_set(err, WP_EFAIL,
				  "the ledger names audit row %lld, the audit table ends at %lld "
				  "(rows removed)",
				  maxref, want - 1);
	return cert_ledger_check(l, err);
out:
	sqlite3_finalize(st);
	return rc;
}
