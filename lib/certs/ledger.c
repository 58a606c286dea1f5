/* ledger.c: the REC ledger on SQLite: schema and migrations, import,
 * selection, split-on-move, the conservation check. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "wp.h"
#include "certs/certs.h"
#include "certs/ledger.h"

/* Migrations: entry i takes the schema from version i to i + 1. Add a
 * step at the end; never edit one that shipped. */
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE batch ("
	" id INTEGER PRIMARY KEY,"
	" registry TEXT NOT NULL, serial TEXT NOT NULL, serial_base TEXT NOT NULL,"
	" serial_start INTEGER NOT NULL CHECK (serial_start >= 1),"
	" serial_end INTEGER NOT NULL,"
	" certificates INTEGER NOT NULL CHECK (certificates = serial_end - serial_start + 1),"
	" mwh REAL NOT NULL CHECK (mwh >= 0),"
	" vintage TEXT NOT NULL, generator_id TEXT, generator_name TEXT, eia_plant_id TEXT,"
	" state TEXT, fuel TEXT, eligibilities TEXT NOT NULL, egrid_region TEXT,"
	" audit_seq INTEGER NOT NULL);"
	"CREATE INDEX batch_serial ON batch(registry, serial_base, serial_start);"
	"CREATE INDEX batch_vintage ON batch(vintage, registry, serial_base, serial_start);"
	"CREATE TABLE piece ("
	" id INTEGER PRIMARY KEY,"
	" batch_id INTEGER NOT NULL REFERENCES batch(id),"
	" parent_id INTEGER REFERENCES piece(id),"
	" live INTEGER NOT NULL DEFAULT 1 CHECK (live IN (0, 1)),"
	" serial_start INTEGER NOT NULL, serial_end INTEGER NOT NULL,"
	" certificates INTEGER NOT NULL CHECK (certificates = serial_end - serial_start + 1),"
	" mwh REAL NOT NULL,"
	" status TEXT NOT NULL"
	"  CHECK (status IN ('active','pending','retired','exported','residual')),"
	" account_id TEXT, subaccount_id TEXT, retirement TEXT,"
	" audit_seq INTEGER NOT NULL);"
	"CREATE INDEX piece_live ON piece(batch_id, serial_start) WHERE live = 1;"
	"CREATE TABLE audit ("
	" seq INTEGER PRIMARY KEY, time_utc TEXT NOT NULL, actor TEXT NOT NULL,"
	" operation TEXT NOT NULL, detail TEXT NOT NULL,"
	" prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
	/* Append-only for everyone using SQL honestly; the hash chain catches
	 * the rest (cert_audit_verify). */
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'the audit table is append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'the audit table is append-only'); END;"
	/* A retired piece is final: never moved, changed or split again. */
	"CREATE TRIGGER piece_retired_final BEFORE UPDATE ON piece"
	" WHEN OLD.status = 'retired'"
	" BEGIN SELECT RAISE(ABORT, 'a retired certificate is final'); END;",
};
#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int cert_db_err(struct cert_ledger *l, int rc, const char *what, struct wp_err *err)
{
	const char *msg = l->db ? sqlite3_errmsg(l->db) : sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return wp_err_set(err, WP_EIO,
				  "%s: %s: the ledger is locked by another process (waited %d ms); "
				  "nothing was changed",
				  l->path, what, l->o.busy_timeout_ms);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return wp_err_set(err, WP_EIO, "%s: %s: not a ledger database, or corrupt (%s)",
				  l->path, what, msg);
	case SQLITE_CONSTRAINT:
		return wp_err_set(err, WP_EINTERNAL, "%s: %s: constraint failed: %s", l->path,
				  what, msg);
	default:
		return wp_err_set(err, WP_EIO, "%s: %s: %s", l->path, what, msg);
	}
}

