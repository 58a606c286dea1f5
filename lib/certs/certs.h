/* certs.h: renewable energy certificates (RECs) in a SQLite ledger.
 *
 * (Named certs/ and cert_* because core's rec.h means "records".)
 *
 * Model (api/rec.md sections 3-5):
 *  - A batch is a serial range as a registry issued or exported it:
 *    registry, opaque serial text, parsed base/start/end, certificates, MWh,
 *    vintage, generator, fuel, state, eligibilities. Batches never change.
 *  - A piece is a live part of a batch with a status (active, pending,
 *    retired, exported, residual), an account and, once retired, the
 *    retirement fields. A partial move splits a piece into new pieces (the
 *    old one stays, no longer live, as their parent); pieces never merge.
 *  - Conservation: the live pieces of every batch tile its serial range
 *    exactly (cert_ledger_check).
 *  - Every change runs in one IMMEDIATE transaction and appends one row to
 *    the audit table, whose rows are chained by SHA-256.
 *
 * Ownership: functions taking a jv consume it; jv handed to a cert_emit_fn
 * belongs to the callback. Strings in option structs are borrowed.
 */
#ifndef CERTS_H
#define CERTS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jq.h>

struct wp_err;

/* SHA-256 (FIPS 180-4). */
struct cert_sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char buf[64];
	size_t fill;
};
void cert_sha256_init(struct cert_sha256 *s);
void cert_sha256_update(struct cert_sha256 *s, const void *data, size_t n);
/* Finishes s and writes 64 lower-case hex digits and a NUL. */
void cert_sha256_hex(struct cert_sha256 *s, char out[65]);

/* Serial ranges: "<base>-<start> to <end>", 1-based, inclusive. */
#define CERT_BASE_MAX 256
struct cert_serial {
	char base[CERT_BASE_MAX];
	long long start, end;
};
/* WP_EDATA "serial 'X': ..." when s is not of that form or end < start. */
int cert_serial_parse(const char *s, struct cert_serial *out, struct wp_err *err);
/* "<base>-<start> to <end>" into buf; returns snprintf's count. */
int cert_serial_format(const struct cert_serial *r, char *buf, size_t n);
long long cert_serial_count(const struct cert_serial *r);
/* Take q certificates from the low end: taken = start..start+q-1, rest =
 * the remainder (rest->start > rest->end, count 0, when q == count).
 * WP_EDATA when q < 1 or q > count. */
int cert_serial_take(const struct cert_serial *r, long long q, struct cert_serial *taken,
		     struct cert_serial *rest, struct wp_err *err);
/* The sub-range s..e of r; WP_EDATA when it is not inside r. */
int cert_serial_sub(const struct cert_serial *r, long long s, long long e,
		    struct cert_serial *out, struct wp_err *err);
/* 1 when both have the same base and their numbers intersect. */
int cert_serial_overlap(const struct cert_serial *a, const struct cert_serial *b);

/* Registry export formats: which column holds which ledger field. A
 * column list names alternatives ("Serial Numbers|Certificate Serial
 * Numbers"); the first present wins. Tables in import.c, documented in
 * rec-import(1). */
struct cert_column {
	const char *field; /* ledger field: serial, vintage, certificates, ... */
	const char *names; /* "|"-separated header names */
	int required;
};
struct cert_format {
	const char *name;     /* "mrets", "nar", ... as given to --format */
	const char *registry; /* "M-RETS", ... */
	const struct cert_column *cols;
};
/* NULL-terminated table of every format. */
extern const struct cert_format *const cert_formats[];
/* By name; WP_EUSAGE "unknown registry format 'X' (known: ...)". */
int cert_format_find(const char *name, const struct cert_format **f, struct wp_err *err);
/* The format whose required columns are all in the record's keys (a CSV
 * header); WP_EDATA "unknown registry format: ..." when none fits. */
int cert_format_detect(jv rec, const struct cert_format **f, struct wp_err *err);
/* A registry export row -> a ledger batch record (api/rec.md section 4).
 * Consumes row. WP_EDATA naming the field when a value is bad. */
int cert_format_map(const struct cert_format *f, jv row, jv *out, struct wp_err *err);

