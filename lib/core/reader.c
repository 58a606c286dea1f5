/* reader.c: records from NDJSON (libjq) or CSV (libcsv), line by line.
 *
 * Both formats are read one physical line at a time with getline, so every
 * message names its line and a bad record costs only its own lines. The
 * format sniffer reads the first non-blank line and keeps it as the
 * current line, so no byte is lost. Records that one line yields beyond
 * the first (the elements of an NDJSON array) and the results of the CSV
 * callbacks wait in a small queue, errors included, in input order.
 */
#include <csv.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "wp.h"

struct pending {
	jv v;      /* a record, or jv_invalid_with_msg for a bad one */
	long line;
};

struct wp_reader {
	FILE *in;
	char *name;
	enum wp_format fmt;   /* AUTO until the first non-blank line is seen */
	char *line;           /* the current physical line */
	size_t cap;
	size_t len;
	int unread;           /* line holds a line not yet parsed (sniffer) */
	int eof;
	int nomem;            /* a record could not be queued */
	long lineno;          /* physical lines read */
	long recline;         /* line of the last record returned */

	struct pending *q;    /* records waiting, q[qhead..qlen) */
	size_t qhead, qlen, qcap;

	/* CSV */
	struct csv_parser csv;
	int csv_open;
	int csv_done;         /* csv_fini has run */
	jv header;            /* array of column names; null until read */
	jv *keys;             /* header as a C array, to build records fast */
	int nkeys;
	jv row;               /* record being built (object), or header (array) */
	int nfields;          /* fields seen in the current row */
	long row_line;        /* physical line the current row began on */
	int in_quotes;        /* the last line ended inside a quoted field */
};

static int push(struct wp_reader *r, jv v, long line)
{
	if (r->qhead == r->qlen)
		r->qhead = r->qlen = 0;
	if (r->qlen == r->qcap) {
		size_t cap = r->qcap ? 2 * r->qcap : 16;
		struct pending *q = realloc(r->q, cap * sizeof *q);

		if (!q) {
			jv_free(v);
			r->nomem = 1;
			return WP_EINTERNAL;
		}
		r->q = q, r->qcap = cap;
	}
	r->q[r->qlen].v = v;
	r->q[r->qlen++].line = line;
	return 0;
}

static int push_error(struct wp_reader *r, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int push_error(struct wp_reader *r, long line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return push(r, jv_invalid_with_msg(jv_string(msg)), line);
}

/* The next queued record, or an error naming its line. */
static int pop(struct wp_reader *r, jv *rec, struct wp_err *err)
{
	struct pending p = r->q[r->qhead++];

	r->recline = p.line;
	if (jv_is_valid(p.v)) {
		*rec = p.v;
		return 0;
	}
	*rec = jv_invalid();
	jv msg = jv_invalid_get_msg(p.v);
	wp_err_set(err, WP_EDATA, "%s:%ld: %s", r->name, p.line, jv_string_value(msg));
	jv_free(msg);
	return WP_EDATA;
}

/* Read the next physical line into r->line. 0 at end of input. */
static int read_line(struct wp_reader *r, struct wp_err *err)
{
	ssize_t n;

	if (r->unread) {
		r->unread = 0;
		return 1;
	}
	if (r->eof)
		return 0;
	n = getline(&r->line, &r->cap, r->in);
	if (n < 0) {
		r->eof = 1;
		if (ferror(r->in))
			return -wp_err_errno(err, WP_ENOINPUT, "cannot read", r->name);
		return 0;
	}
	r->len = (size_t)n;
	if (++r->lineno == 1 && r->len >= 3 && memcmp(r->line, "\xef\xbb\xbf", 3) == 0) {
		/* A UTF-8 byte order mark, as spreadsheets write: not data. */
		memmove(r->line, r->line + 3, r->len - 2);
		r->len -= 3;
	}
	return 1;
}

static const char *skip_blank(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++;
	return s;
}

/* ---- NDJSON ---- */

/* jq's parser measures within the one line it was given and quotes the
 * whole text back; keep only what went wrong and the column. */
static void json_error(struct wp_reader *r, jv v)
{
	jv msg = jv_invalid_get_msg(v);
	char text[400], *p;

	snprintf(text, sizeof text, "%s",
		 jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "parse error");
	jv_free(msg);
	if ((p = strstr(text, " (while parsing")))
		*p = '\0';
	if ((p = strstr(text, " at line 1, column ")))
		memmove(p + 4, p + 12, strlen(p + 12) + 1); /* " at column N" */
	push_error(r, r->lineno, "invalid JSON: %s", text);
}

/* jq 1.6 reads numbers as doubles: a literal beyond their range becomes
 * infinity, which no writer could spell back. Refuse it with its line.
 * Only a literal with an exponent or over 300 digits can get there, and
 * walking every record costs more than looking at its text first. */
static int may_overflow(const char *s, size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= '0' && c <= '9') {
			if (++run > 300)
				return 1;
		} else {
			if ((c | 0x20) == 'e' && run)
				return 1;
			run = 0;
		}
	}
	return 0;
}

