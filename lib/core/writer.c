/* writer.c: records out as NDJSON, CSV, TSV or an aligned table.
 *
 * This is every command's hot path. Each record is rendered into one
 * reused buffer and handed to stdio with one fwrite; column names are jv
 * strings made once, so looking a field up costs a refcount, not a malloc.
 * Numbers go through wp_fmt_double, so every format spells them the same
 * shortest, locale-proof way. The serializer is ours for that reason.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wp.h"

struct buf {
	char *p;
	size_t len, cap;
	int nomem;
};

struct wp_writer {
	FILE *out;
	enum wp_format fmt;
	int no_header, header_done;
	jq_state *jq;
	char jq_msg[512];     /* first message jq reported while compiling */
	jv *cols;             /* column names, known when cols != NULL */
	int ncols;
	int project;          /* --fields: NDJSON keeps only these, in order */
	long count;
	struct buf b;         /* the record being rendered */
	struct buf tmp;       /* a nested value as JSON text */
	/* table */
	jv sample;            /* first rows, until WP_TABLE_SAMPLE or close */
	int sampling;
	size_t *width;
	unsigned char *right; /* column holds numbers: right-aligned */
};

/* ---- buffer ---- */

static int reserve(struct buf *b, size_t n)
{
	if (b->len + n <= b->cap)
		return 1;
	size_t cap = b->cap ? b->cap : 1024;
	while (cap < b->len + n)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		b->nomem = 1;
		return 0;
	}
	b->p = p, b->cap = cap;
	return 1;
}

static void put(struct buf *b, const char *s, size_t n)
{
	if (reserve(b, n)) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
	}
}

static void putch(struct buf *b, char c)
{
	if (reserve(b, 1))
		b->p[b->len++] = c;
}

static void put_num(struct buf *b, double d)
{
	if (reserve(b, 32))
		b->len += (size_t)wp_fmt_double(d, b->p + b->len);
}

static void put_spaces(struct buf *b, size_t n)
{
	if (reserve(b, n)) {
		memset(b->p + b->len, ' ', n);
		b->len += n;
	}
}

/* ---- JSON ---- */

/* Bytes a JSON string must escape: controls, '"', '\\' and DEL (as jq). */
static int json_special(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\' || c == 0x7f;
}

static void put_json_str(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	putch(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

		if (!json_special(c))
			continue;
		put(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': put(b, "\\\"", 2); break;
		case '\\': put(b, "\\\\", 2); break;
		case '\n': put(b, "\\n", 2); break;
		case '\r': put(b, "\\r", 2); break;
		case '\t': put(b, "\\t", 2); break;
		case '\b': put(b, "\\b", 2); break;
		case '\f': put(b, "\\f", 2); break;
		default: put(b, e, 6);
		}
	}
	put(b, s + run, n - run);
	putch(b, '"');
}

static void put_jv_str(struct buf *b, jv s)
{
	put_json_str(b, jv_string_value(s), (size_t)jv_string_length_bytes(jv_copy(s)));
}

/* Compact JSON, keys in their stored order. Consumes v. */
static void put_json(struct buf *b, jv v)
{
	int first = 1;

	switch (jv_get_kind(v)) {
	case JV_KIND_NULL: put(b, "null", 4); break;
	case JV_KIND_TRUE: put(b, "true", 4); break;
	case JV_KIND_FALSE: put(b, "false", 5); break;
	case JV_KIND_NUMBER: put_num(b, jv_number_value(v)); break;
	case JV_KIND_STRING: put_jv_str(b, v); break;
	case JV_KIND_ARRAY:
		putch(b, '[');
		jv_array_foreach(v, i, e) {
			if (i)
				putch(b, ',');
			put_json(b, e);
		}
		putch(b, ']');
		break;
	case JV_KIND_OBJECT:
		putch(b, '{');
		for (int i = jv_object_iter(v); jv_object_iter_valid(v, i);
		     i = jv_object_iter_next(v, i)) {
			jv k = jv_object_iter_key(v, i);

			if (!first)
				putch(b, ',');
			first = 0;
			put_jv_str(b, k);
			jv_free(k);
			putch(b, ':');
			put_json(b, jv_object_iter_value(v, i));
		}
		putch(b, '}');
		break;
	default:
		break;
	}
	jv_free(v);
}

/* ---- cells ---- */

/* The text of a cell, unescaped: strings as they are, numbers shortest,
 * null empty, nested values as JSON. Points into v or w->tmp; valid
 * while v lives. */
