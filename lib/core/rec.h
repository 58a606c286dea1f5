/* rec.h: records on the wire (DESIGN.md section 2).
 *
 * A record is a libjq object (jv). Readers stream records from NDJSON or
 * CSV; writers stream them as NDJSON, CSV, TSV or an aligned table, after
 * the optional --jq filter and --fields selection. Memory stays flat: no
 * reader or writer holds more than one record, except the table writer,
 * which looks at its first WP_TABLE_SAMPLE rows to size columns.
 */
#ifndef WP_REC_H
#define WP_REC_H

#include <stdio.h>
#include <jq.h>

struct wp_err;

enum wp_format {
	WP_FMT_AUTO = 0, /* reader: sniff; writer: table on a tty, else NDJSON */
	WP_FMT_NDJSON,
	WP_FMT_CSV,
	WP_FMT_TSV,
	WP_FMT_TABLE,
};
#define WP_TABLE_SAMPLE 200

/* "ndjson", "json", "csv", "tsv", "table" -> *out; WP_EUSAGE otherwise. */
int wp_format_parse(const char *s, enum wp_format *out, struct wp_err *err);

/* Reader. NDJSON: one JSON value per line; an object is a record, an array
 * of objects is several; blank lines are skipped. CSV (RFC 4180, libcsv): a
 * header row names the fields; empty cells are null, a quoted empty cell is
 * "", cells in strict JSON number syntax become numbers, others strings;
 * spaces are kept; CRLF accepted. AUTO looks at the first non-blank byte:
 * '{' or '[' means NDJSON. A UTF-8 byte order mark is skipped.
 * Numbers are doubles (jq 1.6): 12345678901234567890 reads as the nearest
 * double, 12345678901234567168 (written back 12345678901234567000); a
 * literal beyond the double range (1e400) is WP_EDATA in NDJSON and stays
 * a string in CSV. Lines are physical lines: a CSV row with a quoted line
 * break is numbered by its first line. */
struct wp_reader;
/* name is used in messages ("stdin", a path). in is not closed. */
int wp_reader_open(struct wp_reader **r, FILE *in, const char *name,
		   enum wp_format fmt, struct wp_err *err);
/* Next record. Returns 0 with *rec an object, or 0 with *rec invalid
 * (jv_is_valid false) at end of input, or WP_EDATA with
 * "NAME:LINE: what is wrong"; after WP_EDATA the reader is still usable and
 * the next call continues after the bad record (for --keep-going). */
int wp_reader_next(struct wp_reader *r, jv *rec, struct wp_err *err);
long wp_reader_line(const struct wp_reader *r); /* line of the last record */
void wp_reader_free(struct wp_reader *r);

struct wp_writer_opts {
	enum wp_format format;
	const char *fields;          /* "a,b,c": select and order; NULL = all */
	const char *jq;              /* jq program applied to each record; NULL = none */
	const char *const *columns;  /* CSV/TSV/table columns when no --fields,
				      * NULL-terminated; NULL = keys of the first record */
	int no_header;               /* CSV/TSV: no header row */
};
struct wp_writer;
/* out is not closed. A bad jq program or --fields list is WP_EUSAGE. */
int wp_writer_open(struct wp_writer **w, FILE *out, const struct wp_writer_opts *o,
		   struct wp_err *err);
/* Consumes rec. Applies jq (0..n outputs), then fields, then writes.
 * CSV/TSV/table need objects (WP_EDATA otherwise); missing fields and null
 * are empty cells. A write error is WP_ECANTCREAT. */
int wp_writer_put(struct wp_writer *w, jv rec, struct wp_err *err);
/* Flushes everything (the table writer prints what it buffered), reports a
 * write error as WP_ECANTCREAT, and frees w. Safe with w == NULL. */
int wp_writer_close(struct wp_writer *w, struct wp_err *err);
/* Records written so far (after jq). */
long wp_writer_count(const struct wp_writer *w);

/* Numbers as text: the shortest form that reads back to the same double,
 * always with '.', never in the locale's form. buf needs 32 bytes.
 * NaN and infinities give "null" (JSON has no spelling for them).
 * Layout as ECMAScript's Number::toString: plain digits from 1e-7 up to
 * 1e21 (0.1, 17.956076, 12345678901234567000), exponent outside
 * (1e-7, 1e+21); -0.0 is "-0". Returns the length. */
int wp_fmt_double(double d, char buf[32]);
/* Text in strict JSON number syntax (no leading '+', no leading zeros, no
 * "nan") -> *out, correctly rounded whatever the locale. Not a number, or
 * outside the range of a double: WP_EDATA (*out untouched). */
int wp_num_parse(const char *s, size_t len, double *out);

/* Field access. Consumes rec.
 * wp_rec_num: number, or a string in strict number syntax -> 0;
 *   missing or null -> WP_ENULL (*out = NaN); anything else -> WP_EDATA.
 * wp_rec_str: a malloc'd copy of a string field (numbers are formatted);
 *   missing or null -> NULL. */
#define WP_ENULL 2
int wp_rec_num(jv rec, const char *key, double *out);
char *wp_rec_str(jv rec, const char *key);
/* A value for a record: NaN (missing, underivable) becomes null, never 0;
 * -0 becomes 0, so a difference that cancels does not print as "-0". */
jv wp_num_or_null(double d);

#endif
