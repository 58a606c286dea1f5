/* case.c: read MATPOWER case files (version 2 `mpc.x = ...`, version 1 bare
 * `x = ...`) without an Octave interpreter: plain matrix, scalar and
 * string assignments only, which is what the published cases contain. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "grid/grid.h"

struct scan {
	const char *path;
	const char *p, *end;
	long line;
	struct wp_err *err;
};

/* Minimum columns a row needs for the columns this reader uses. */
static const struct {
	const char *name;
	size_t off;
	int min_nc;
} matrices[] = {
	{ "bus", offsetof(struct grid_case, bus), 13 },
	{ "gen", offsetof(struct grid_case, gen), 10 },
	{ "branch", offsetof(struct grid_case, branch), 11 },
	{ "gencost", offsetof(struct grid_case, gencost), 4 },
};

static int bad(struct scan *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct scan *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wp_err_vset(s->err, WP_EDATA, fmt, ap);
	va_end(ap);
	return wp_err_prefix(s->err, "%s:%ld", s->path, s->line);
}

/* Skip to the end of the line (a comment), leaving p at the newline. */
static void skip_line(struct scan *s)
{
	while (s->p < s->end && *s->p != '\n')
		s->p++;
}

static void skip_blanks(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\r'))
		s->p++;
}

/* A quoted string starting at p ('...' with '' for a quote): skipped. */
static int skip_string(struct scan *s)
{
	for (s->p++; s->p < s->end && *s->p != '\n'; s->p++)
		if (*s->p == '\'') {
			if (s->p + 1 < s->end && s->p[1] == '\'') {
				s->p++;
				continue;
			}
			s->p++;
			return 0;
		}
	return bad(s, "unterminated string");
}

/* Skip a cell array {...} (names, fuel types): brackets nest, strings and
 * comments may hold anything. */
static int skip_cell(struct scan *s)
{
	int depth = 0;

	while (s->p < s->end) {
		char ch = *s->p;

		if (ch == '\'') {
			if (skip_string(s))
				return s->err->code;
			continue;
		}
		if (ch == '%' || ch == '#')
			skip_line(s);
		else if (ch == '\n')
			s->line++, s->p++;
		else {
			s->p++;
			if (ch == '{')
				depth++;
			else if (ch == '}' && --depth == 0)
				return 0;
		}
	}
	return bad(s, "unterminated cell array");
}

static int push_value(struct scan *s, double **v, size_t *n, size_t *cap, double x)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 1024;
		double *nv = realloc(*v, nc * sizeof *nv);

		if (!nv)
			return wp_err_set(s->err, WP_EINTERNAL, "out of memory");
		*v = nv, *cap = nc;
	}
	(*v)[(*n)++] = x;
	return 0;
}

/* End of a row: check its width against the first row. */
static int end_row(struct scan *s, struct grid_mat *m, const char *name, int ncols,
		   long row_line, long **lines, size_t *lcap)
{
	if (ncols == 0)
		return 0;
	if (m->nr == 0)
		m->nc = ncols;
	else if (ncols != m->nc) {
		s->line = row_line;
		return bad(s, "%s row %d has %d columns, rows above have %d", name, m->nr + 1,
			   ncols, m->nc);
	}
	if ((size_t)m->nr == *lcap) {
		size_t nc = *lcap ? *lcap * 2 : 256;
		long *nl = realloc(*lines, nc * sizeof *nl);

		if (!nl)
			return wp_err_set(s->err, WP_EINTERNAL, "out of memory");
		*lines = nl, *lcap = nc;
	}
	(*lines)[m->nr++] = row_line;
	return 0;
}

/* A matrix literal after its '['. Rows end at ';' or a newline; columns
 * split on blanks or commas; '...' continues a line. */