static const char *cell_text(struct wp_writer *w, jv v, size_t *n)
{
	char *p;

	w->tmp.len = 0;
	switch (jv_get_kind(v)) {
	case JV_KIND_STRING:
		*n = (size_t)jv_string_length_bytes(jv_copy(v));
		return jv_string_value(v);
	case JV_KIND_NULL:
	case JV_KIND_INVALID:
		*n = 0;
		return "";
	case JV_KIND_NUMBER:
		put_num(&w->tmp, jv_number_value(v));
		break;
	default:
		put_json(&w->tmp, jv_copy(v));
	}
	p = w->tmp.nomem ? "" : w->tmp.p;
	*n = w->tmp.nomem ? 0 : w->tmp.len;
	return p;
}

/* RFC 4180, quoting only where needed: separators, quotes, line breaks,
 * edge spaces (which some readers trim), and the empty string (so that it
 * stays apart from null, an empty cell). */
static void put_csv(struct buf *b, const char *s, size_t n, int is_string)
{
	size_t i, run = 0;
	int quote = is_string && (n == 0 || s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' ||
				  s[n - 1] == '\t');

	for (i = 0; i < n && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
	if (!quote) {
		put(b, s, n);
		return;
	}
	putch(b, '"');
	for (i = 0; i < n; i++)
		if (s[i] == '"') {
			put(b, s + run, i + 1 - run);
			run = i; /* the quote again, doubled */
		}
	put(b, s + run, n - run);
	putch(b, '"');
}

/* TSV and table cells: one line each, so tab, CR, LF and backslash are
 * spelled \t \r \n \\. */
static void put_escaped(struct buf *b, const char *s, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		char e;

		switch (s[i]) {
		case '\t': e = 't'; break;
		case '\n': e = 'n'; break;
		case '\r': e = 'r'; break;
		case '\\': e = '\\'; break;
		default: continue;
		}
		put(b, s + run, i - run);
		putch(b, '\\');
		putch(b, e);
		run = i + 1;
	}
	put(b, s + run, n - run);
}

/* Borrows v. */
static void put_cell(struct wp_writer *w, struct buf *b, jv v)
{
	size_t n;
	const char *s = cell_text(w, v, &n);

	if (w->fmt == WP_FMT_CSV)
		put_csv(b, s, n, jv_get_kind(v) == JV_KIND_STRING);
	else
		put_escaped(b, s, n);
}

/* rec[col i], or null when missing. Borrows rec. */
static jv get(struct wp_writer *w, jv rec, int i)
{
	jv v = jv_object_get(jv_copy(rec), jv_copy(w->cols[i]));

	return jv_is_valid(v) ? v : jv_null();
}

/* ---- table ---- */

static size_t display_width(const char *s, size_t n)
{
	size_t i, wd = 0;

	for (i = 0; i < n; i++)
		wd += ((unsigned char)s[i] & 0xc0) != 0x80; /* count UTF-8 lead bytes */
	return wd;
}

static void table_line(struct wp_writer *w, jv rec, int header)
{
	struct buf cell = { 0 };
	size_t end = w->b.len; /* after the last cell's text: no trailing padding */

	for (int i = 0; i < w->ncols; i++) {
		jv v = header ? jv_copy(w->cols[i]) : get(w, rec, i);
		int right = w->right[i] && (header || jv_get_kind(v) == JV_KIND_NUMBER);
		size_t wd;

		cell.len = 0;
		put_cell(w, &cell, v);
		wd = display_width(cell.p, cell.len);
		if (i)
			put(&w->b, "  ", 2);
		if (right && wd < w->width[i])
			put_spaces(&w->b, w->width[i] - wd);
		put(&w->b, cell.p, cell.len);
		if (cell.len)
			end = w->b.len;
		if (!right && wd < w->width[i] && i + 1 < w->ncols)
			put_spaces(&w->b, w->width[i] - wd);
		jv_free(v);
	}
	if (!w->b.nomem)
		w->b.len = end;
	putch(&w->b, '\n');
	w->b.nomem |= cell.nomem;
	free(cell.p);
}

static int flush_buf(struct wp_writer *w, struct wp_err *err);