static int finite_numbers(jv v)
{
	int ok = 1;

	switch (jv_get_kind(v)) {
	case JV_KIND_NUMBER:
		return isfinite(jv_number_value(v));
	case JV_KIND_ARRAY:
		jv_array_foreach(v, i, e) {
			ok = ok && finite_numbers(e);
			jv_free(e);
		}
		return ok;
	case JV_KIND_OBJECT:
		for (int i = jv_object_iter(v); ok && jv_object_iter_valid(v, i);
		     i = jv_object_iter_next(v, i)) {
			jv e = jv_object_iter_value(v, i);

			ok = finite_numbers(e);
			jv_free(e);
		}
		return ok;
	default:
		return 1;
	}
}

static const char *kind_article(jv_kind k)
{
	switch (k) {
	case JV_KIND_ARRAY:
		return "an array";
	case JV_KIND_OBJECT:
		return "an object";
	case JV_KIND_NULL:
		return "null";
	case JV_KIND_TRUE:
	case JV_KIND_FALSE:
		return "a boolean";
	case JV_KIND_NUMBER:
		return "a number";
	case JV_KIND_STRING:
		return "a string";
	default:
		return "nothing";
	}
}

/* Parse the current line into queued records or one queued error.
 * WP_EINTERNAL (also left in r->nomem) when the queue cannot grow. */
static int ndjson_line(struct wp_reader *r)
{
	const char *end = r->line + r->len;
	jv v;

	if (skip_blank(r->line, end) == end)
		return 0;
	if (r->len > (size_t)1 << 30)
		return push_error(r, r->lineno, "line longer than 1 GiB");
	/* Without its line break, jq's column is the column in the line. */
	size_t n = r->len;
	while (n && (r->line[n - 1] == '\n' || r->line[n - 1] == '\r'))
		n--;
	v = jv_parse_sized(r->line, (int)n);
	if (!jv_is_valid(v)) {
		json_error(r, v);
		return 0;
	}
	if (may_overflow(r->line, n) && !finite_numbers(v)) {
		jv_free(v);
		return push_error(r, r->lineno, "number out of range");
	}
	if (jv_get_kind(v) == JV_KIND_OBJECT)
		return push(r, v, r->lineno);
	if (jv_get_kind(v) != JV_KIND_ARRAY) {
		push_error(r, r->lineno, "%s, not an object", kind_article(jv_get_kind(v)));
		jv_free(v);
		return 0;
	}
	/* An array of objects is several records; anything else in it
	 * spoils the whole line, so no record of it is half-taken. */
	jv_array_foreach(v, i, e) {
		jv_kind k = jv_get_kind(e);

		jv_free(e);
		if (k != JV_KIND_OBJECT) {
			push_error(r, r->lineno, "array element %d is %s, not an object", i + 1,
				   kind_article(k));
			jv_free(v);
			return 0;
		}
	}
	jv_array_foreach(v, i, e) {
		int rc = push(r, e, r->lineno);

		if (rc) {
			jv_free(v);
			return rc;
		}
	}
	jv_free(v);
	return 0;
}

/* ---- CSV ---- */

static int keep_spaces(unsigned char c)
{
	return 0; /* RFC 4180: spaces are part of a field */
}

static void csv_reset(struct wp_reader *r)
{
	if (r->csv_open)
		csv_free(&r->csv);
	csv_init(&r->csv, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL);
	csv_set_space_func(&r->csv, keep_spaces);
	r->csv_open = 1;
	jv_free(r->row);
	r->row = jv_null();
	r->nfields = 0;
	r->in_quotes = 0;
}

/* libcsv field callback. s is NULL for an unquoted empty field. */
static void csv_field(void *s, size_t len, void *data)
{
	struct wp_reader *r = data;
	int i = r->nfields++;
	double d;
	jv v;

	if (jv_get_kind(r->header) == JV_KIND_NULL) {
		if (jv_get_kind(r->row) != JV_KIND_ARRAY)
			r->row = jv_array();
		r->row = jv_array_append(r->row, jv_string_sized(s ? s : "", (int)len));
		return;
	}
	if (i >= r->nkeys)
		return; /* counted; the row callback reports it */
	if (!s)
		v = jv_null();
	else if (len && wp_num_parse(s, len, &d) == 0)
		v = jv_number(d);
	else
		v = jv_string_sized(s, (int)len);
	if (jv_get_kind(r->row) != JV_KIND_OBJECT)
		r->row = jv_object();
	r->row = jv_object_set(r->row, jv_copy(r->keys[i]), v);
}