/* The ledger. */
struct cert_ledger;
struct cert_ledger_opts {
	int busy_timeout_ms; /* wait this long for another writer; default 5000 */
	int readonly;        /* no create, no migration, no writes */
	const char *actor;   /* who, for the audit rows ("alice") */
	time_t now;          /* 0 = the clock; tests fix it */
};
#define CERT_LEDGER_OPTS_INIT { 5000, 0, "unknown", 0 }
#define CERT_SCHEMA_VERSION 1

/* Opens (creating and migrating when writable) the ledger at path.
 * WP_ENOINPUT when readonly and absent; WP_EIO when the file is not a
 * ledger, is corrupt, is newer than this program, or is locked. */
int cert_ledger_open(struct cert_ledger **l, const char *path,
		     const struct cert_ledger_opts *o, struct wp_err *err);
void cert_ledger_close(struct cert_ledger *l);

/* Conservation and integrity: SQLite's quick_check, then for every batch
 * its live pieces tile the range with counts adding up. WP_EFAIL with the
 * first batch that does not, WP_EIO for a store error. */
int cert_ledger_check(struct cert_ledger *l, struct wp_err *err);

/* Records go out through a callback; it consumes rec and returns 0 or a
 * WP_E* code that stops the operation (and rolls a change back). */
typedef int (*cert_emit_fn)(void *ctx, jv rec, struct wp_err *err);

/* Import: one transaction around many batches. */
struct cert_import {
	struct cert_ledger *l;
	const char *source; /* file name or URL, for the audit row */
	long added, unchanged;
	int open;
	void *st[3]; /* prepared statements, private */
};
#define CERT_IMPORT_INIT { 0 }
int cert_import_begin(struct cert_ledger *l, const char *source, struct cert_import *imp,
		      struct wp_err *err);
/* A batch record (as cert_format_map makes). A range inside a batch
 * already held, with the same vintage and generator: unchanged (a
 * holdings export after a partial move shows the pieces). Overlapping a
 * batch otherwise: WP_EDATA naming both. Consumes batch. */
int cert_import_add(struct cert_import *imp, jv batch, struct wp_err *err);
/* commit 0: roll back (dry run or failure). Appends the audit row. */
int cert_import_end(struct cert_import *imp, int commit, struct wp_err *err);

/* Which pieces: filters for list, and the selection for moves. */
struct cert_select {
	const char *registry, *account, *state, *fuel, *status, *generator;
	const char *vintage_from, *vintage_to; /* YYYY-MM, inclusive */
	int year;          /* compliance year: eligible vintages year-banking..year */
	int banking_years; /* vintage years before `year` still eligible */
	const char *serial; /* move exactly this range ("<base>-<s> to <e>") */
	long long quantity; /* or this many certificates, oldest vintage first */
	int include_history; /* list: also pieces split away (not live) */
};
#define CERT_SELECT_INIT { 0 }

int cert_list(struct cert_ledger *l, const struct cert_select *sel, cert_emit_fn emit,
	      void *ctx, struct wp_err *err);

struct cert_retirement {
	const char *type; /* compliance | voluntary */
	const char *reason, *state, *quarter, *beneficiary, *note;
	int year;   /* compliance period */
	int public_; /* publish the beneficiary */
};
#define CERT_RETIREMENT_INIT { 0 }
/* Checks the fields (a compliance retirement needs state and year):
 * WP_EUSAGE with what is missing. */
int cert_retirement_check(const struct cert_retirement *r, struct wp_err *err);

/* A registry to file a move with before the ledger commits (NULL: the
 * ledger only). fn gets the moved pieces, as they will be (an array of
 * records as cert_list writes them, plus from_account_id, the account
 * they leave; consumed), and fills *receipt, which the audit row keeps.
 * A failure rolls the ledger back. */
struct cert_remote {
	int (*fn)(void *ctx, jv pieces, jv *receipt, struct wp_err *err);
	void *ctx;
};

/* Retire or transfer the selected pieces: either sel->serial (inside one
 * active piece) or sel->quantity by policy (oldest vintage first, then
 * registry, serial; eligible for sel->state and sel->year). Emits each
 * piece moved, as it is afterwards. dry_run: the same work, rolled back.
 * WP_EDATA when fewer certificates are eligible than asked, when the
 * serial is not held, or when it is not eligible for the state. A dry run
 * never calls remote. */