/* Size the columns from the sampled rows, then print them. */
static int table_flush_sample(struct wp_writer *w, struct wp_err *err)
{
	struct buf cell = { 0 };
	int rc = 0, n = jv_array_length(jv_copy(w->sample));

	w->sampling = 0;
	w->width = calloc((size_t)w->ncols + 1, sizeof *w->width);
	w->right = calloc((size_t)w->ncols + 1, 1);
	if (!w->width || !w->right)
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	for (int i = 0; i < w->ncols; i++) {
		int nums = 0, others = 0;

		cell.len = 0;
		put_cell(w, &cell, w->cols[i]);
		w->width[i] = display_width(cell.p, cell.len);
		for (int r = 0; r < n; r++) {
			jv rec = jv_array_get(jv_copy(w->sample), r);
			jv v = get(w, rec, i);
			size_t wd;

			nums += jv_get_kind(v) == JV_KIND_NUMBER;
			others += jv_get_kind(v) != JV_KIND_NUMBER && jv_get_kind(v) != JV_KIND_NULL;
			cell.len = 0;
			put_cell(w, &cell, v);
			wd = display_width(cell.p, cell.len);
			if (wd > w->width[i])
				w->width[i] = wd;
			jv_free(v);
			jv_free(rec);
		}
		w->right[i] = nums > 0 && others == 0;
	}
	free(cell.p);
	if (!w->no_header)
		table_line(w, jv_null(), 1);
	for (int r = 0; r < n && !rc; r++) {
		jv rec = jv_array_get(jv_copy(w->sample), r);

		table_line(w, rec, 0);
		jv_free(rec);
		rc = flush_buf(w, err);
	}
	jv_free(w->sample);
	w->sample = jv_null();
	return rc ? rc : flush_buf(w, err);
}

/* ---- records ---- */

static int flush_buf(struct wp_writer *w, struct wp_err *err)
{
	size_t n = w->b.len;

	if (w->b.nomem || w->tmp.nomem)
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	w->b.len = 0;
	if (n && fwrite(w->b.p, 1, n, w->out) != n)
		return wp_err_set(err, WP_ECANTCREAT, "cannot write output: %s", strerror(errno));
	return 0;
}

static int set_columns(struct wp_writer *w, const char *const *names, int n,
		       struct wp_err *err)
{
	w->cols = calloc((size_t)n + 1, sizeof *w->cols);
	if (!w->cols)
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	for (int i = 0; i < n; i++)
		w->cols[i] = jv_string(names[i]);
	w->ncols = n;
	return 0;
}

static int columns_from(struct wp_writer *w, jv rec, struct wp_err *err)
{
	int n = jv_object_length(jv_copy(rec)), i = 0;

	w->cols = calloc((size_t)n + 1, sizeof *w->cols);
	if (!w->cols)
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	for (int it = jv_object_iter(rec); jv_object_iter_valid(rec, it);
	     it = jv_object_iter_next(rec, it))
		w->cols[i++] = jv_object_iter_key(rec, it);
	w->ncols = i;
	return 0;
}

/* Write one record (an output of jq). Consumes v. */
static int emit(struct wp_writer *w, jv v, struct wp_err *err)
{
	int rc;

	if (w->fmt == WP_FMT_NDJSON && !w->project) {
		put_json(&w->b, v);
		putch(&w->b, '\n');
		w->count++;
		return flush_buf(w, err);
	}
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		jv_kind k = jv_get_kind(v);

		jv_free(v);
		return wp_err_set(err, WP_EDATA, "record is not an object but %s", jv_kind_name(k));
	}
	if (!w->cols && (rc = columns_from(w, v, err))) {
		jv_free(v);
		return rc;
	}
	w->count++;
	switch (w->fmt) {
	case WP_FMT_NDJSON:
		putch(&w->b, '{');
		for (int i = 0; i < w->ncols; i++) {
			if (i)
				putch(&w->b, ',');
			put_jv_str(&w->b, w->cols[i]);
			putch(&w->b, ':');
			put_json(&w->b, get(w, v, i));
		}
		put(&w->b, "}\n", 2);
		break;
	case WP_FMT_TABLE:
		if (w->sampling) {
			w->sample = jv_array_append(w->sample, v);
			if (jv_array_length(jv_copy(w->sample)) < WP_TABLE_SAMPLE)
				return 0;
			return table_flush_sample(w, err);
		}
		table_line(w, v, 0);
		break;
	default: /* CSV, TSV */
		if (!w->header_done && !w->no_header) {
			for (int i = 0; i < w->ncols; i++) {
				if (i)
					putch(&w->b, w->fmt == WP_FMT_CSV ? ',' : '\t');
				put_cell(w, &w->b, w->cols[i]);
			}
			putch(&w->b, '\n');
		}
		w->header_done = 1;
		for (int i = 0; i < w->ncols; i++) {
			jv c = get(w, v, i);

			if (i)
				putch(&w->b, w->fmt == WP_FMT_CSV ? ',' : '\t');
			put_cell(w, &w->b, c);
			jv_free(c);
		}
		putch(&w->b, '\n');
	}
	jv_free(v);
	return flush_buf(w, err);
}

static void jq_message(void *data, jv msg)
{
	struct wp_writer *w = data;

	if (!w->jq_msg[0] && jv_get_kind(msg) == JV_KIND_STRING) {
		const char *s = jv_string_value(msg);

		if (strncmp(s, "jq: error: ", 11) == 0)
			s += 11;
		snprintf(w->jq_msg, sizeof w->jq_msg, "%s", s);
		w->jq_msg[strcspn(w->jq_msg, "\n")] = '\0';
	}
	jv_free(msg);
}

