/* certs.c: unit tests for lib/certs (SHA-256, serial ranges, registry
 * formats, the ledger and its conservation, audit chain, report). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "wp.h"
#include "certs/certs.h"
#include "tap.h"

static char dbpath[256];

static void sha(const char *s, size_t n, char out[65])
{
	struct cert_sha256 h;

	cert_sha256_init(&h);
	cert_sha256_update(&h, s, n);
	cert_sha256_hex(&h, out);
}

static void test_sha256(void)
{
	char hex[65], *mil;
	struct cert_sha256 h;
	int i;

	sha("", 0, hex);
	is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256 empty");
	sha("abc", 3, hex);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256 abc");
	sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	is_str(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	       "sha256 448-bit message (two blocks of padding)");
	mil = malloc(1000000);
	memset(mil, 'a', 1000000);
	/* in uneven pieces, to cross block boundaries */
	cert_sha256_init(&h);
	for (i = 0; i < 1000000; i += 999)
		cert_sha256_update(&h, mil + i, 1000000 - i < 999 ? 1000000 - i : 999);
	cert_sha256_hex(&h, hex);
	is_str(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	       "sha256 one million 'a'");
	free(mil);
}

static void test_serial(void)
{
	struct cert_serial r, t, rest, sub;
	struct wp_err err = WP_ERR_INIT;
	char buf[300];

	is_int(cert_serial_parse("NAR-REC-1234-CA-06-2024-555555-1 to 66", &r, &err), 0, "parse NAR serial");
	is_str(r.base, "NAR-REC-1234-CA-06-2024-555555", "base kept whole");
	is_int(r.start, 1, "start");
	is_int(r.end, 66, "end");
	is_int(cert_serial_count(&r), 66, "count = end - start + 1");
	is_int(cert_serial_take(&r, 55, &t, &rest, &err), 0, "take 55 of 66");
	is_int(t.start, 1, "taken from the low end");
	is_int(t.end, 55, "taken ends at 55");
	is_int(rest.start, 56, "remainder starts at 56");
	is_int(cert_serial_count(&rest), 11, "remainder holds 11");
	is_int(cert_serial_count(&t) + cert_serial_count(&rest), 66, "counts add up");
	ok(!cert_serial_overlap(&t, &rest) && t.end + 1 == rest.start, "pieces disjoint and adjacent");
	is_int(cert_serial_take(&r, 66, &t, &rest, &err), 0, "take all");
	is_int(cert_serial_count(&rest), 0, "take(count) leaves nothing");
	is_int(cert_serial_take(&r, 0, &t, &rest, &err), WP_EDATA, "take 0 fails");
	is_int(cert_serial_take(&r, 67, &t, &rest, &err), WP_EDATA, "take more than count fails");
	is_int(cert_serial_sub(&r, 10, 20, &sub, &err), 0, "sub 10..20");
	cert_serial_format(&sub, buf, sizeof buf);
	is_str(buf, "NAR-REC-1234-CA-06-2024-555555-10 to 20", "format");
	is_int(cert_serial_sub(&r, 60, 70, &sub, &err), WP_EDATA, "sub outside fails");
	is_int(cert_serial_parse("MIRECS-123-MI-01-2009-123-1 to 1", &r, &err), 0, "parse MIRECS import");
	is_str(r.base, "MIRECS-123-MI-01-2009-123", "MIRECS base");
	is_int(cert_serial_parse("ABC-5 to 4", &r, &err), WP_EDATA, "end before start");
	ok(strstr(err.msg, "before start") != NULL, "message says so");
	is_int(cert_serial_parse("ABC-0 to 4", &r, &err), WP_EDATA, "serials are 1-based");
	is_int(cert_serial_parse("ABC 1 to 4", &r, &err), WP_EDATA, "no dash");
	is_int(cert_serial_parse("ABC-1-4", &r, &err), WP_EDATA, "no ' to '");
}

