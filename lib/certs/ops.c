/* ops.c: import, list, and the moves (retire, transfer) that split ranges. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wp.h"
#include "certs/certs.h"
#include "certs/ledger.h"

/* Import. */

int cert_import_begin(struct cert_ledger *l, const char *source, struct cert_import *imp,
		      struct wp_err *err)
{
	static const char *const sql[3] = {
		/* Batches of one base never overlap, so the one with the
		 * highest start at or below the new end is the only candidate
		 * that can overlap the new range (or any of them does). */
		"SELECT serial, serial_start, serial_end, certificates, vintage,"
		" coalesce(generator_id, '') FROM batch"
		" WHERE registry = ?1 AND serial_base = ?2 AND serial_start <= ?3"
		" ORDER BY serial_start DESC LIMIT 1",
		"INSERT INTO batch (registry, serial, serial_base, serial_start, serial_end,"
		" certificates, mwh, vintage, generator_id, generator_name, eia_plant_id, state,"
		" fuel, eligibilities, egrid_region, audit_seq)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
		"INSERT INTO piece (batch_id, serial_start, serial_end, certificates, mwh, status,"
		" account_id, subaccount_id, retirement, audit_seq)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	};
	int rc, i;

	memset(imp, 0, sizeof *imp);
	imp->l = l;
	imp->source = source;
	if ((rc = cert_txn_begin(l, err)))
		return rc;
	imp->open = 1;
	for (i = 0; i < 3; i++)
		if ((rc = cert_prepare(l, (sqlite3_stmt **)&imp->st[i], sql[i], err))) {
			cert_import_end(imp, 0, NULL);
			return rc;
		}
	return 0;
}

/* A string field of rec or NULL; the pointer lives as long as rec. */
static const char *sfield(jv rec, const char *k)
{
	jv v = jv_object_get(jv_copy(rec), jv_string(k));
	const char *s = NULL;

	if (jv_get_kind(v) == JV_KIND_STRING)
		s = jv_string_value(v); /* still referenced by rec */
	jv_free(v);
	return s;
}

static double nfield(jv rec, const char *k)
{
	jv v = jv_object_get(jv_copy(rec), jv_string(k));
	double d = jv_get_kind(v) == JV_KIND_NUMBER ? jv_number_value(v) : 0;

	jv_free(v);
	return d;
}

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

int cert_import_add(struct cert_import *imp, jv b, struct wp_err *err)
{
	struct cert_ledger *l = imp->l;
	sqlite3_stmt *find = imp->st[0], *ib = imp->st[1], *ip = imp->st[2];
	const char *reg = sfield(b, "registry"), *serial = sfield(b, "serial"),
		   *base = sfield(b, "serial_base"), *vintage = sfield(b, "vintage"),
		   *gen = sfield(b, "generator_id"), *status = sfield(b, "status");
	long long s = (long long)nfield(b, "serial_start"), e = (long long)nfield(b, "serial_end");
	jv elig = jv_dump_string(jv_object_get(jv_copy(b), jv_string("eligibilities")), 0);
	jv ret = jv_object_get(jv_copy(b), jv_string("retirement"));
	int rc;

	if (!reg || !serial || !base || !vintage || s < 1 || e < s) {
		rc = wp_err_set(err, WP_EINTERNAL, "import: batch record is incomplete");
		goto out;
	}
	sqlite3_reset(find);
	sqlite3_bind_text(find, 1, reg, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(find, 2, base, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(find, 3, e);
	rc = sqlite3_step(find);
	if (rc == SQLITE_ROW && sqlite3_column_int64(find, 2) >= s) {
		const char *old = (const char *)sqlite3_column_text(find, 0);

		/* A range inside a batch it came from (a holdings export after a
		 * partial move) is known already; anything else overlapping is
		 * a conflict. */
		if (sqlite3_column_int64(find, 1) <= s && sqlite3_column_int64(find, 2) >= e &&
		    strcmp((const char *)sqlite3_column_text(find, 4), vintage) == 0 &&
		    strcmp((const char *)sqlite3_column_text(find, 5), gen ? gen : "") == 0) {
			imp->unchanged++;
			rc = 0;
		} else {
			rc = wp_err_set(err, WP_EDATA,
					"%s serial '%s' overlaps '%s' already in the ledger", reg,
					serial, old);
		}
		goto out;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		rc = cert_db_err(l, rc, "find batch", err);
		goto out;
	}
	sqlite3_reset(ib);
	sqlite3_bind_text(ib, 1, reg, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(ib, 2, serial, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(ib, 3, base, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(ib, 4, s);
	sqlite3_bind_int64(ib, 5, e);
	sqlite3_bind_int64(ib, 6, e - s + 1);
	sqlite3_bind_double(ib, 7, nfield(b, "mwh"));
	sqlite3_bind_text(ib, 8, vintage, -1, SQLITE_TRANSIENT);
	bind_opt(ib, 9, gen);
	bind_opt(ib, 10, sfield(b, "generator_name"));
	bind_opt(ib, 11, sfield(b, "eia_plant_id"));
	bind_opt(ib, 12, sfield(b, "state"));
	bind_opt(ib, 13, sfield(b, "fuel"));
	sqlite3_bind_text(ib, 14, jv_string_value(elig), -1, SQLITE_TRANSIENT);
	bind_opt(ib, 15, sfield(b, "egrid_region"));
	sqlite3_bind_int64(ib, 16, l->seq);
	if ((rc = sqlite3_step(ib)) != SQLITE_DONE) {
		rc = cert_db_err(l, rc, "insert batch", err);
		goto out;
	}
	sqlite3_reset(ip);
	sqlite3_bind_int64(ip, 1, sqlite3_last_insert_rowid(l->db));
	sqlite3_bind_int64(ip, 2, s);
	sqlite3_bind_int64(ip, 3, e);
	sqlite3_bind_int64(ip, 4, e - s + 1);
	sqlite3_bind_double(ip, 5, nfield(b, "mwh"));
	sqlite3_bind_text(ip, 6, status ? status : "active", -1, SQLITE_TRANSIENT);
	bind_opt(ip, 7, sfield(b, "account_id"));
	bind_opt(ip, 8, sfield(b, "subaccount_id"));
	if (jv_get_kind(ret) == JV_KIND_OBJECT) {
		jv t = jv_dump_string(jv_copy(ret), JV_PRINT_SORTED);
		sqlite3_bind_text(ip, 9, jv_string_value(t), -1, SQLITE_TRANSIENT);
		jv_free(t);
	} else {
		sqlite3_bind_null(ip, 9);
	}
	sqlite3_bind_int64(ip, 10, l->seq);
	if ((rc = sqlite3_step(ip)) != SQLITE_DONE) {
		rc = cert_db_err(l, rc, "insert range", err);
		goto out;
	}
	imp->added++;
	rc = 0;
out:
	jv_free(elig);
	jv_free(ret);
	jv_free(b);
	return rc;
}

int cert_import_end(struct cert_import *imp, int commit, struct wp_err *err)
{
	int rc = 0, i;

	if (!imp->open)
		return 0;
	for (i = 0; i < 3; i++) {
		sqlite3_finalize(imp->st[i]);
		imp->st[i] = NULL;
	}
	imp->open = 0;
	if (commit && imp->added > 0) {
		jv d = jv_object();

		d = jv_object_set(d, jv_string("source"), jv_string(imp->source ? imp->source : "-"));
		d = jv_object_set(d, jv_string("added"), jv_number((double)imp->added));
		d = jv_object_set(d, jv_string("unchanged"), jv_number((double)imp->unchanged));
		if ((rc = cert_audit_append(imp->l, "import", d, err)))
			commit = 0;
	}
	/* Nothing added: roll back, so a repeated import leaves the file as it was. */
	if (commit && imp->added == 0)
		commit = 0;
	if ((i = cert_txn_end(imp->l, commit, err)) && !rc)
		rc = i;
	return rc;
}

/* Reading pieces. */

#define PIECE_COLS                                                                               \
	"p.id, b.registry, b.serial, b.serial_base, p.serial_start, p.serial_end,"              \
	" p.certificates, p.mwh, b.vintage, b.generator_id, b.generator_name, b.eia_plant_id,"  \
	" b.state, b.fuel, b.eligibilities, p.status, p.account_id, p.subaccount_id,"          \
	" b.egrid_region, p.retirement, p.parent_id, p.live, b.serial_start, b.serial_end"

/* Filters as optional binds, so one statement serves list and selection. */
#define PIECE_FILTERS                                                                            \
	" FROM piece p JOIN batch b ON b.id = p.batch_id"                                       \
	" WHERE (p.live = 1 OR ?9)"                                                             \
	" AND (?1 IS NULL OR b.registry = ?1 COLLATE NOCASE)"                                   \
	" AND (?2 IS NULL OR p.account_id = ?2)"                                                \
	" AND (?3 IS NULL OR cert_eligible(b.eligibilities, ?3))"                               \
	" AND (?4 IS NULL OR b.fuel = ?4 COLLATE NOCASE)"                                       \
	" AND (?5 IS NULL OR p.status = ?5)"                                                    \
	" AND (?6 IS NULL OR b.generator_id = ?6)"                                              \
	" AND (?7 IS NULL OR b.vintage >= ?7)"                                                  \
	" AND (?8 IS NULL OR b.vintage <= ?8)"

static const char list_sql[] = "SELECT " PIECE_COLS PIECE_FILTERS
			       " ORDER BY b.vintage, b.registry, b.serial_base, p.serial_start, p.id";
static const char one_sql[] = "SELECT " PIECE_COLS
			      " FROM piece p JOIN batch b ON b.id = p.batch_id WHERE p.id = ?1";

/* The record of a piece: its fields in PIECE_COLS order, by kind: t text,
 * i integer, d real, j JSON text, s the serial. */
static const struct {
	const char *key;
	char kind;
} piece_fields[] = {
	{ "piece_id", 'i' },     { "registry", 't' },       { "serial", 's' },
	{ "serial_base", 't' },  { "serial_start", 'i' },   { "serial_end", 'i' },
	{ "certificates", 'i' }, { "mwh", 'd' },            { "vintage", 't' },
	{ "generator_id", 't' }, { "generator_name", 't' }, { "eia_plant_id", 't' },
	{ "state", 't' },        { "fuel", 't' },           { "eligibilities", 'j' },
	{ "status", 't' },       { "account_id", 't' },     { "subaccount_id", 't' },
	{ "egrid_region", 't' }, { "retirement", 'j' },     { "parent_id", 'i' },
};

static jv piece_field(sqlite3_stmt *st, int i)
{
	long long ps, pe;
	jv v;

	/* The type before any sqlite3_column_* call converts the value. */
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return jv_null();
	switch (piece_fields[i].kind) {
	case 'i':
		return jv_number((double)sqlite3_column_int64(st, i));
	case 'd':
		return jv_number(sqlite3_column_double(st, i));
	case 'j':
		v = jv_parse((const char *)sqlite3_column_text(st, i));
		if (jv_is_valid(v))
			return v;
		jv_free(v);
		return jv_null();
	case 's':
		/* The registry's own text while the range is whole; after a
		 * split, the piece in the same form. */
		ps = sqlite3_column_int64(st, 4), pe = sqlite3_column_int64(st, 5);
		if (ps != sqlite3_column_int64(st, 22) || pe != sqlite3_column_int64(st, 23))
			return jv_string_fmt("%s-%lld to %lld", sqlite3_column_text(st, 3), ps, pe);
		/* fall through */
	default:
		return jv_string((const char *)sqlite3_column_text(st, i));
	}
}

static jv piece_record(sqlite3_stmt *st, int history)
{
	jv r = jv_object();

	for (int i = 0; i < (int)(sizeof piece_fields / sizeof *piece_fields); i++)
		r = jv_object_set(r, jv_string(piece_fields[i].key), piece_field(st, i));
	if (history)
		r = jv_object_set(r, jv_string("live"), jv_bool(sqlite3_column_int(st, 21)));
	return r;
}

/* Vintage bounds for a compliance year with banking. */
static void year_bounds(const struct cert_select *sel, char lo[16], char hi[16])
{
	int bank = sel->banking_years > 0 ? sel->banking_years : 0;

	snprintf(lo, 16, "%04d-01", (sel->year - bank) % 10000);
	snprintf(hi, 16, "%04d-12", sel->year % 10000);
}

static void bind_select(sqlite3_stmt *st, const struct cert_select *sel, const char *status,
			int history)
{
	char lo[16], hi[16];
	const char *vfrom = sel->vintage_from, *vto = sel->vintage_to;

	if (sel->year > 0) {
		year_bounds(sel, lo, hi);
		if (!vfrom || strcmp(lo, vfrom) > 0)
			vfrom = lo;
		if (!vto || strcmp(hi, vto) < 0)
			vto = hi;
	}
	bind_opt(st, 1, sel->registry);
	bind_opt(st, 2, sel->account);
	bind_opt(st, 3, sel->state);
	bind_opt(st, 4, sel->fuel);
	bind_opt(st, 5, status);
	bind_opt(st, 6, sel->generator);
	bind_opt(st, 7, vfrom);
	bind_opt(st, 8, vto);
	sqlite3_bind_int(st, 9, history);
}

int cert_list(struct cert_ledger *l, const struct cert_select *sel, cert_emit_fn emit,
	      void *ctx, struct wp_err *err)
{
	sqlite3_stmt *st;
	int rc, erc = 0;

	if ((rc = cert_prepare(l, &st, list_sql, err)))
		return rc;
	bind_select(st, sel, sel->status, sel->include_history);
	while (!erc && (rc = sqlite3_step(st)) == SQLITE_ROW)
		erc = emit(ctx, piece_record(st, sel->include_history), err);
	sqlite3_finalize(st);
	if (erc)
		return erc;
	return rc == SQLITE_DONE ? 0 : cert_db_err(l, rc, "list", err);
}

/* Moves. */

struct move {
	long long piece, s, e; /* move s..e out of piece */
};

struct moves {
	struct move *v;
	long n, cap;
	long long total;
};

static int moves_add(struct moves *m, long long piece, long long s, long long e,
		     struct wp_err *err)
{
	if (m->n == m->cap) {
		long cap = m->cap ? 2 * m->cap : 64;
		struct move *v = realloc(m->v, (size_t)cap * sizeof *v);

		if (!v)
			return wp_err_set(err, WP_EINTERNAL, "out of memory");
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n].piece = piece;
	m->v[m->n].s = s;
	m->v[m->n].e = e;
	m->n++;
	m->total += e - s + 1;
	return 0;
}

/* " for MN in 2024", " for MN", " in 2024" or "". */
static const char *sel_scope(const struct cert_select *sel, char *buf, size_t n)
{
	int k = 0;

	buf[0] = '\0';
	if (sel->state)
		k = snprintf(buf, n, " for %s", sel->state);
	if (sel->year > 0 && k >= 0 && (size_t)k < n)
		snprintf(buf + k, n - (size_t)k, " in %d", sel->year);
	return buf;
}

/* sel->serial: exactly that range, inside one active held piece. */
static int select_serial(struct cert_ledger *l, const struct cert_select *sel,
			 struct moves *m, struct wp_err *err)
{
	struct cert_serial want;
	sqlite3_stmt *st;
	long long id = 0;
	int rc, found = 0, erc = 0;
	char held[48] = "";

	if ((rc = cert_serial_parse(sel->serial, &want, err)))
		return rc;
	if ((rc = cert_prepare(l, &st,
			       "SELECT p.id, p.serial_start, p.serial_end, p.status,"
			       " cert_eligible(b.eligibilities, ?4), b.vintage, b.eligibilities"
			       " FROM piece p JOIN batch b ON b.id = p.batch_id"
			       " WHERE p.live = 1 AND b.serial_base = ?1"
			       " AND p.serial_start <= ?3 AND p.serial_end >= ?2"
			       " AND (?5 IS NULL OR b.registry = ?5 COLLATE NOCASE)"
			       " AND (?6 IS NULL OR p.account_id = ?6)"
			       " ORDER BY p.serial_start",
			       err)))
		return rc;
	sqlite3_bind_text(st, 1, want.base, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, want.start);
	sqlite3_bind_int64(st, 3, want.end);
	bind_opt(st, 4, sel->state);
	bind_opt(st, 5, sel->registry);
	bind_opt(st, 6, sel->account);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long ps = sqlite3_column_int64(st, 1), pe = sqlite3_column_int64(st, 2);

		if (found++) {
			erc = wp_err_set(err, WP_EDATA,
					 "serial '%s' spans more than one held range (%s and "
					 "%lld to %lld): move each range separately",
					 sel->serial, held, ps, pe);
			break;
		}
		snprintf(held, sizeof held, "%lld to %lld", ps, pe);
		if (ps > want.start || pe < want.end)
			erc = wp_err_set(err, WP_EDATA,
					 "serial '%s' is not held: the ledger holds %s-%s", sel->serial,
					 want.base, held);
		else if (strcmp((const char *)sqlite3_column_text(st, 3), "active") != 0)
			erc = wp_err_set(err, WP_EDATA, "serial '%s' is %s, not active", sel->serial,
					 sqlite3_column_text(st, 3));
		else if (sel->state && !sqlite3_column_int(st, 4))
			erc = wp_err_set(err, WP_EDATA,
					 "serial '%s' is not eligible for %s (eligibilities %s)",
					 sel->serial, sel->state, sqlite3_column_text(st, 6));
		else if (sel->year > 0) {
			const char *vintage = (const char *)sqlite3_column_text(st, 5);
			char lo[16], hi[16];

			year_bounds(sel, lo, hi);
			if (strcmp(vintage, lo) < 0 || strcmp(vintage, hi) > 0)
				erc = wp_err_set(err, WP_EDATA,
						 "serial '%s': vintage %s is not eligible for "
						 "compliance year %d (vintages %s to %s)",
						 sel->serial, vintage, sel->year, lo, hi);
		}
		id = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (erc)
		return erc;
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return cert_db_err(l, rc, "find serial", err);
	if (!found)
		return wp_err_set(err, WP_EDATA, "serial '%s' is not in the ledger%s", sel->serial,
				  sel->account ? " for that account" : "");
	return moves_add(m, id, want.start, want.end, err);
}

/* sel->quantity by policy: oldest vintage first, then registry and serial. */
static int select_quantity(struct cert_ledger *l, const struct cert_select *sel,
			   struct moves *m, struct wp_err *err)
{
	sqlite3_stmt *st;
	long long left = sel->quantity;
	int rc, erc = 0;
	char scope[64];

	if (left < 1)
		return wp_err_set(err, WP_EUSAGE, "quantity must be a whole number from 1");
	if ((rc = cert_prepare(l, &st, list_sql, err)))
		return rc;
	bind_select(st, sel, "active", 0);
	while (!erc && left > 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long s = sqlite3_column_int64(st, 4), e = sqlite3_column_int64(st, 5);
		long long n = e - s + 1 < left ? e - s + 1 : left;

		erc = moves_add(m, sqlite3_column_int64(st, 0), s, s + n - 1, err);
		left -= n;
	}
	sqlite3_finalize(st);
	if (erc)
		return erc;
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return cert_db_err(l, rc, "select ranges", err);
	if (left > 0)
		return wp_err_set(err, WP_EDATA,
				  "only %lld active certificates are eligible%s, %lld asked: nothing "
				  "was changed",
				  sel->quantity - left, sel_scope(sel, scope, sizeof scope),
				  sel->quantity);
	return 0;
}

struct mover {
	struct cert_ledger *l;
	sqlite3_stmt *get, *kill, *ins;
	const char *status, *account, *retirement; /* what the moved piece becomes */
	const struct cert_remote *remote;           /* file with a registry first */
};

static char *col_dup(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? strdup(s) : NULL;
}

/* Split piece mv->piece into (low rest, moved, high rest); the old piece
 * stays as their parent, no longer live. Returns the moved piece's id. */
static int apply_move(struct mover *mo, const struct move *mv, long long *moved, jv *audit,
		      struct wp_err *err)
{
	struct cert_ledger *l = mo->l;
	long long ps, pe, batch, n, part[3][2];
	double mwh, pm[3];
	char *status = NULL, *account = NULL, *sub = NULL;
	jv a = jv_object(), after = jv_array();
	int rc, i;

	sqlite3_reset(mo->get);
	sqlite3_bind_int64(mo->get, 1, mv->piece);
	if ((rc = sqlite3_step(mo->get)) != SQLITE_ROW) {
		rc = cert_db_err(l, rc == SQLITE_DONE ? SQLITE_INTERNAL : rc, "read range", err);
		goto out;
	}
	batch = sqlite3_column_int64(mo->get, 0);
	ps = sqlite3_column_int64(mo->get, 1);
	pe = sqlite3_column_int64(mo->get, 2);
	mwh = sqlite3_column_double(mo->get, 3);
	status = col_dup(mo->get, 4);
	account = col_dup(mo->get, 5);
	sub = col_dup(mo->get, 6);
	n = pe - ps + 1;
	part[0][0] = ps, part[0][1] = mv->s - 1;
	part[1][0] = mv->s, part[1][1] = mv->e;
	part[2][0] = mv->e + 1, part[2][1] = pe;
	/* MWh shared in proportion; the last part takes the rounding. */
	pm[0] = mwh * (double)(part[0][1] - part[0][0] + 1) / (double)n;
	pm[1] = mwh * (double)(part[1][1] - part[1][0] + 1) / (double)n;
	pm[2] = mwh - pm[0] - pm[1];
	if (part[2][1] < part[2][0])
		pm[1] = mwh - pm[0];

	sqlite3_reset(mo->kill);
	sqlite3_bind_int64(mo->kill, 1, mv->piece);
	if ((rc = sqlite3_step(mo->kill)) != SQLITE_DONE) {
		rc = cert_db_err(l, rc, "split range", err);
		goto out;
	}
	for (i = 0; i < 3; i++) {
		int mid = i == 1;

		if (part[i][1] < part[i][0])
			continue;
		sqlite3_reset(mo->ins);
		sqlite3_bind_int64(mo->ins, 1, batch);
		sqlite3_bind_int64(mo->ins, 2, mv->piece);
		sqlite3_bind_int64(mo->ins, 3, part[i][0]);
		sqlite3_bind_int64(mo->ins, 4, part[i][1]);
		sqlite3_bind_int64(mo->ins, 5, part[i][1] - part[i][0] + 1);
		sqlite3_bind_double(mo->ins, 6, pm[i]);
		bind_opt(mo->ins, 7, mid ? mo->status : status);
		/* A piece moved to another account leaves its sub-account behind. */
		bind_opt(mo->ins, 8, mid && mo->account ? mo->account : account);
		bind_opt(mo->ins, 9, mid && mo->account ? NULL : sub);
		bind_opt(mo->ins, 10, mid ? mo->retirement : NULL);
		sqlite3_bind_int64(mo->ins, 11, l->seq);
		if ((rc = sqlite3_step(mo->ins)) != SQLITE_DONE) {
			rc = cert_db_err(l, rc, "insert range", err);
			goto out;
		}
		if (mid)
			*moved = sqlite3_last_insert_rowid(l->db);
		/* "id:start-end:status@account", before and after, for the audit */
		after = jv_array_append(
			after, jv_string_fmt("%lld:%lld-%lld:%s@%s",
					     (long long)sqlite3_last_insert_rowid(l->db), part[i][0],
					     part[i][1], mid ? mo->status : status,
					     mid && mo->account ? mo->account : account ? account : "-"));
	}
	a = jv_object_set(a, jv_string("before"),
			  jv_string_fmt("%lld:%lld-%lld:%s@%s", mv->piece, ps, pe, status,
					account ? account : "-"));
	a = jv_object_set(a, jv_string("after"), after);
	after = jv_invalid();
	*audit = jv_array_append(*audit, a);
	a = jv_invalid();
	rc = 0;
out:
	jv_free(a);
	jv_free(after);
	free(status);
	free(account);
	free(sub);
	return rc;
}

static int emit_piece(struct cert_ledger *l, sqlite3_stmt *one, long long id, cert_emit_fn emit,
		      void *ctx, struct wp_err *err)
{
	int rc;

	sqlite3_reset(one);
	sqlite3_bind_int64(one, 1, id);
	if ((rc = sqlite3_step(one)) != SQLITE_ROW)
		return cert_db_err(l, rc == SQLITE_DONE ? SQLITE_INTERNAL : rc, "read range", err);
	return emit(ctx, piece_record(one, 0), err);
}

static int collect(void *ctx, jv rec, struct wp_err *err)
{
	jv *a = ctx;

	*a = jv_array_append(*a, rec);
	return 0;
}

static int move(struct cert_ledger *l, const struct cert_select *sel, const char *op,
		struct mover *mo, jv detail, int dry_run, cert_emit_fn emit, void *ctx,
		struct wp_err *err)
{
	struct moves m = { 0 };
	sqlite3_stmt *one = NULL;
	long long *moved = NULL;
	jv audit = jv_array();
	int rc, i;

	mo->l = l;
	mo->get = mo->kill = mo->ins = NULL;
	if ((rc = cert_txn_begin(l, err)))
		goto done;
	rc = sel->serial ? select_serial(l, sel, &m, err) : select_quantity(l, sel, &m, err);
	if (rc)
		goto fail;
	if (!(moved = calloc((size_t)m.n + 1, sizeof *moved))) {
		rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
		goto fail;
	}
	if ((rc = cert_prepare(l, &mo->get,
			       "SELECT batch_id, serial_start, serial_end, mwh, status, account_id,"
			       " subaccount_id FROM piece WHERE id = ?1",
			       err)) ||
	    (rc = cert_prepare(l, &mo->kill, "UPDATE piece SET live = 0 WHERE id = ?1", err)) ||
	    (rc = cert_prepare(l, &mo->ins,
			       "INSERT INTO piece (batch_id, parent_id, serial_start, serial_end,"
			       " certificates, mwh, status, account_id, subaccount_id, retirement,"
			       " audit_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
			       err)) ||
	    (rc = cert_prepare(l, &one, one_sql, err)))
		goto fail;
	for (i = 0; i < m.n; i++)
		if ((rc = apply_move(mo, &m.v[i], &moved[i], &audit, err)))
			goto fail;
	if (dry_run) {
		for (i = 0; i < m.n && !rc; i++)
			rc = emit_piece(l, one, moved[i], emit, ctx, err);
		goto fail; /* roll back: a dry run changes nothing */
	}
	if (mo->remote && mo->remote->fn) {
		jv pieces = jv_array(), receipt = jv_null();

		for (i = 0; i < m.n && !rc; i++)
			rc = emit_piece(l, one, moved[i], collect, &pieces, err);
		/* The registry moves them out of the account they were in. */
		for (i = 0; i < m.n && !rc; i++) {
			sqlite3_reset(mo->get);
			sqlite3_bind_int64(mo->get, 1, m.v[i].piece);
			if ((rc = sqlite3_step(mo->get)) == SQLITE_ROW) {
				const char *a = (const char *)sqlite3_column_text(mo->get, 5);
				jv p = jv_array_get(jv_copy(pieces), i);

				p = jv_object_set(p, jv_string("from_account_id"),
						  a ? jv_string(a) : jv_null());
				pieces = jv_array_set(pieces, i, p);
				rc = 0;
			} else {
				rc = cert_db_err(l, rc, "read range", err);
			}
		}
		if (!rc)
			rc = mo->remote->fn(mo->remote->ctx, pieces, &receipt, err);
		else
			jv_free(pieces);
		if (rc) {
			jv_free(receipt);
			goto fail;
		}
		detail = jv_object_set(detail, jv_string("registry_receipt"), receipt);
	}
	detail = jv_object_set(detail, jv_string("certificates"), jv_number((double)m.total));
	detail = jv_object_set(detail, jv_string("ranges"), audit);
	audit = jv_invalid();
	rc = cert_audit_append(l, op, detail, err);
	detail = jv_invalid();
	if (rc || (rc = cert_txn_end(l, 1, err)))
		goto fail;
	/* Committed: now report what moved, read back from the ledger. */
	for (i = 0; i < m.n && !rc; i++)
		rc = emit_piece(l, one, moved[i], emit, ctx, err);
	goto done;
fail:
	cert_txn_end(l, 0, NULL);
done:
	sqlite3_finalize(mo->get);
	sqlite3_finalize(mo->kill);
	sqlite3_finalize(mo->ins);
	sqlite3_finalize(one);
	jv_free(audit);
	jv_free(detail);
	free(moved);
	free(m.v);
	return rc;
}

int cert_retirement_check(const struct cert_retirement *r, struct wp_err *err)
{
	if (!r->type || (strcmp(r->type, "compliance") && strcmp(r->type, "voluntary")))
		return wp_err_set(err, WP_EUSAGE, "retirement type must be compliance or voluntary");
	if (!strcmp(r->type, "compliance") && (!r->state || r->year <= 0))
		return wp_err_set(err, WP_EUSAGE,
				  "a compliance retirement needs --state and --year");
	if (r->quarter && (strlen(r->quarter) != 2 || r->quarter[0] != 'Q' ||
			   r->quarter[1] < '1' || r->quarter[1] > '4'))
		return wp_err_set(err, WP_EUSAGE, "quarter '%s' is not Q1 to Q4", r->quarter);
	return 0;
}

static jv retirement_json(const struct cert_retirement *r)
{
	jv o = jv_object();

#define S(k, v) o = jv_object_set(o, jv_string(k), (v) ? jv_string(v) : jv_null())
	S("type", r->type);
	S("reason", r->reason);
	S("state", r->state);
	o = jv_object_set(o, jv_string("year"), r->year > 0 ? jv_number(r->year) : jv_null());
	S("quarter", r->quarter);
	S("beneficiary", r->beneficiary);
	S("note", r->note);
#undef S
	o = jv_object_set(o, jv_string("public"), jv_bool(r->public_));
	return o;
}

int cert_retire(struct cert_ledger *l, const struct cert_select *sel,
		const struct cert_retirement *r, const struct cert_remote *remote, int dry_run,
		cert_emit_fn emit, void *ctx, struct wp_err *err)
{
	struct mover mo = { 0 };
	jv ret, text, detail;
	int rc;

	if ((rc = cert_retirement_check(r, err)))
		return rc;
	ret = retirement_json(r);
	text = jv_dump_string(jv_copy(ret), JV_PRINT_SORTED);
	mo.status = "retired";
	mo.retirement = jv_string_value(text);
	mo.remote = remote;
	detail = jv_object_set(jv_object(), jv_string("retirement"), ret);
	rc = move(l, sel, "retire", &mo, detail, dry_run, emit, ctx, err);
	jv_free(text);
	return rc;
}

int cert_transfer(struct cert_ledger *l, const struct cert_select *sel, const char *to_account,
		  const struct cert_remote *remote, int dry_run, cert_emit_fn emit, void *ctx,
		  struct wp_err *err)
{
	struct mover mo = { 0 };
	jv detail;

	if (!to_account || !*to_account)
		return wp_err_set(err, WP_EUSAGE, "transfer needs the account to move to");
	mo.status = "active";
	mo.account = to_account;
	mo.remote = remote;
	detail = jv_object_set(jv_object(), jv_string("to_account"), jv_string(to_account));
	return move(l, sel, "transfer", &mo, detail, dry_run, emit, ctx, err);
}