int cert_exec(struct cert_ledger *l, const char *sql, const char *what, struct wp_err *err)
{
	int rc = sqlite3_exec(l->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : cert_db_err(l, rc, what, err);
}

int cert_prepare(struct cert_ledger *l, sqlite3_stmt **st, const char *sql, struct wp_err *err)
{
	int rc = sqlite3_prepare_v2(l->db, sql, -1, st, NULL);

	return rc == SQLITE_OK ? 0 : cert_db_err(l, rc, "prepare", err);
}

/* Tag t names state s: "MN", "MN RES", "MN-RPS", "US-MN", "US-MN:SOLAR". */
static int tag_names_state(const char *t, const char *s)
{
	size_t n = strlen(s);

	if (strncasecmp(t, "US-", 3) == 0)
		t += 3;
	return strncasecmp(t, s, n) == 0 && !isalpha((unsigned char)t[n]) &&
	       !isdigit((unsigned char)t[n]);
}

/* SQL cert_eligible(eligibilities_json, state): 1 when a tag names state. */
static void sql_eligible(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *js = (const char *)sqlite3_value_text(argv[0]);
	const char *s = (const char *)sqlite3_value_text(argv[1]);
	int yes = 0;
	jv a;

	if (!js || !s) {
		sqlite3_result_int(ctx, 0);
		return;
	}
	a = jv_parse(js);
	if (jv_get_kind(a) == JV_KIND_ARRAY) {
		jv_array_foreach(a, i, t)
		{
			if (!yes && jv_get_kind(t) == JV_KIND_STRING)
				yes = tag_names_state(jv_string_value(t), s);
			jv_free(t);
		}
	}
	jv_free(a);
	sqlite3_result_int(ctx, yes);
}

static int schema_version(struct cert_ledger *l, int *v, struct wp_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cert_prepare(l, &st, "PRAGMA user_version", err)))
		return rc;
	rc = sqlite3_step(st);
	*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : cert_db_err(l, rc, "read schema version", err);
}

static int migrate(struct cert_ledger *l, struct wp_err *err)
{
	int v, rc;
	char sql[64];

	if ((rc = cert_exec(l, "BEGIN IMMEDIATE", "begin", err)))
		return rc;
	if ((rc = schema_version(l, &v, err)))
		goto fail;
	if (v > NMIGRATIONS) {
		rc = wp_err_set(err, WP_EIO,
				"%s: ledger schema version %d is newer than this program's (%d)",
				l->path, v, NMIGRATIONS);
		goto fail;
	}
	for (; v < NMIGRATIONS; v++)
		if ((rc = cert_exec(l, migrations[v], "migrate schema", err)))
			goto fail;
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v);
	if ((rc = cert_exec(l, sql, "set schema version", err)) ||
	    (rc = cert_exec(l, "COMMIT", "commit", err)))
		goto fail;
	return 0;