static jv mrets_row(const char *serial, const char *qty, const char *vintage, const char *elig)
{
	jv r = jv_object();

	r = jv_object_set(r, jv_string("Serial Numbers"), jv_string(serial));
	r = jv_object_set(r, jv_string("Quantity"), jv_string(qty));
	r = jv_object_set(r, jv_string("Vintage"), jv_string(vintage));
	r = jv_object_set(r, jv_string("Generator ID"), jv_string("805"));
	r = jv_object_set(r, jv_string("Generator Name"), jv_string("Prairie Wind"));
	r = jv_object_set(r, jv_string(" State "), jv_string("mn"));
	r = jv_object_set(r, jv_string("Fuel Type"), jv_string("Wind"));
	r = jv_object_set(r, jv_string("Eligibility"), jv_string(elig));
	return r;
}

/* A string field as text (a static copy, so no jv is left behind). */
static const char *sget(jv o, const char *k)
{
	static char buf[256];
	jv v = jv_object_get(jv_copy(o), jv_string(k));

	snprintf(buf, sizeof buf, "%s", jv_get_kind(v) == JV_KIND_STRING ? jv_string_value(v) : "(none)");
	jv_free(v);
	return buf;
}

static void test_format(void)
{
	const struct cert_format *f;
	struct wp_err err = WP_ERR_INIT;
	jv b, row;

	is_int(cert_format_find("mrets", &f, &err), 0, "find mrets");
	is_int(cert_format_find("gis", &f, &err), WP_EUSAGE, "unknown format name");
	ok(strstr(err.msg, "known: wattpipe, mrets") != NULL, "message lists the known formats");
	is_int(cert_format_detect(mrets_row("A-1 to 2", "2", "06/2024", ""), &f, &err), 0,
	       "detect mrets by its columns");
	is_str(f->name, "mrets", "detected mrets");
	row = jv_object_set(jv_object(), jv_string("Serial"), jv_string("x"));
	is_int(cert_format_detect(row, &f, &err), WP_EDATA, "unknown columns: bad data");
	ok(strstr(err.msg, "unknown registry format") != NULL, "message says unknown registry format");

	cert_format_find("mrets", &f, &err);
	is_int(cert_format_map(f, mrets_row("805-2024-MN-ab-1 to 100", "100", "06/2024", "MN RES; WI-RPS"),
			       &b, &err), 0, "map mrets row");
	is_str(sget(b, "vintage"), "2024-06", "vintage MM/YYYY -> YYYY-MM");
	is_str(sget(b, "registry"), "M-RETS", "registry from the format");
	is_str(sget(b, "state"), "MN", "state upper-cased, header blanks trimmed");
	is_int(jv_array_length(jv_object_get(jv_copy(b), jv_string("eligibilities"))), 2, "two eligibility tags");
	is_num(jv_number_value(jv_object_get(jv_copy(b), jv_string("mwh"))), 100, 0, "mwh = certificates by default");
	jv_free(b);
	is_int(cert_format_map(f, mrets_row("X-1 to 100", "99", "06/2024", ""), &b, &err), WP_EDATA,
	       "quantity disagreeing with the range");
	is_int(cert_format_map(f, mrets_row("X-1 to 100", "100", "2024/06", ""), &b, &err), WP_EDATA,
	       "bad vintage");
	ok(strstr(err.msg, "vintage '2024/06'") != NULL, "message names the vintage");
}

/* A digest of every row of every table: "the ledger is unchanged". */
static void dump_digest(char out[65])
{
	static const char *const q[] = { "SELECT * FROM batch ORDER BY id", "SELECT * FROM piece ORDER BY id",
					 "SELECT * FROM audit ORDER BY seq" };
	struct cert_sha256 h;
	sqlite3 *db;
	sqlite3_stmt *st;
	int i, c;

	cert_sha256_init(&h);
	sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL);
	for (i = 0; i < 3; i++) {
		sqlite3_prepare_v2(db, q[i], -1, &st, NULL);
		while (sqlite3_step(st) == SQLITE_ROW)
			for (c = 0; c < sqlite3_column_count(st); c++) {
				const char *t = (const char *)sqlite3_column_text(st, c);
				cert_sha256_update(&h, t ? t : "\1", strlen(t ? t : "\1") + 1);
			}
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	cert_sha256_hex(&h, out);
}

struct got {
	int n;
	long long certs;
	jv last;
};

static int collect(void *ctx, jv rec, struct wp_err *err)
{
	struct got *g = ctx;

	g->n++;
	g->certs += (long long)jv_number_value(jv_object_get(jv_copy(rec), jv_string("certificates")));
	jv_free(g->last);
	g->last = rec;
	return 0;
}

