/* Unit tests for lib/core/rec.h: numbers, readers, writers. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wp.h"
#include "tap.h"

/* ---- helpers ---- */

struct seen {
	char text[4096]; /* records as compact JSON, or "ERR msg", one a line */
	int records, errors;
};

/* Read all of `in` as fmt, continuing after errors (--keep-going). */
static void read_all(const char *in, enum wp_format fmt, struct seen *s)
{
	FILE *f = fmemopen((void *)in, strlen(in), "r");
	struct wp_reader *r;
	struct wp_err err = WP_ERR_INIT;
	size_t n = 0;
	jv rec;
	int rc;

	memset(s, 0, sizeof *s);
	if (wp_reader_open(&r, f, "stdin", fmt, &err)) {
		snprintf(s->text, sizeof s->text, "open failed: %s", err.msg);
		fclose(f);
		return;
	}
	for (;;) {
		rc = wp_reader_next(r, &rec, &err);
		if (rc == WP_EDATA) {
			s->errors++;
			n += (size_t)snprintf(s->text + n, sizeof s->text - n, "ERR %s\n", err.msg);
			continue;
		}
		if (rc || !jv_is_valid(rec))
			break;
		s->records++;
		jv t = jv_dump_string(rec, 0);
		n += (size_t)snprintf(s->text + n, sizeof s->text - n, "%ld %s\n",
				      wp_reader_line(r), jv_string_value(t));
		jv_free(t);
	}
	wp_reader_free(r);
	fclose(f);
}

/* Write the NDJSON lines of `in` through a writer with opts; returns the
 * status of the first failing put (or close) and the output in out. */
static int write_all(const char *in, struct wp_writer_opts o, char *out, size_t outsz)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct wp_writer *w;
	struct wp_err err = WP_ERR_INIT;
	int rc = wp_writer_open(&w, f, &o, &err);
	const char *p = in;

	while (!rc && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		rc = wp_writer_put(w, jv_parse_sized(p, (int)n), &err);
		p += n + (nl != NULL);
	}
	if (w) {
		int crc = wp_writer_close(w, &err);

		rc = rc ? rc : crc;
	}
	fclose(f);
	snprintf(out, outsz, "%s", rc && err.msg[0] ? err.msg : buf ? buf : "");
	free(buf);
	return rc;
}

static const char *fmt_num(double d)
{
	static char buf[32];

	wp_fmt_double(d, buf);
	return buf;
}

/* ---- numbers ---- */

static void test_fmt_double(void)
{
	is_str(fmt_num(0.1), "0.1", "0.1");
	is_str(fmt_num(0.1 + 0.2), "0.30000000000000004", "0.1+0.2 keeps its 17 digits");
	is_str(fmt_num(17.956076), "17.956076", "PJM-style price");
	is_str(fmt_num(-31.25), "-31.25", "negative");
	is_str(fmt_num(1e21), "1e+21", "1e21 switches to exponent");
	is_str(fmt_num(1e20), "100000000000000000000", "1e20 in full");
	is_str(fmt_num(12345678901234567890.0), "12345678901234567000",
	       "2^64-ish integer, nearest double, shortest digits");
	is_str(fmt_num(-0.0), "-0", "-0.0 keeps its sign");
	is_str(fmt_num(0.0), "0", "zero");
	is_str(fmt_num(1e-7), "1e-7", "1e-7 in exponent form");
	is_str(fmt_num(1.5e-7), "1.5e-7", "1.5e-7");
	is_str(fmt_num(0.000001), "0.000001", "1e-6 in full");
	is_str(fmt_num(9007199254740993.0), "9007199254740992", "2^53+1 rounds to 2^53");
	is_str(fmt_num(1.0 / 3), "0.3333333333333333", "1/3");
	is_str(fmt_num(5e-324), "5e-324", "smallest subnormal");
	is_str(fmt_num(1.7976931348623157e308), "1.7976931348623157e+308", "largest double");
	is_str(fmt_num(NAN), "null", "NaN is null");
	is_str(fmt_num(INFINITY), "null", "infinity is null");
	is_str(fmt_num(100), "100", "integer with zeros");
	is_str(fmt_num(123456.789e3), "123456789", "scaled integer");

	/* Every double reads back the same and is never longer than %.17g. */
	uint64_t x = 0x9e3779b97f4a7c15u;
	int bad = 0, longer = 0;
	for (int i = 0; i < 200000; i++) {
		char buf[32], ref[40];
		double d, back;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		if (i % 2) {
			memcpy(&d, &x, sizeof d);
		} else { /* decimals with few places, like prices */
			d = (double)(int64_t)(x % 20000000) / pow(10, (double)((x >> 60) % 8));
		}
		if (!isfinite(d))
			continue;
		wp_fmt_double(d, buf);
		back = strtod(buf, NULL);
		bad += memcmp(&back, &d, sizeof d) != 0;
		snprintf(ref, sizeof ref, "%.17g", d);
		longer += strlen(buf) > strlen(ref) + 2; /* "+21"-style exponents aside */
	}
	is_int(bad, 0, "200000 random doubles round-trip");
	is_int(longer, 0, "none longer than %.17g");
}