static int read_matrix(struct scan *s, struct grid_mat *m, const char *name)
{
	size_t n = 0, cap = 0, lcap = 0;
	int ncols = 0;
	long row_line = s->line;
	int rc = 0;

	m->nr = m->nc = 0;
	while (!rc) {
		if (s->p >= s->end) {
			rc = bad(s, "%s: matrix not closed with ']'", name);
			break;
		}
		char ch = *s->p;
		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == ',') {
			s->p++;
		} else if (ch == '%' || ch == '#') {
			skip_line(s);
		} else if (ch == '\n' || ch == ';') {
			rc = end_row(s, m, name, ncols, row_line, &m->line, &lcap);
			ncols = 0;
			if (ch == '\n')
				s->line++;
			s->p++;
			row_line = s->line;
		} else if (ch == ']') {
			rc = end_row(s, m, name, ncols, row_line, &m->line, &lcap);
			s->p++;
			break;
		} else if (ch == '.' && s->end - s->p >= 3 && !memcmp(s->p, "...", 3)) {
			skip_line(s);
			if (s->p < s->end)
				s->p++, s->line++;
		} else {
			const char *tok = s->p;
			char buf[64], *e;
			size_t len;
			double x;

			while (s->p < s->end && !strchr(" \t\r\n,;]%#", *s->p))
				s->p++;
			len = (size_t)(s->p - tok);
			if (len >= sizeof buf) {
				rc = bad(s, "%s: '%.20s...' is not a number", name, tok);
				break;
			}
			memcpy(buf, tok, len);
			buf[len] = '\0';
			errno = 0;
			x = strtod(buf, &e);
			if (e == buf || *e || (errno == ERANGE && x != 0)) {
				rc = bad(s, "%s: '%s' is not a number (expressions are not supported)",
					 name, buf);
				break;
			}
			if (!ncols)
				row_line = s->line;
			ncols++;
			rc = push_value(s, &m->v, &n, &cap, x);
		}
	}
	if (!rc) {
		skip_blanks(s);
		if (s->p < s->end && *s->p == '\'')
			rc = bad(s, "%s: transposed matrices are not supported", name);
	}
	return rc;
}

/* A scalar: a number or a quoted string, up to ';' or the end of line. */
static int read_scalar(struct scan *s, const char *name, double *num, char *str, size_t strsz)
{
	const char *tok = s->p;
	char buf[64], *e;
	size_t len;

	if (*s->p == '\'') {
		if (skip_string(s))
			return s->err->code;
		len = (size_t)(s->p - tok) - 2;
		if (str)
			snprintf(str, strsz, "%.*s", (int)len, tok + 1);
		*num = strtod(tok + 1, &e);
		if (e == tok + 1)
			*num = NAN;
		return 0;
	}
	while (s->p < s->end && !strchr(";\n%#", *s->p))
		s->p++;
	len = (size_t)(s->p - tok);
	while (len && isspace((unsigned char)tok[len - 1]))
		len--;
	if (len >= sizeof buf)
		len = sizeof buf - 1;
	memcpy(buf, tok, len);
	buf[len] = '\0';
	*num = strtod(buf, &e);
	if (e == buf || *e) {
		if (str)
			snprintf(str, strsz, "%s", buf);
		*num = NAN;
		if (!str)
			return bad(s, "%s: '%s' is not a number", name, buf);
	}
	return 0;
}

static void note_skipped(struct grid_case *c, const char *name)
{
	size_t len = strlen(c->skipped);

	if (strstr(c->skipped, name))
		return;
	snprintf(c->skipped + len, sizeof c->skipped - len, "%s%s", len ? ", " : "", name);
}

/* One statement at the start of a line (blanks skipped). */
static int read_statement(struct scan *s, struct grid_case *c)
{
	const char *id = s->p;
	char name[64];
	size_t len;
	int i;

	while (s->p < s->end && (isalnum((unsigned char)*s->p) || *s->p == '_' || *s->p == '.'))
		s->p++;
	len = (size_t)(s->p - id);
	if (len == 0)
		return bad(s, "unexpected '%c'", *s->p);
	if ((len == 8 && !memcmp(id, "function", 8)) || (len == 6 && !memcmp(id, "return", 6)) ||
	    (len == 3 && !memcmp(id, "end", 3)) || (len == 11 && !memcmp(id, "endfunction", 11))) {
		skip_line(s);
		return 0;
	}
	if (len >= 4 && !memcmp(id, "mpc.", 4))
		id += 4, len -= 4;
	snprintf(name, sizeof name, "%.*s", (int)len, id);
	skip_blanks(s);
	if (s->p < s->end && *s->p == '(')
		return bad(s, "indexed assignment to %s is not supported "
			      "(only whole-matrix assignments are read)", name);
	if (s->p >= s->end || *s->p != '=')
		return bad(s, "unsupported statement '%s...' (only assignments are read)", name);
	s->p++;
	skip_blanks(s);
	if (s->p >= s->end)
		return bad(s, "%s: missing value", name);

	for (i = 0; i < (int)(sizeof matrices / sizeof *matrices); i++)
		if (!strcmp(name, matrices[i].name))
			break;
	if (i < (int)(sizeof matrices / sizeof *matrices)) {
		struct grid_mat *m = (struct grid_mat *)((char *)c + matrices[i].off);

		if (*s->p != '[')
			return bad(s, "%s: expected a matrix '[ ... ]'", name);
		if (m->v)
			return bad(s, "%s assigned twice", name);
		m->line0 = s->line;
		s->p++;
		return read_matrix(s, m, name);
	}
	if (*s->p == '[') { /* areas, dcline, custom fields */
		struct grid_mat tmp = GRID_MAT_INIT;
		int rc;

		s->p++;
		rc = read_matrix(s, &tmp, name);
		free(tmp.v);
		free(tmp.line);
		note_skipped(c, name);
		return rc;
	}
	if (*s->p == '{') {
		note_skipped(c, name);
		return skip_cell(s);
	}
	if (!strcmp(name, "version")) {
		char v[16];
		double num;

		if (read_scalar(s, name, &num, v, sizeof v))
			return s->err->code;
		if (strcmp(v, "1") && strcmp(v, "2"))
			return bad(s, "case format version '%s' is not supported (1 or 2)", v);
		c->version = v[0] - '0';
		return 0;
	}
	if (!strcmp(name, "baseMVA")) {
		if (read_scalar(s, name, &c->base_mva, NULL, 0))
			return s->err->code;
		if (!(c->base_mva > 0))
			return bad(s, "baseMVA must be positive");
		return 0;
	}
	{
		double num;
		char str[64];

		note_skipped(c, name);
		return read_scalar(s, name, &num, str, sizeof str);
	}
}