static const char *lstr(struct got *g, const char *k)
{
	jv v = jv_object_get(jv_copy(g->last), jv_string(k));
	const char *s = jv_get_kind(v) == JV_KIND_STRING ? jv_string_value(v) : NULL;

	jv_free(v); /* the string stays referenced by g->last */
	return s;
}

static int import_rows(struct cert_ledger *l, jv rows, long *added, struct wp_err *err)
{
	const struct cert_format *f;
	struct cert_import imp;
	int rc;

	cert_format_find("mrets", &f, err);
	if ((rc = cert_import_begin(l, "test", &imp, err)))
		return rc;
	jv_array_foreach(rows, i, row)
	{
		jv b;

		if (!rc && !(rc = cert_format_map(f, row, &b, err)))
			rc = cert_import_add(&imp, b, err);
		else if (rc)
			jv_free(row);
	}
	jv_free(rows);
	if (added)
		*added = imp.added;
	if (rc) {
		cert_import_end(&imp, 0, NULL);
		return rc;
	}
	return cert_import_end(&imp, 1, err);
}

static jv sample(void)
{
	jv a = jv_array();

	a = jv_array_append(a, mrets_row("805-2023-MN-aa-1 to 100", "100", "07/2023", "MN RES"));
	a = jv_array_append(a, mrets_row("805-2024-MN-bb-1 to 50", "50", "03/2024", "MN RES; WI-RPS"));
	a = jv_array_append(a, mrets_row("805-2022-MN-cc-1 to 30", "30", "12/2022", "WI-RPS"));
	return a;
}