static void test_num_parse(void)
{
	double d = 42;

	ok(wp_num_parse("0.1", 3, &d) == 0 && d == 0.1, "0.1 parses to the nearest double");
	ok(wp_num_parse("-0", 2, &d) == 0 && d == 0 && signbit(d), "-0 keeps its sign");
	ok(wp_num_parse("17.956076", 9, &d) == 0 && d == 17.956076, "price");
	ok(wp_num_parse("1e-7", 4, &d) == 0 && d == 1e-7, "exponent");
	ok(wp_num_parse("2.5E+3", 6, &d) == 0 && d == 2500, "E+");
	ok(wp_num_parse("12345678901234567890", 20, &d) == 0 && d == 12345678901234567890.0,
	   "20 digits: nearest double");
	ok(wp_num_parse("0.30000000000000004", 19, &d) == 0 && d == 0.1 + 0.2,
	   "17 significant digits");
	d = 42;
	is_int(wp_num_parse("1e400", 5, &d), WP_EDATA, "1e400 is out of range");
	ok(d == 42, "out of range leaves *out alone");
	is_int(wp_num_parse("01", 2, &d), WP_EDATA, "leading zero");
	is_int(wp_num_parse("+1", 2, &d), WP_EDATA, "leading +");
	is_int(wp_num_parse(".5", 2, &d), WP_EDATA, ".5");
	is_int(wp_num_parse("1.", 2, &d), WP_EDATA, "1.");
	is_int(wp_num_parse("1e", 2, &d), WP_EDATA, "1e");
	is_int(wp_num_parse("nan", 3, &d), WP_EDATA, "nan");
	is_int(wp_num_parse("", 0, &d), WP_EDATA, "empty");
	is_int(wp_num_parse("12 ", 3, &d), WP_EDATA, "trailing space");
	is_int(wp_num_parse("0x10", 4, &d), WP_EDATA, "hex");
}

static void test_format_parse(void)
{
	enum wp_format f = WP_FMT_AUTO;
	struct wp_err err = WP_ERR_INIT;

	ok(wp_format_parse("csv", &f, &err) == 0 && f == WP_FMT_CSV, "csv");
	ok(wp_format_parse("json", &f, &err) == 0 && f == WP_FMT_NDJSON, "json = ndjson");
	ok(wp_format_parse("table", &f, &err) == 0 && f == WP_FMT_TABLE, "table");
	is_int(wp_format_parse("xml", &f, &err), WP_EUSAGE, "xml is a usage error");
	ok(strstr(err.msg, "'xml'") != NULL, "message names it");
}

static void test_rec_access(void)
{
	jv rec = jv_parse("{\"lmp\":17.5,\"s\":\"31.25\",\"bad\":\"x\",\"n\":null,\"name\":\"A\"}");
	double d;
	char *s;

	ok(wp_rec_num(jv_copy(rec), "lmp", &d) == 0 && d == 17.5, "number field");
	ok(wp_rec_num(jv_copy(rec), "s", &d) == 0 && d == 31.25, "number in a string");
	is_int(wp_rec_num(jv_copy(rec), "bad", &d), WP_EDATA, "not a number");
	ok(wp_rec_num(jv_copy(rec), "n", &d) == WP_ENULL && isnan(d), "null -> WP_ENULL, NaN");
	is_int(wp_rec_num(jv_copy(rec), "missing", &d), WP_ENULL, "missing -> WP_ENULL");
	is_str(s = wp_rec_str(jv_copy(rec), "name"), "A", "string field");
	free(s);
	is_str(s = wp_rec_str(jv_copy(rec), "lmp"), "17.5", "number as text");
	free(s);
	ok(wp_rec_str(jv_copy(rec), "n") == NULL, "null -> NULL");
	ok(wp_rec_str(jv_number(1), "x") == NULL, "not an object -> NULL");
	jv_free(rec);
}

/* ---- readers ---- */