int cert_retire(struct cert_ledger *l, const struct cert_select *sel,
		const struct cert_retirement *r, const struct cert_remote *remote, int dry_run,
		cert_emit_fn emit, void *ctx, struct wp_err *err);
int cert_transfer(struct cert_ledger *l, const struct cert_select *sel, const char *to_account,
		  const struct cert_remote *remote, int dry_run, cert_emit_fn emit, void *ctx,
		  struct wp_err *err);

/* Audit: emits the rows (seq, time_utc, actor, operation, detail, prev_hash,
 * hash). */
int cert_audit_list(struct cert_ledger *l, cert_emit_fn emit, void *ctx, struct wp_err *err);
/* Recomputes the chain: WP_EFAIL "audit row N: ..." at the first row whose
 * hash, predecessor or sequence is wrong; also runs cert_ledger_check. */
int cert_audit_verify(struct cert_ledger *l, long *rows, struct wp_err *err);

/* Reference data for the report (CSV files, api/rec.md sections 6-7). */
struct cert_deadline {
	char *state, *registry, *year_basis, *event, *deadline, *src_year, *grade;
};
struct cert_rate {
	char *region, *method, *source;
	int year;
	double rate_lb_per_mwh;
};
/* eGRID's plant sheet (PLNT<yy>): EIA plant id (ORISPL) -> subregion. */
struct cert_plant {
	char *plant, *region;
};
struct cert_refdata {
	struct cert_deadline *dl;
	int ndl;
	struct cert_rate *rates;
	int nrates;
	struct cert_plant *plants; /* sorted by plant */
	int nplants;
};
#define CERT_REFDATA_INIT { 0, 0, 0, 0, 0, 0 }
/* Either path may be NULL. WP_ENOINPUT / WP_EDATA "FILE:LINE: ...". */
int cert_refdata_load(struct cert_refdata *d, const char *deadlines_csv, const char *rates_csv,
		      struct wp_err *err);
/* The plant sheet as CSV: the header row (the first or, as eGRID writes
 * it, the second, under descriptive names) has the mnemonics ORISPL and
 * SUBRGN. WP_ENOINPUT / WP_EDATA "FILE:LINE: ...". */
int cert_plants_load(struct cert_refdata *d, const char *plants_csv, struct wp_err *err);
/* The subregion of an EIA plant id, or NULL. */
const char *cert_plant_region(const struct cert_refdata *d, const char *plant);
void cert_refdata_release(struct cert_refdata *d);
/* The deadline of a row for a compliance year as YYYY-MM-DD, or 0 when the
 * row gives no single day ("mid-June", "08-17..09-10"). */
int cert_deadline_date(const struct cert_deadline *d, int year, char out[11]);
/* Latest rate for region/method with year <= year (any year when year 0). */
const struct cert_rate *cert_rate_find(const struct cert_refdata *d, const char *region,
				       const char *method, int year);
/* co2 tonnes from pounds (api/rec.md section 7). */
double cert_lb_to_t(double lb);

struct cert_report_opts {
	const char *method; /* egrid-nonbaseload (default) or egrid-total ... */
	const char *region; /* eGRID subregion for pieces without one */
	int rate_year;      /* rates of this year or earlier; 0 = latest */
	const char *today;  /* YYYY-MM-DD, for the next deadline and days left */
};
/* Compliance position per (state, compliance year): obligations (records
 * with state, year, obligation_mwh; consumed, may be jv_null()) against
 * retired MWh, with CO2 avoided on the retired MWh. A certificate's
 * subregion: its egrid_region, else its plant's (cert_plants_load), else
 * o->region; without one its MWh have no CO2 figure. */
int cert_report_position(struct cert_ledger *l, const struct cert_refdata *d,
			 const struct cert_report_opts *o, jv obligations, cert_emit_fn emit,
			 void *ctx, struct wp_err *err);
/* The deadline table resolved for a compliance year, with days left from
 * today (YYYY-MM-DD); only state when not NULL. */
int cert_report_deadlines(const struct cert_refdata *d, const char *state, int year,
			  const char *today, cert_emit_fn emit, void *ctx, struct wp_err *err);

#endif