static void test_ledger(void)
{
	struct cert_ledger_opts o = CERT_LEDGER_OPTS_INIT;
	struct cert_ledger *l;
	struct wp_err err = WP_ERR_INIT;
	struct cert_select sel = CERT_SELECT_INIT;
	struct cert_retirement r = CERT_RETIREMENT_INIT;
	struct got g = { 0, 0, jv_null() };
	char before[65], after[65];
	long added, rows;
	int rc;

	o.actor = "tester";
	o.now = 1732579200; /* 2024-11-26 */
	is_int(cert_ledger_open(&l, dbpath, &o, &err), 0, "create ledger");
	is_int(import_rows(l, sample(), &added, &err), 0, "import three batches");
	is_int(added, 3, "three added");
	is_int(cert_ledger_check(l, &err), 0, "conserved after import");

	dump_digest(before);
	is_int(import_rows(l, sample(), &added, &err), 0, "import the same rows again");
	is_int(added, 0, "nothing added");
	dump_digest(after);
	is_str(after, before, "second import changes nothing (not even the audit)");

	/* A holdings export after a partial move lists a piece: known. */
	is_int(import_rows(l, jv_array_append(jv_array(), mrets_row("805-2023-MN-aa-51 to 100", "50",
								    "07/2023", "MN RES")),
			   &added, &err), 0, "import a piece of a held batch");
	is_int(added, 0, "a piece of a held batch is not added");
	dump_digest(after);
	is_str(after, before, "and changes nothing");
	rc = import_rows(l, jv_array_append(jv_array(), mrets_row("805-2023-MN-aa-51 to 100", "50",
								  "08/2023", "MN RES")),
			 &added, &err);
	is_int(rc, WP_EDATA, "the same range with another vintage is a conflict");

	rc = import_rows(l, jv_array_append(jv_array(), mrets_row("805-2023-MN-aa-90 to 120", "31",
								  "07/2023", "MN RES")),
			 &added, &err);
	is_int(rc, WP_EDATA, "overlapping range refused");
	ok(strstr(err.msg, "overlaps '805-2023-MN-aa-1 to 100'") != NULL, "message names the held range");
	dump_digest(after);
	is_str(after, before, "ledger unchanged after the refused import");

	/* Retire 120 for MN 2024 with one banking year: the 2023 batch (100)
	 * first, then 20 of the 2024 one; WI-only 2022 never qualifies. */
	sel.state = "MN";
	sel.year = 2024;
	sel.banking_years = 1;
	sel.quantity = 120;
	r.type = "compliance";
	r.state = "MN";
	r.year = 2024;
	r.beneficiary = "Acme Co-op";
	is_int(cert_retire(l, &sel, &r, NULL, 1, collect, &g, &err), 0, "dry run");
	is_int(g.n, 2, "dry run shows two ranges");
	dump_digest(after);
	is_str(after, before, "dry run changes nothing");
	g.n = 0, g.certs = 0;
	is_int(cert_retire(l, &sel, &r, NULL, 0, collect, &g, &err), 0, "retire 120 for MN 2024");
	is_int(g.n, 2, "two ranges moved");
	is_int(g.certs, 120, "120 certificates retired");
	is_str(lstr(&g, "serial"), "805-2024-MN-bb-1 to 20", "the second range split at the low end");
	is_str(lstr(&g, "status"), "retired", "status retired");
	is_int(cert_ledger_check(l, &err), 0, "conserved after the split");

	dump_digest(before);
	sel.quantity = 31; /* 30 left eligible for MN */
	is_int(cert_retire(l, &sel, &r, NULL, 0, collect, &g, &err), WP_EDATA, "retire more than held");
	ok(strstr(err.msg, "only 30 active certificates are eligible for MN in 2024") != NULL,
	   "message says how many are eligible");
	dump_digest(after);
	is_str(after, before, "ledger unchanged after the refusal");

	sel.quantity = 0;
	sel.serial = "805-2022-MN-cc-1 to 10";
	is_int(cert_retire(l, &sel, &r, NULL, 0, collect, &g, &err), WP_EDATA, "not eligible for MN");
	ok(strstr(err.msg, "not eligible for MN") != NULL, "message says not eligible");
	sel.serial = "805-2024-MN-bb-15 to 25";
	is_int(cert_retire(l, &sel, &r, NULL, 0, collect, &g, &err), WP_EDATA, "range spanning two pieces");
	ok(strstr(err.msg, "spans more than one held range") != NULL, "message explains");
	if (!strstr(err.msg, "spans"))
		printf("# %s\n", err.msg);
	sel.serial = "805-2024-MN-bb-30 to 35";
	g.n = 0;
	is_int(cert_retire(l, &sel, &r, NULL, 0, collect, &g, &err), 0, "retire a serial range inside a piece");
	is_str(lstr(&g, "serial"), "805-2024-MN-bb-30 to 35", "exactly that range");
	is_int(cert_ledger_check(l, &err), 0, "conserved after a middle split (three pieces)");
	sel.serial = "805-2024-MN-bb-30 to 35";
	is_int(cert_retire(l, &sel, &r, NULL, 0, collect, &g, &err), WP_EDATA, "a retired range is final");

	sel = (struct cert_select)CERT_SELECT_INIT;
	sel.quantity = 5;
	sel.state = "WI";
	is_int(cert_transfer(l, &sel, "ACME-2", NULL, 0, collect, &g, &err), 0, "transfer 5 WI-eligible");
	is_str(lstr(&g, "account_id"), "ACME-2", "moved to ACME-2");
	is_str(lstr(&g, "vintage"), "2022-12", "oldest vintage first");
	is_int(cert_ledger_check(l, &err), 0, "conserved after transfer");

	r = (struct cert_retirement)CERT_RETIREMENT_INIT;
	r.type = "compliance";
	is_int(cert_retirement_check(&r, &err), WP_EUSAGE, "compliance without state/year refused");

	is_int(cert_audit_verify(l, &rows, &err), 0, "audit chain verifies");
	is_int(rows, 4, "four audit rows (import, retire, retire, transfer)");
	cert_ledger_close(l);

	/* Tamper as someone with the sqlite3 shell would. */
	{
		sqlite3 *db;

		sqlite3_open(dbpath, &db);
		sqlite3_exec(db, "DROP TRIGGER audit_no_update;"
				 "UPDATE audit SET detail = replace(detail, 'Acme', 'Evil') WHERE seq = 2",
			     NULL, NULL, NULL);
		sqlite3_close(db);
	}
	o.readonly = 1;
	is_int(cert_ledger_open(&l, dbpath, &o, &err), 0, "reopen read-only");
	is_int(cert_audit_verify(l, &rows, &err), WP_EFAIL, "tampering detected");
	ok(strstr(err.msg, "audit row 2") != NULL, "at row 2");
	cert_ledger_close(l);
	jv_free(g.last);
}