static void test_ndjson(void)
{
	struct seen s;

	read_all("{\"a\":1}\n\n  \n{\"name\":\"Caf\\u00e9 \\ud83d\\ude00\",\"raw\":\"Café 😀\"}\n",
		 WP_FMT_NDJSON, &s);
	is_str(s.text,
	       "1 {\"a\":1}\n"
	       "4 {\"name\":\"Café 😀\",\"raw\":\"Café 😀\"}\n",
	       "blank lines skipped and counted; \\u escapes and raw UTF-8 agree");

	read_all("{\"a\":1}\n{\"a\":\n[1,2]\n7\n{\"big\":1e400}\n{\"b\":12345678901234567890}\n"
		 "[{\"x\":1},{\"x\":2}]\n[{\"x\":1},3]\n{\"last\":true}",
		 WP_FMT_NDJSON, &s);
	is_str(s.text,
	       "1 {\"a\":1}\n"
	       "ERR stdin:2: invalid JSON: Unfinished JSON term at EOF at column 5\n"
	       "ERR stdin:3: array element 1 is a number, not an object\n"
	       "ERR stdin:4: a number, not an object\n"
	       "ERR stdin:5: number out of range\n"
	       "6 {\"b\":12345678901234567000}\n"
	       "7 {\"x\":1}\n"
	       "7 {\"x\":2}\n"
	       "ERR stdin:8: array element 2 is a number, not an object\n"
	       "9 {\"last\":true}\n",
	       "bad lines named by number, reading goes on after each");
	is_int(s.errors, 5, "five bad lines");
	is_int(s.records, 5, "five records");

	read_all("{\"a\":\"\\ud800\"}\n", WP_FMT_NDJSON, &s);
	ok(strncmp(s.text, "ERR stdin:1: invalid JSON: Invalid \\uXXXX", 40) == 0,
	   "lone surrogate is invalid JSON");
}

static void test_csv(void)
{
	struct seen s;

	read_all("name,lmp,note,empty\r\n"
		 "\"WESTERN HUB\",31.25,\"a, b\",\r\n"
		 "\"say \"\"hi\"\"\",-0.5,\"two\r\nlines\",\"\"\r\n"
		 "X,007,1e400, \r\n",
		 WP_FMT_CSV, &s);
	is_str(s.text,
	       "2 {\"name\":\"WESTERN HUB\",\"lmp\":31.25,\"note\":\"a, b\",\"empty\":null}\n"
	       "3 {\"name\":\"say \\\"hi\\\"\",\"lmp\":-0.5,\"note\":\"two\\r\\nlines\",\"empty\":\"\"}\n"
	       "5 {\"name\":\"X\",\"lmp\":\"007\",\"note\":\"1e400\",\"empty\":\" \"}\n",
	       "CRLF, quotes, embedded comma/quote/newline, types, line of each row");

	read_all("a,b,c,d\n1,2,3,4\n1,2,3,4,5\n1,2\n\"x\ny\",2,3,4\n5,6,7,8\n", WP_FMT_CSV, &s);
	is_str(s.text,
	       "2 {\"a\":1,\"b\":2,\"c\":3,\"d\":4}\n"
	       "ERR stdin:3: 5 fields, header has 4\n"
	       "ERR stdin:4: 2 fields, header has 4\n"
	       "5 {\"a\":\"x\\ny\",\"b\":2,\"c\":3,\"d\":4}\n"
	       "7 {\"a\":5,\"b\":6,\"c\":7,\"d\":8}\n",
	       "ragged rows named, physical lines counted, reading goes on");

	read_all("a,b\n1,x\"y\n3,4\n", WP_FMT_CSV, &s);
	is_str(s.text,
	       "ERR stdin:2: malformed CSV: error parsing data while strict checking enabled\n"
	       "3 {\"a\":3,\"b\":4}\n",
	       "stray quote: error, then the next line");

	read_all("a,b\n1,\"open\n", WP_FMT_CSV, &s);
	is_str(s.text, "ERR stdin:2: quoted field not closed at end of input\n",
	       "unterminated quote at end of input");

	read_all("\xef\xbb\xbf" "a,a\n1,2\n", WP_FMT_CSV, &s);
	ok(strncmp(s.text, "ERR stdin:1: duplicate column 'a'", 33) == 0,
	   "BOM skipped; duplicate column refused");

	read_all("", WP_FMT_CSV, &s);
	is_str(s.text, "", "empty input: no records");
}