static void csv_header(struct wp_reader *r, jv names)
{
	int n = jv_array_length(jv_copy(names));

	r->keys = calloc((size_t)n, sizeof *r->keys);
	if (!r->keys) {
		r->nomem = 1;
		jv_free(names);
		return;
	}
	for (int i = 0; i < n; i++) {
		r->keys[i] = jv_array_get(jv_copy(names), i);
		for (int j = 0; j < i; j++)
			if (jv_equal(jv_copy(r->keys[i]), jv_copy(r->keys[j]))) {
				push_error(r, r->row_line, "duplicate column '%s' in the header",
					   jv_string_value(r->keys[i]));
				break;
			}
	}
	r->nkeys = n;
	r->header = names;
}

/* libcsv row callback: the header, a record, or a ragged row. */
static void csv_row(int c, void *data)
{
	struct wp_reader *r = data;
	jv row = r->row;
	int n = r->nfields;

	r->row = jv_null();
	r->nfields = 0;
	if (jv_get_kind(r->header) == JV_KIND_NULL) {
		csv_header(r, row);
		return;
	}
	if (n != r->nkeys) {
		jv_free(row);
		push_error(r, r->row_line, "%d field%s, header has %d", n, n == 1 ? "" : "s",
			   r->nkeys);
		return;
	}
	push(r, row, r->row_line);
}

static void csv_line(struct wp_reader *r)
{
	size_t done;

	if (!r->in_quotes)
		r->row_line = r->lineno;
	/* Quotes come in pairs outside a quoted field and inside one, so an
	 * odd count on this line means a field continues on the next. */
	for (const char *p = r->line; (p = memchr(p, '"', (size_t)(r->line + r->len - p))); p++)
		r->in_quotes = !r->in_quotes;
	done = csv_parse(&r->csv, r->line, r->len, csv_field, csv_row, r);
	if (done < r->len) {
		push_error(r, r->row_line, "malformed CSV: %s", csv_strerror(csv_error(&r->csv)));
		csv_reset(r); /* resume with the next line */
	}
}

static void csv_end(struct wp_reader *r)
{
	if (csv_fini(&r->csv, csv_field, csv_row, r) != 0)
		push_error(r, r->row_line, "quoted field not closed at end of input");
}

/* ---- the reader ---- */

int wp_reader_open(struct wp_reader **rp, FILE *in, const char *name, enum wp_format fmt,
		   struct wp_err *err)
{
	struct wp_reader *r = calloc(1, sizeof *r);

	*rp = NULL;
	if (fmt == WP_FMT_TSV || fmt == WP_FMT_TABLE)
		return wp_err_set(err, WP_EUSAGE, "cannot read tsv or table; use ndjson or csv");
	if (!r || !(r->name = strdup(name ? name : "stdin"))) {
		free(r);
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	r->in = in;
	r->fmt = fmt;
	r->header = jv_null();
	r->row = jv_null();
	*rp = r;
	return 0;
}

/* Decide AUTO from the first non-blank line, keeping that line. */
static int sniff(struct wp_reader *r, struct wp_err *err)
{
	int got;

	while ((got = read_line(r, err)) > 0) {
		const char *s = skip_blank(r->line, r->line + r->len);

		if (s < r->line + r->len) {
			r->fmt = *s == '{' || *s == '[' ? WP_FMT_NDJSON : WP_FMT_CSV;
			r->unread = 1;
			return 0;
		}
	}
	r->fmt = WP_FMT_NDJSON; /* nothing but blanks: no records either way */
	return got < 0 ? -got : 0;
}

int wp_reader_next(struct wp_reader *r, jv *rec, struct wp_err *err)
{
	int got, rc;

	*rec = jv_invalid();
	if (r->fmt == WP_FMT_AUTO && (rc = sniff(r, err)))
		return rc;
	if (r->fmt == WP_FMT_CSV && !r->csv_open)
		csv_reset(r);
	while (r->qhead == r->qlen) {
		if ((got = read_line(r, err)) < 0)
			return -got;
		if (got == 0) {
			if (r->csv_open && !r->csv_done) {
				r->csv_done = 1;
				csv_end(r);
				continue;
			}
			r->recline = r->lineno;
			return 0;
		}
		if (r->fmt == WP_FMT_CSV)
			csv_line(r);
		else
			ndjson_line(r);
		if (r->nomem)
			return wp_err_set(err, WP_EINTERNAL, "%s:%ld: out of memory", r->name,
					  r->lineno);
	}
	return pop(r, rec, err);
}

long wp_reader_line(const struct wp_reader *r)
{
	return r->recline;
}

void wp_reader_free(struct wp_reader *r)
{
	if (!r)
		return;
	for (size_t i = r->qhead; i < r->qlen; i++)
		jv_free(r->q[i].v);
	free(r->q);
	if (r->csv_open)
		csv_free(&r->csv);
	for (int i = 0; i < r->nkeys; i++)
		jv_free(r->keys[i]);
	free(r->keys);
	jv_free(r->header);
	jv_free(r->row);
	free(r->line);
	free(r->name);
	free(r);
}