static int keep(void *ctx, jv rec, struct wp_err *err)
{
	jv *a = ctx;

	*a = jv_array_append(*a, rec);
	return 0;
}

static void test_report(void)
{
	struct cert_refdata d = CERT_REFDATA_INIT;
	struct cert_deadline dl = { "PA", "PJM-GATS", "Jun-May", "AEC retirement", "09-01", "", "official" };
	struct cert_ledger *l;
	struct cert_ledger_opts o = CERT_LEDGER_OPTS_INIT;
	struct cert_report_opts ro = { "egrid-nonbaseload", "AKGD", 0, "2025-01-15" };
	struct wp_err err = WP_ERR_INIT;
	struct cert_rate rate = { "AKGD", "egrid-nonbaseload", "eGRID2024 (illustrative)", 2024, 1224.498 };
	char date[11];
	jv out = jv_array(), ob;

	is_int(cert_deadline_date(&dl, 2024, date), 1, "MM-DD deadline resolves");
	is_str(date, "2025-09-01", "in the year after the compliance year");
	dl.deadline = "mid-June";
	is_int(cert_deadline_date(&dl, 2024, date), 0, "fuzzy deadline has no date");
	is_num(cert_lb_to_t(1224498), 555.423, 5e-4, "1,224,498 lb = 555.423 t (rec.md)");

	{
		char path[300];
		FILE *f;
		struct cert_refdata p = CERT_REFDATA_INIT;

		snprintf(path, sizeof path, "%s.plants.csv", dbpath);
		f = fopen(path, "w");
		fputs("Plant ORIS code,eGRID subregion acronym\nORISPL,SUBRGN\n7,ERCT\n58001,MROW\n3,\n", f);
		fclose(f);
		is_int(cert_plants_load(&p, path, &err), 0, "plant sheet with its mnemonics in row 2");
		is_int(p.nplants, 2, "plants without a subregion skipped");
		is_str(cert_plant_region(&p, "58001"), "MROW", "subregion of a plant");
		ok(cert_plant_region(&p, "4") == NULL, "unknown plant");
		cert_refdata_release(&p);
		unlink(path);
	}
	d.rates = &rate;
	d.nrates = 1;
	ok(cert_rate_find(&d, "akgd", "egrid-nonbaseload", 0) == &rate, "rate by region, any case");
	ok(cert_rate_find(&d, "AKGD", "egrid-nonbaseload", 2023) == NULL, "no rate before its year");

	cert_ledger_open(&l, dbpath, &o, &err);
	ob = jv_array_append(jv_array(),
			     jv_object_set(jv_object_set(jv_object_set(jv_object(), jv_string("state"), jv_string("MN")),
							 jv_string("year"), jv_number(2024)),
					   jv_string("obligation_mwh"), jv_number(200)));
	is_int(cert_report_position(l, &d, &ro, ob, keep, &out, &err), 0, "position report");
	is_int(jv_array_length(jv_copy(out)), 1, "one state-year");
	{
		jv r = jv_array_get(jv_copy(out), 0);

		is_num(jv_number_value(jv_object_get(jv_copy(r), jv_string("retired_mwh"))), 126, 1e-9,
		       "126 MWh retired for MN 2024");
		is_num(jv_number_value(jv_object_get(jv_copy(r), jv_string("shortfall_mwh"))), 74, 1e-9,
		       "74 MWh short of 200");
		is_num(jv_number_value(jv_object_get(jv_copy(r), jv_string("co2_avoided_lb"))), 126 * 1224.498,
		       1e-6, "CO2 = MWh x rate");
		jv_free(r);
	}
	cert_ledger_close(l);
	jv_free(out);
}

int main(void)
{
	snprintf(dbpath, sizeof dbpath, "%s/wp-certs-%d.db", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		 (int)getpid());
	test_sha256();
	test_serial();
	test_format();
	test_ledger();
	test_report();
	unlink(dbpath);
	{
		char p[300];
		snprintf(p, sizeof p, "%s-wal", dbpath);
		unlink(p);
		snprintf(p, sizeof p, "%s-shm", dbpath);
		unlink(p);
	}
	return done_testing();
}