static void test_sniff(void)
{
	struct seen s;

	read_all("\n \n  {\"a\":1}\n", WP_FMT_AUTO, &s);
	is_str(s.text, "3 {\"a\":1}\n", "AUTO: NDJSON after blank lines, nothing lost");
	read_all("\na,b\n1,2\n", WP_FMT_AUTO, &s);
	is_str(s.text, "3 {\"a\":1,\"b\":2}\n", "AUTO: CSV, header line kept");
	read_all("[{\"a\":1}]\n", WP_FMT_AUTO, &s);
	is_str(s.text, "1 {\"a\":1}\n", "AUTO: '[' is NDJSON");
}

/* ---- writers ---- */

#define OPTS(...) ((struct wp_writer_opts){ __VA_ARGS__ })

static void test_writers(void)
{
	char out[2048];
	const char *recs = "{\"name\":\"a, \\\"b\\\"\",\"lmp\":0.1,\"n\":null,\"e\":\"\",\"t\":\"x\\ty\\nz\\\\\"}\n"
			   "{\"name\":\"Café\",\"lmp\":1e21,\"n\":-0.0,\"e\":[1,{\"k\":true}],\"t\":\" s\"}";

	write_all(recs, OPTS(.format = WP_FMT_NDJSON), out, sizeof out);
	is_str(out,
	       "{\"name\":\"a, \\\"b\\\"\",\"lmp\":0.1,\"n\":null,\"e\":\"\",\"t\":\"x\\ty\\nz\\\\\"}\n"
	       "{\"name\":\"Café\",\"lmp\":1e+21,\"n\":-0,\"e\":[1,{\"k\":true}],\"t\":\" s\"}\n",
	       "NDJSON: compact, key order kept, raw UTF-8, shortest numbers");

	write_all(recs, OPTS(.format = WP_FMT_CSV), out, sizeof out);
	is_str(out,
	       "name,lmp,n,e,t\n"
	       "\"a, \"\"b\"\"\",0.1,,\"\",\"x\ty\nz\\\"\n"
	       "Café,1e+21,-0,\"[1,{\"\"k\"\":true}]\",\" s\"\n",
	       "CSV: quotes only where needed, null empty, \"\" for the empty string");

	write_all(recs, OPTS(.format = WP_FMT_TSV), out, sizeof out);
	is_str(out,
	       "name\tlmp\tn\te\tt\n"
	       "a, \"b\"\t0.1\t\t\tx\\ty\\nz\\\\\n"
	       "Café\t1e+21\t-0\t[1,{\"k\":true}]\t s\n",
	       "TSV: tab, newline and backslash escaped");

	write_all("{\"a\":\"line\\r\\nbreak\"}", OPTS(.format = WP_FMT_CSV, .no_header = 1), out,
		  sizeof out);
	is_str(out, "\"line\r\nbreak\"\n", "CSV: embedded CRLF quoted; --no-header");

	write_all(recs, OPTS(.format = WP_FMT_CSV, .fields = "t, lmp,missing"), out, sizeof out);
	is_str(out, "t,lmp,missing\n\"x\ty\nz\\\",0.1,\n\" s\",1e+21,\n",
	       "--fields selects and orders; missing is empty");

	write_all(recs, OPTS(.format = WP_FMT_NDJSON, .fields = "lmp,zz"), out, sizeof out);
	is_str(out, "{\"lmp\":0.1,\"zz\":null}\n{\"lmp\":1e+21,\"zz\":null}\n",
	       "--fields in NDJSON: those keys, missing as null");

	static const char *const cols[] = { "lmp", "name", NULL };
	write_all(recs, OPTS(.format = WP_FMT_CSV, .columns = cols), out, sizeof out);
	is_str(out, "lmp,name\n0.1,\"a, \"\"b\"\"\"\n1e+21,Café\n", "columns from the caller");

	is_int(write_all(recs, OPTS(.format = WP_FMT_CSV, .fields = "a,,b"), out, sizeof out),
	       WP_EUSAGE, "empty name in --fields");
	is_int(write_all(recs, OPTS(.format = WP_FMT_CSV, .fields = "a,a"), out, sizeof out),
	       WP_EUSAGE, "field twice in --fields");
	is_int(write_all("[1]", OPTS(.format = WP_FMT_CSV), out, sizeof out), WP_EDATA,
	       "CSV needs objects");
	is_str(out, "record is not an object but array", "and says so");
	is_int(write_all("[1]\n\"s\"", OPTS(.format = WP_FMT_NDJSON), out, sizeof out), 0,
	       "NDJSON writes any JSON value");
	is_str(out, "[1]\n\"s\"\n", "as it is");
}