fail:
	sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int cert_ledger_open(struct cert_ledger **lp, const char *path,
		     const struct cert_ledger_opts *o, struct wp_err *err)
{
	static const struct cert_ledger_opts defaults = CERT_LEDGER_OPTS_INIT;
	struct cert_ledger *l;
	struct stat sb;
	int rc, flags;

	*lp = NULL;
	if (!o)
		o = &defaults;
	if (o->readonly && stat(path, &sb) != 0)
		return wp_err_errno(err, WP_ENOINPUT, "no ledger at", path);
	/* Holdings are nobody else's business: a new ledger is 0600 (SQLite
	 * gives its -wal and -shm files the same mode). */
	if (!o->readonly && stat(path, &sb) != 0) {
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

		if (fd < 0)
			return wp_err_errno(err, WP_EIO, "cannot create ledger", path);
		close(fd);
	}
	if (!(l = calloc(1, sizeof *l)) || !(l->path = strdup(path))) {
		free(l);
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	l->o = *o;
	if (!l->o.actor)
		l->o.actor = "unknown";
	/* A reader still opens read-write when it may: after a crash, the
	 * first connection must roll back a hot journal or rebuild the WAL
	 * index, which a read-only connection cannot do. lib never writes
	 * through a readonly ledger all the same. */
	if (!o->readonly)
		flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	else
		flags = access(path, W_OK) == 0 ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
	rc = sqlite3_open_v2(path, &l->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		rc = cert_db_err(l, rc, "open", err);
		goto fail;
	}
	sqlite3_extended_result_codes(l->db, 1);
	sqlite3_busy_timeout(l->db, o->busy_timeout_ms);
	/* WAL: readers never block the writer; FULL: a committed change
	 * survives power loss, which a compliance ledger owes its users. */
	if ((!o->readonly &&
	     (rc = cert_exec(l, "PRAGMA journal_mode = WAL", "set WAL mode", err))) ||
	    (rc = cert_exec(l, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
				" PRAGMA cache_size = -65536",
			    "set pragmas", err)))
		goto fail;
	if (sqlite3_create_function(l->db, "cert_eligible", 2,
				    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_eligible, NULL,
				    NULL) != SQLITE_OK) {
		rc = cert_db_err(l, sqlite3_errcode(l->db), "register functions", err);
		goto fail;
	}
	if (!o->readonly && (rc = migrate(l, err)))
		goto fail;
	if (o->readonly) {
		int v;

		if ((rc = schema_version(l, &v, err)))
			goto fail;
		if (v == 0) {
			/* created, but killed before the first import committed */
			rc = wp_err_set(err, WP_ENOINPUT, "%s: an empty ledger (no import has "
							  "completed)", path);
			goto fail;
		}
		if (v != NMIGRATIONS) {
			rc = wp_err_set(err, WP_EIO, "%s: ledger schema version %d, this program "
						     "reads %d (run rec-import once to migrate)",
					path, v, NMIGRATIONS);
			goto fail;
		}
	}
	*lp = l;
	return 0;
fail:
	cert_ledger_close(l);
	return rc;
}

void cert_ledger_close(struct cert_ledger *l)
{
	if (!l)
		return;
	sqlite3_close(l->db);
	free(l->path);
	free(l);
}

/* Transactions. */

int cert_txn_begin(struct cert_ledger *l, struct wp_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (l->o.readonly)
		return wp_err_set(err, WP_EINTERNAL, "%s: opened read-only", l->path);
	/* IMMEDIATE takes the write lock now, so a locked ledger fails before
	 * any work, not at COMMIT. */
	if ((rc = cert_exec(l, "BEGIN IMMEDIATE", "begin", err)))
		return rc;
	if ((rc = cert_prepare(l, &st, "SELECT coalesce(max(seq), 0) + 1 FROM audit", err)))
		goto fail;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		rc = cert_db_err(l, rc, "read audit", err);
		goto fail;
	}
	l->seq = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
fail:
	sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int cert_txn_end(struct cert_ledger *l, int commit, struct wp_err *err)
{
	if (commit)
		return cert_exec(l, "COMMIT", "commit", err);
	sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
	return 0;
}

/* The conservation check. */

int cert_ledger_check(struct cert_ledger *l, struct wp_err *err)
{
	/* Per batch: live pieces inside the batch, each adjacent to the one
	 * before, the first at the batch's start, certificates summing to the
	 * batch's count; pieces whose own count is off are caught by CHECK. */
	static const char sql[] =
		"WITH p AS (SELECT batch_id, serial_start, serial_end, certificates,"
		"  lag(serial_end) OVER (PARTITION BY batch_id ORDER BY serial_start) AS prev_end"
		"  FROM piece WHERE live = 1),"
		" gap AS (SELECT batch_id, serial_start FROM p"
		"  WHERE prev_end IS NOT NULL AND serial_start != prev_end + 1),"
		" sums AS (SELECT batch_id, sum(certificates) AS n, min(serial_start) AS lo,"
		"  max(serial_end) AS hi FROM p GROUP BY batch_id)"
		" SELECT b.serial, coalesce(s.n, 0), b.certificates,"
		"  (SELECT serial_start FROM gap WHERE gap.batch_id = b.id LIMIT 1)"
		" FROM batch b LEFT JOIN sums s ON s.batch_id = b.id"
		" WHERE s.n IS NULL OR s.n != b.certificates OR s.lo != b.serial_start"
		"  OR s.hi != b.serial_end"
		"  OR EXISTS (SELECT 1 FROM gap WHERE gap.batch_id = b.id)"
		" LIMIT 1";
	sqlite3_stmt *st;
	int rc;

	if ((rc = cert_prepare(l, &st, "PRAGMA quick_check", err)))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0) {
		rc = wp_err_set(err, WP_EIO, "%s: database damaged: %s", l->path,
				(const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return cert_db_err(l, rc, "integrity check", err);
	if ((rc = cert_prepare(l, &st, sql, err)))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_type(st, 3) != SQLITE_NULL)
			rc = wp_err_set(err, WP_EFAIL,
					"batch '%s': live ranges overlap or leave a gap at %lld",
					sqlite3_column_text(st, 0),
					(long long)sqlite3_column_int64(st, 3));
		else
			rc = wp_err_set(err, WP_EFAIL,
					"batch '%s': live ranges hold %lld certificates, the batch "
					"%lld",
					sqlite3_column_text(st, 0),
					(long long)sqlite3_column_int64(st, 1),
					(long long)sqlite3_column_int64(st, 2));
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = cert_db_err(l, rc, "conservation check", err);
	}
	sqlite3_finalize(st);
	return rc;
}