/* Rows too short for the columns used, and gencost rows against NCOST. */
static int check_widths(struct scan *s, struct grid_case *c)
{
	for (size_t i = 0; i < sizeof matrices / sizeof *matrices; i++) {
		const struct grid_mat *m = (const struct grid_mat *)((char *)c + matrices[i].off);

		if (m->nr && m->nc < matrices[i].min_nc) {
			s->line = m->line[0];
			return bad(s, "%s rows have %d columns, at least %d are needed",
				   matrices[i].name, m->nc, matrices[i].min_nc);
		}
	}
	for (int r = 0; r < c->gencost.nr; r++) {
		double model = GRID_AT(&c->gencost, r, 0), ncost = GRID_AT(&c->gencost, r, 3);
		double need = 4 + (model == 1 ? 2 * ncost : ncost);

		if ((model != 1 && model != 2) || ncost < 0 || need > c->gencost.nc) {
			s->line = c->gencost.line[r];
			return bad(s, "gencost row %d: model %g with %g cost terms does not fit "
				      "its %d columns", r + 1, model, ncost, c->gencost.nc);
		}
	}
	return 0;
}

int grid_case_parse(struct grid_case *c, const char *path, const char *text, size_t len,
		    struct wp_err *err)
{
	struct scan s = { path, text, text + len, 1, err };
	int v2_syntax = 0;

	c->path = strdup(path);
	if (!c->path)
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	while (s.p < s.end) {
		char ch = *s.p;

		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == ';' || ch == ',') {
			s.p++;
		} else if (ch == '\n') {
			s.line++, s.p++;
		} else if (ch == '%' || ch == '#') {
			skip_line(&s);
		} else {
			if (s.end - s.p > 4 && !memcmp(s.p, "mpc.", 4))
				v2_syntax = 1;
			if (read_statement(&s, c))
				return err->code;
		}
	}
	if (!c->version)
		c->version = v2_syntax ? 2 : 1;
	if (!c->bus.nr || !c->branch.nr) {
		s.line = 1;
		return bad(&s, "no %s matrix (is this a MATPOWER case?)", c->bus.nr ? "branch" : "bus");
	}
	if (!(c->base_mva > 0)) {
		s.line = 1;
		return bad(&s, "no baseMVA");
	}
	return check_widths(&s, c);
}

int grid_case_load(struct grid_case *c, const char *path, struct wp_err *err)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t len = 0, cap = 0, got;
	int rc;

	if (!f)
		return wp_err_errno(err, WP_ENOINPUT, "cannot open case", path);
	do {
		if (cap - len < 65536) {
			char *nt = realloc(text, cap = cap ? cap * 2 : 1 << 20);

			if (!nt) {
				free(text);
				fclose(f);
				return wp_err_set(err, WP_EINTERNAL, "out of memory");
			}
			text = nt;
		}
		got = fread(text + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	if (ferror(f)) {
		rc = wp_err_errno(err, WP_ENOINPUT, "cannot read case", path);
	} else {
		rc = grid_case_parse(c, path, text, len, err);
	}
	fclose(f);
	free(text);
	return rc;
}

void grid_case_release(struct grid_case *c)
{
	struct grid_mat *ms[] = { &c->bus, &c->gen, &c->branch, &c->gencost };

	for (size_t i = 0; i < sizeof ms / sizeof *ms; i++) {
		free(ms[i]->v);
		free(ms[i]->line);
	}
	free(c->path);
	*c = (struct grid_case)GRID_CASE_INIT;
}