static void test_jq(void)
{
	char out[2048];
	const char *recs = "{\"a\":1,\"xs\":[10,20,30]}\n{\"a\":2,\"xs\":[]}\n{\"a\":3,\"xs\":[5]}";

	write_all(recs, OPTS(.format = WP_FMT_NDJSON, .jq = "select(.a != 2) | {a, n: (.xs | length)}"),
		  out, sizeof out);
	is_str(out, "{\"a\":1,\"n\":3}\n{\"a\":3,\"n\":1}\n", "jq: 0 or 1 output per record");

	write_all(recs, OPTS(.format = WP_FMT_CSV, .jq = ".a as $a | .xs[] | {a: $a, x: .}"), out,
		  sizeof out);
	is_str(out, "a,x\n1,10\n1,20\n1,30\n3,5\n", "jq: many outputs per record, CSV");

	is_int(write_all(recs, OPTS(.format = WP_FMT_NDJSON, .jq = ".a |||"), out, sizeof out),
	       WP_EUSAGE, "bad jq program is a usage error");
	ok(strncmp(out, "--jq: syntax error", 18) == 0, "message says what");

	is_int(write_all(recs, OPTS(.format = WP_FMT_NDJSON, .jq = ".a | ascii_downcase"), out,
			 sizeof out),
	       WP_EDATA, "jq runtime error is bad data");
	ok(strncmp(out, "jq: ", 4) == 0 && strstr(out, "must be a string") != NULL,
	   "runtime message from jq");

	/* The writer counts outputs, after jq. */
	FILE *f = fopen("/dev/null", "w");
	struct wp_writer *w;
	struct wp_err err = WP_ERR_INIT;
	wp_writer_open(&w, f, &OPTS(.format = WP_FMT_NDJSON, .jq = ".[]"), &err);
	wp_writer_put(w, jv_parse("{\"a\":1,\"b\":2,\"c\":3}"), &err);
	is_int(wp_writer_count(w), 3, "count after jq");
	is_int(wp_writer_close(w, &err), 0, "close");
	fclose(f);
}

static void test_table(void)
{
	char out[2048];

	write_all("{\"node\":\"WESTERN HUB\",\"lmp\":31.25,\"note\":\"a\\tb\"}\n"
		  "{\"node\":\"Zürich\",\"lmp\":-1.5,\"note\":null}\n"
		  "{\"node\":\"X\",\"lmp\":100,\"note\":\"é\"}",
		  OPTS(.format = WP_FMT_TABLE), out, sizeof out);
	is_str(out,
	       "node           lmp  note\n"
	       "WESTERN HUB  31.25  a\\tb\n"
	       "Zürich        -1.5\n"
	       "X              100  é\n",
	       "table: widths from the sample, numbers right, UTF-8 counted as characters");

	/* Past the sample, rows stream with the widths already chosen. */
	char in[64 * (WP_TABLE_SAMPLE + 2)], *p = in;
	for (int i = 0; i < WP_TABLE_SAMPLE + 1; i++)
		p += sprintf(p, "{\"k\":\"%s\",\"v\":%d}\n", i == WP_TABLE_SAMPLE ? "longer" : "a", i);
	p[-1] = '\0';
	static char big[16 * 1024];
	write_all(in, OPTS(.format = WP_FMT_TABLE), big, sizeof big);
	ok(strncmp(big, "k    v\na    0\n", 14) == 0, "table header sized by the sample");
	ok(strstr(big, "\nlonger  200\n") != NULL, "a wider cell after the sample overflows");
}

static void test_write_error(void)
{
	FILE *f = fopen("/dev/full", "w");
	struct wp_writer *w;
	struct wp_err err = WP_ERR_INIT;
	int rc = 0;

	if (!f) {
		ok(1, "# SKIP no /dev/full");
		return;
	}
	wp_writer_open(&w, f, &OPTS(.format = WP_FMT_CSV), &err);
	for (int i = 0; i < 10000 && !rc; i++)
		rc = wp_writer_put(w, jv_parse("{\"a\":\"some text to fill a buffer\"}"), &err);
	if (!rc)
		rc = wp_writer_close(w, &err);
	else
		wp_writer_close(w, NULL);
	is_int(rc, WP_ECANTCREAT, "/dev/full: cannot write");
	ok(strstr(err.msg, "No space left") != NULL, "says why");
	fclose(f);
}

int main(void)
{
	test_fmt_double();
	test_num_parse();
	test_format_parse();
	test_rec_access();
	test_ndjson();
	test_csv();
	test_sniff();
	test_writers();
	test_jq();
	test_table();
	test_write_error();
	return done_testing();
}