/* --fields "a,b,c": names trimmed of spaces, none empty, none twice. */
static int parse_fields(struct wp_writer *w, const char *list, struct wp_err *err)
{
	char *copy = strdup(list), *p, *names[512];
	int n = 0, rc = 0;

	if (!copy)
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	for (p = copy; p && !rc;) {
		char *name = p, *end;

		if ((p = strchr(p, ',')))
			*p++ = '\0';
		name += strspn(name, " \t");
		for (end = name + strlen(name); end > name && (end[-1] == ' ' || end[-1] == '\t');)
			*--end = '\0';
		if (!*name)
			rc = wp_err_set(err, WP_EUSAGE, "--fields: empty field name in '%s'", list);
		else if (n == (int)(sizeof names / sizeof names[0]))
			rc = wp_err_set(err, WP_EUSAGE, "--fields: more than %d fields", n);
		for (int i = 0; i < n && !rc; i++)
			if (strcmp(names[i], name) == 0)
				rc = wp_err_set(err, WP_EUSAGE, "--fields: '%s' given twice", name);
		names[n++] = name;
	}
	if (!rc)
		rc = set_columns(w, (const char *const *)names, n, err);
	free(copy);
	return rc;
}

int wp_writer_open(struct wp_writer **wp, FILE *out, const struct wp_writer_opts *o,
		   struct wp_err *err)
{
	struct wp_writer *w = calloc(1, sizeof *w);
	int rc = 0, n = 0;

	*wp = NULL;
	if (!w)
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	w->out = out;
	w->fmt = o->format;
	if (w->fmt == WP_FMT_AUTO)
		w->fmt = isatty(fileno(out)) ? WP_FMT_TABLE : WP_FMT_NDJSON;
	w->no_header = o->no_header;
	w->sample = w->fmt == WP_FMT_TABLE ? jv_array() : jv_null();
	w->sampling = w->fmt == WP_FMT_TABLE;
	if (o->fields) {
		rc = parse_fields(w, o->fields, err);
		w->project = 1;
	} else if (o->columns && w->fmt != WP_FMT_NDJSON) {
		while (o->columns[n])
			n++;
		rc = set_columns(w, o->columns, n, err);
	}
	if (!rc && o->jq) {
		if (!(w->jq = jq_init()))
			rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
		else {
			jq_set_error_cb(w->jq, jq_message, w);
			if (!jq_compile(w->jq, o->jq))
				rc = wp_err_set(err, WP_EUSAGE, "--jq: %s",
						w->jq_msg[0] ? w->jq_msg : "cannot compile");
		}
	}
	if (rc) {
		wp_writer_close(w, NULL);
		return rc;
	}
	*wp = w;
	return 0;
}

int wp_writer_put(struct wp_writer *w, jv rec, struct wp_err *err)
{
	jv out;
	int rc = 0;

	if (!w->jq)
		return emit(w, rec, err);
	jq_start(w->jq, rec, 0);
	while (jv_is_valid(out = jq_next(w->jq)))
		if ((rc = emit(w, out, err)))
			return rc;
	if (jv_invalid_has_msg(jv_copy(out))) {
		jv msg = jv_invalid_get_msg(out);
		char text[300];

		if (jv_get_kind(msg) == JV_KIND_STRING)
			snprintf(text, sizeof text, "%s", jv_string_value(msg));
		else
			jv_dump_string_trunc(jv_copy(msg), text, sizeof text);
		jv_free(msg);
		return wp_err_set(err, WP_EDATA, "jq: %s", text);
	}
	jv_free(out);
	return 0;
}

int wp_writer_close(struct wp_writer *w, struct wp_err *err)
{
	int rc = 0;

	if (!w)
		return 0;
	if (w->sampling && jv_array_length(jv_copy(w->sample)) > 0)
		rc = table_flush_sample(w, err);
	errno = 0;
	if (fflush(w->out) != 0 || ferror(w->out)) {
		if (!rc)
			rc = wp_err_set(err, WP_ECANTCREAT, "cannot write output: %s",
					strerror(errno ? errno : EIO));
	}
	if (w->jq)
		jq_teardown(&w->jq);
	for (int i = 0; i < w->ncols; i++)
		jv_free(w->cols[i]);
	free(w->cols);
	jv_free(w->sample);
	free(w->width);
	free(w->right);
	free(w->b.p);
	free(w->tmp.p);
	free(w);
	return rc;
}

long wp_writer_count(const struct wp_writer *w)
{
	return w ? w->count : 0;
}
