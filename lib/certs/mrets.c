/* mrets.c: the M-RETS REC API (api/rec.md section 9): holdings as ledger
 * batch records, and retirements filed as user_transactions. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wp.h"
#include "certs/certs.h"
#include "certs/mrets.h"

int cert_mrets_open(struct cert_mrets *m, struct wp_cli *cli, struct wp_err *err)
{
	struct wp_http_opts o = WP_HTTP_OPTS_INIT;
	const char *path;
	char *dir = NULL;
	size_t n;
	int rc;

	m->base = wp_cli_setting(cli, "base-url", "MRETS_BASE_URL", "rec", "base_url",
				 CERT_MRETS_BASE, err);
	if (err->code)
		return err->code;
	if ((n = strlen(m->base)) > 0 && m->base[n - 1] == '/')
		return wp_err_set(err, WP_EUSAGE, "base URL '%s' must not end with '/'", m->base);
	if ((rc = wp_cli_secret(cli, "MRETS_API_KEY", "rec", "api_key", &m->key, err)))
		return rc;
	if ((path = wp_cli_setting(cli, NULL, NULL, "rec", "journal", NULL, err)))
		m->journal_path = strdup(path);
	else if (!err->code && (rc = wp_xdg_dir("state", 1, &dir, err)) == 0 &&
		 asprintf(&m->journal_path, "%s/rec-journal.ndjson", dir) < 0)
		m->journal_path = NULL;
	free(dir);
	if (rc || err->code)
		return rc ? rc : err->code;
	if (!m->journal_path)
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	/* M-RETS: 10 requests per 5 s per token, across every process. */
	o.rate_name = "mrets";
	o.rate_max = 10;
	o.rate_window_s = 5;
	o.secrets[0] = m->key;
	if ((rc = wp_cli_http(cli, &o, &m->http, err)) == 0)
		m->open = 1;
	return rc;
}

void cert_mrets_close(struct cert_mrets *m)
{
	if (m->open)
		wp_http_release(&m->http);
	m->open = 0;
	wp_secret_free(m->key);
	m->key = NULL;
	if (m->journal)
		fclose(m->journal);
	m->journal = NULL;
	free(m->journal_path);
	m->journal_path = NULL;
}

static void hex_of_line(const char *line, size_t n, char out[65])
{
	struct cert_sha256 h;

	cert_sha256_init(&h);
	cert_sha256_update(&h, line, n);
	cert_sha256_hex(&h, out);
}

/* Opens the journal for appending and finds its last line's hash. */
static int journal_open(struct cert_mrets *m, struct wp_err *err)
{
	int fd = open(m->journal_path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	char buf[65536];
	off_t end, from;
	ssize_t n;

	if (fd < 0 || !(m->journal = fdopen(fd, "a+"))) {
		if (fd >= 0)
			close(fd);
		return wp_err_errno(err, WP_ECANTCREAT, "cannot open journal", m->journal_path);
	}
	memset(m->journal_prev, '0', 64);
	m->journal_prev[64] = '\0';
	end = lseek(fd, 0, SEEK_END);
	from = end > (off_t)sizeof buf ? end - (off_t)sizeof buf : 0;
	n = end > 0 ? pread(fd, buf, (size_t)(end - from), from) : 0;
	if (n > 1) {
		/* The last line ends at the final newline; it starts after the
		 * newline before it (lines are far shorter than the buffer). */
		ssize_t e = buf[n - 1] == '\n' ? n - 1 : n, b = e;

		while (b > 0 && buf[b - 1] != '\n')
			b--;
		hex_of_line(buf + b, (size_t)(e - b), m->journal_prev);
	}
	return 0;
}

/* Appends one line (entry plus time and prev_sha256) and fsyncs it. */
static int journal(struct cert_mrets *m, jv entry, struct wp_err *err)
{
	char when[WP_TIME_MAX];
	jv line;
	size_t n;
	int rc = 0;

	if (!m->journal && (rc = journal_open(m, err))) {
		jv_free(entry);
		return rc;
	}
	wp_fmt_utc(time(NULL), when);
	entry = jv_object_set(entry, jv_string("time_utc"), jv_string(when));
	entry = jv_object_set(entry, jv_string("registry"), jv_string("M-RETS"));
	entry = jv_object_set(entry, jv_string("prev_sha256"), jv_string(m->journal_prev));
	line = jv_dump_string(entry, JV_PRINT_SORTED);
	n = strlen(jv_string_value(line));
	if (fprintf(m->journal, "%s\n", jv_string_value(line)) < 0 || fflush(m->journal) != 0 ||
	    fsync(fileno(m->journal)) != 0)
		rc = wp_err_errno(err, WP_ECANTCREAT, "cannot write journal", m->journal_path);
	else
		hex_of_line(jv_string_value(line), n, m->journal_prev);
	jv_free(line);
	return rc;
}

static int request(struct cert_mrets *m, const char *method, const char *url, jv body,
		   const char *what, jv *out, struct wp_err *err)
{
	char hdr[512];
	const char *headers[] = { hdr, "Accept: application/vnd.api+json",
				  "Content-Type: application/vnd.api+json", NULL };
	struct wp_http_req req = { 0 };
	struct wp_http_resp resp = WP_HTTP_RESP_INIT;
	jv text = jv_invalid();
	int rc;

	if (!url) {
		jv_free(body);
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	snprintf(hdr, sizeof hdr, "X-Api-Key: %s", m->key);
	req.method = method;
	req.url = url;
	req.headers = headers;
	/* GETs may be retried; a write is sent once (DESIGN.md section 5). */
	req.idempotent = strcmp(method, "GET") == 0;
	if (jv_is_valid(body)) {
		text = jv_dump_string(body, 0);
		req.body = jv_string_value(text);
		req.body_len = strlen(req.body);
	} else {
		jv_free(body);
	}
	if (!req.idempotent) {
		jv e = jv_object();

		e = jv_object_set(e, jv_string("phase"), jv_string("request"));
		e = jv_object_set(e, jv_string("method"), jv_string(method));
		e = jv_object_set(e, jv_string("url"), jv_string(url));
		e = jv_object_set(e, jv_string("body"),
				  req.body ? jv_parse(req.body) : jv_null());
		if ((rc = journal(m, e, err))) {
			jv_free(text);
			return rc;
		}
	}
	rc = wp_http_do(&m->http, &req, &resp, err);
	if (!req.idempotent) {
		jv e = jv_object(), b = resp.body ? jv_parse(resp.body) : jv_null();
		int jrc;

		if (!jv_is_valid(b)) {
			jv_free(b);
			b = jv_string(resp.body);
		}
		e = jv_object_set(e, jv_string("phase"), jv_string("response"));
		e = jv_object_set(e, jv_string("method"), jv_string(method));
		e = jv_object_set(e, jv_string("url"), jv_string(url));
		e = jv_object_set(e, jv_string("status"),
				  rc ? jv_null() : jv_number((double)resp.status));
		e = jv_object_set(e, jv_string("body"), rc ? jv_null() : b);
		if (rc) {
			jv_free(b);
			e = jv_object_set(e, jv_string("error"), jv_string(err->msg));
		}
		/* The write happened: failing now would leave the ledger behind
		 * M-RETS. Its request line is on disk and the audit row will
		 * hold the receipt, so a lost answer line is let go. */
		if ((jrc = journal(m, e, err)) && !rc)
			wp_err_clear(err);
	}
	if (!rc && resp.status / 100 != 2) {
		/* The message carries M-RETS's errors[] body, which names the problem. */
		rc = wp_http_status_err(&m->http, &resp, what, err);
	} else if (!rc) {
		*out = jv_parse(resp.body ? resp.body : "");
		if (!jv_is_valid(*out) || jv_get_kind(*out) != JV_KIND_OBJECT) {
			jv_free(*out);
			*out = jv_invalid();
			rc = wp_err_set(err, WP_EPROTO, "%s: the answer is not a JSON:API document",
					what);
		}
	}
	wp_http_resp_release(&resp);
	jv_free(text);
	return rc;
}

static jv get(jv o, const char *k)
{
	return jv_object_get(jv_copy(o), jv_string(k));
}

/* A string or array attribute, or a number as text, into rec under key. */
static jv put(jv rec, const char *key, jv v)
{
	if (jv_get_kind(v) == JV_KIND_NUMBER)
		v = jv_dump_string(v, 0);
	if (jv_get_kind(v) != JV_KIND_STRING && jv_get_kind(v) != JV_KIND_ARRAY) {
		jv_free(v);
		return rec;
	}
	return jv_object_set(rec, jv_string(key), v);
}

/* One certificate_quantities resource, with its certificate's attributes,
 * as a row in the ledger's own form, mapped (and so checked) like any
 * import. Consumes q and cert. */
static int to_batch(jv q, jv cert, jv *out, struct wp_err *err)
{
	static const char *const keep[][2] = {
		{ "vintage", "vintage" },	  { "generator_id", "generator_id" },
		{ "generator_name", "generator_name" }, { "eia_plant_id", "eia_plant_id" },
		{ "state", "state" },		  { "fuel_type", "fuel" },
		{ "eligibilities", "eligibilities" },
	};
	const struct cert_format *f;
	jv a = get(q, "attributes"), ca = get(cert, "attributes");
	jv base = get(ca, "serial_number_base");
	jv s = get(a, "serial_number_start"), e = get(a, "serial_number_end");
	jv row = jv_object();
	size_t i;
	int rc;

	if (jv_get_kind(base) != JV_KIND_STRING || jv_get_kind(s) != JV_KIND_NUMBER ||
	    jv_get_kind(e) != JV_KIND_NUMBER) {
		rc = wp_err_set(err, WP_EPROTO, "M-RETS quantity without a serial base or range");
		jv_free(row);
		goto out;
	}
	row = jv_object_set(row, jv_string("registry"), jv_string("M-RETS"));
	row = jv_object_set(row, jv_string("serial"),
			    jv_string_fmt("%s-%.0f to %.0f", jv_string_value(base),
					  jv_number_value(s), jv_number_value(e)));
	for (i = 0; i < sizeof keep / sizeof keep[0]; i++)
		row = put(row, keep[i][1], get(ca, keep[i][0]));
	row = put(row, "status", get(a, "status"));
	row = put(row, "account_id",
		  jv_getpath(jv_copy(q), JV_ARRAY(jv_string("relationships"), jv_string("account"),
						   jv_string("data"), jv_string("id"))));
	cert_format_find("wattpipe", &f, err);
	if ((rc = cert_format_map(f, row, out, err)))
		wp_err_prefix(err, "M-RETS");
out:
	jv_free(base), jv_free(s), jv_free(e);
	jv_free(a), jv_free(ca), jv_free(q), jv_free(cert);
	return rc;
}

/* The included resource of type/id, or null. Consumes id. */
static jv included(jv doc, const char *type, jv id)
{
	jv inc = get(doc, "included"), hit = jv_null();

	if (jv_get_kind(inc) == JV_KIND_ARRAY) {
		jv_array_foreach(inc, i, r)
		{
			jv t = get(r, "type");
			int same_type = jv_get_kind(t) == JV_KIND_STRING &&
					strcmp(jv_string_value(t), type) == 0;
			int same_id = jv_equal(get(r, "id"), jv_copy(id));

			if (same_type && same_id && jv_get_kind(hit) == JV_KIND_NULL) {
				jv_free(hit);
				hit = jv_copy(r);
			}
			jv_free(t);
			jv_free(r);
		}
	}
	jv_free(inc);
	jv_free(id);
	return hit;
}

static jv rel_id(jv res, const char *rel)
{
	return jv_getpath(jv_copy(res), JV_ARRAY(jv_string("relationships"), jv_string(rel),
						  jv_string("data"), jv_string("id")));
}

/* Calls fn(ctx, quantity, its certificate) for every quantity of status in
 * account (NULL: all), following links.next; fn consumes both and returns
 * 0, a WP_E* code, or WP_DONE to stop early (then 0 is returned). */
typedef int (*quantity_fn)(void *ctx, jv q, jv cert, struct wp_err *err);

static int each_quantity(struct cert_mrets *m, const char *account, const char *status,
			 quantity_fn fn, void *ctx, struct wp_err *err)
{
	char *url = NULL, *acct = account ? wp_url_escape(account) : NULL;
	int rc = 0, pages = 0;

	/* Largest pages the API allows (1000), so 10 requests per 5 s go far. */
	if (asprintf(&url,
		     "%s/certificate_quantities?filter%%5Bstatus%%5D=%s%s%s"
		     "&include=certificate,account&page%%5Bnumber%%5D=1&page%%5Bsize%%5D=1000",
		     m->base, status, acct ? "&filter%5Baccount_id%5D=" : "", acct ? acct : "") < 0)
		url = NULL;
	free(acct);
	if (!url)
		return wp_err_set(err, WP_EINTERNAL, "out of memory");
	while (url && !rc) {
		jv doc = jv_invalid(), data, next;

		rc = request(m, "GET", url, jv_invalid(), "M-RETS certificate_quantities", &doc, err);
		free(url);
		url = NULL;
		if (rc)
			break;
		data = get(doc, "data");
		if (jv_get_kind(data) != JV_KIND_ARRAY)
			rc = wp_err_set(err, WP_EPROTO, "M-RETS certificate_quantities: no data array");
		else
			jv_array_foreach(data, i, q)
			{
				if (!rc)
					rc = fn(ctx, jv_copy(q),
						included(doc, "certificates", rel_id(q, "certificate")),
						err);
				jv_free(q);
			}
		jv_free(data);
		next = jv_getpath(jv_copy(doc), JV_ARRAY(jv_string("links"), jv_string("next")));
		/* Follow links.next as given; stop a loop that never ends. */
		if (!rc && jv_get_kind(next) == JV_KIND_STRING) {
			if (++pages > 100000)
				rc = wp_err_set(err, WP_EPROTO, "M-RETS: more than 100000 pages");
			else if (!(url = strdup(jv_string_value(next))))
				rc = wp_err_set(err, WP_EINTERNAL, "out of memory");
		}
		jv_free(next);
		jv_free(doc);
	}
	free(url);
	return rc == WP_DONE ? 0 : rc;
}

struct holdings {
	cert_emit_fn emit;
	void *ctx;
};

static int holding(void *ctx, jv q, jv cert, struct wp_err *err)
{
	struct holdings *h = ctx;
	jv b;
	int rc = to_batch(q, cert, &b, err);

	return rc ? rc : h->emit(h->ctx, b, err);
}

int cert_mrets_holdings(struct cert_mrets *m, const char *account, const char *status,
			cert_emit_fn emit, void *ctx, struct wp_err *err)
{
	struct holdings h = { emit, ctx };

	return each_quantity(m, account, status ? status : "active", holding, &h, err);
}

/* Looking for the certificate of one piece. */
struct wanted {
	jv base;
	double s, e;
	char *cert;
};

static int match(void *ctx, jv q, jv cert, struct wp_err *err)
{
	struct wanted *w = ctx;
	jv base = jv_getpath(jv_copy(cert), JV_ARRAY(jv_string("attributes"),
						      jv_string("serial_number_base")));
	jv a = get(q, "attributes"), id = get(cert, "id"), qid = get(q, "id");
	jv qs = get(a, "serial_number_start"), qe = get(a, "serial_number_end");
	int rc = 0;

	/* jv_number_value aborts on anything but a number. */
	if (jv_get_kind(qs) != JV_KIND_NUMBER || jv_get_kind(qe) != JV_KIND_NUMBER) {
		rc = wp_err_set(err, WP_EPROTO, "M-RETS quantity %s without a serial range",
				jv_get_kind(qid) == JV_KIND_STRING ? jv_string_value(qid) : "?");
		jv_free(base);
	} else if (jv_equal(base, jv_copy(w->base)) && jv_number_value(qs) <= w->s &&
		   jv_number_value(qe) >= w->e && jv_get_kind(id) == JV_KIND_STRING) {
		w->cert = strdup(jv_string_value(id));
		rc = w->cert ? WP_DONE : wp_err_set(err, WP_EINTERNAL, "out of memory");
	}
	jv_free(qs), jv_free(qe), jv_free(qid);
	jv_free(id);
	jv_free(a);
	jv_free(q);
	jv_free(cert);
	return rc;
}

/* The active quantity holding the piece's range in the account it leaves: its
 * certificate id. M-RETS ids change with every split, so they are read
 * here, just before use, never kept. Consumes piece. */
static int find_certificate(struct cert_mrets *m, jv piece, char **cert, struct wp_err *err)
{
	struct wanted w = { get(piece, "serial_base"), 0, 0, NULL };
	jv acct = get(piece, "from_account_id"), serial = get(piece, "serial");
	const char *an = jv_get_kind(acct) == JV_KIND_STRING ? jv_string_value(acct) : "";
	int rc;

	w.s = jv_number_value(get(piece, "serial_start"));
	w.e = jv_number_value(get(piece, "serial_end"));
	rc = each_quantity(m, an, "active", match, &w, err);
	if (!rc && !w.cert)
		rc = wp_err_set(err, WP_EDATA,
				"M-RETS does not hold '%s' as active in account %s: import from "
				"M-RETS again to see what it holds",
				jv_get_kind(serial) == JV_KIND_STRING ? jv_string_value(serial) : "?",
				an);
	*cert = w.cert;
	jv_free(w.base);
	jv_free(acct);
	jv_free(serial);
	jv_free(piece);
	return rc;
}

static jv ref(const char *type, const char *id)
{
	return jv_object_set(jv_object(), jv_string("data"),
			     jv_object_set(jv_object_set(jv_object(), jv_string("type"), jv_string(type)),
					   jv_string("id"), jv_string(id)));
}

/* The draft user transaction: a retirement with its fields, or an
 * internal transfer. */
static jv transaction_doc(const struct cert_mrets *m)
{
	const struct cert_retirement *r = m->retirement;
	jv attrs = jv_object(), data = jv_object();

	data = jv_object_set(data, jv_string("type"), jv_string("user_transactions"));
	if (!r) {
		attrs = jv_object_set(attrs, jv_string("transaction_type"),
				      jv_string("internal transfer"));
	} else {
		/* The retirement option is the registry's name for the reason
		 * (RPS, BBO, GRN, ...); free text goes in retirement_reason. */
		const char *option = r->reason ? r->reason
				     : strcmp(r->type, "compliance") == 0 ? "RPS" : "BBO";

		attrs = jv_object_set(attrs, jv_string("transaction_type"), jv_string("retirement"));
		attrs = jv_object_set(attrs, jv_string("retirement_type"), jv_string(option));
		attrs = jv_object_set(attrs, jv_string("retirement_reason"),
				      r->note ? jv_string(r->note) : jv_null());
		attrs = jv_object_set(attrs, jv_string("retired_to"),
				      r->state ? jv_string(r->state) : jv_null());
		attrs = jv_object_set(attrs, jv_string("retired_quarter"),
				      r->quarter ? jv_string(r->quarter) : jv_null());
		attrs = jv_object_set(attrs, jv_string("compliance_period"),
				      r->year > 0 ? jv_number(r->year) : jv_null());
		data = jv_object_set(data, jv_string("relationships"),
				     jv_object_set(jv_object(), jv_string("retirement_option"),
						   ref("retirement_options", option)));
	}
	data = jv_object_set(data, jv_string("attributes"), attrs);
	return jv_object_set(jv_object(), jv_string("data"), data);
}

int cert_mrets_file(void *ctx, jv pieces, jv *receipt, struct wp_err *err)
{
	struct cert_mrets *m = ctx;
	jv body = transaction_doc(m), doc = jv_invalid(), txid = jv_invalid();
	char *url = NULL;
	int rc;

	if (asprintf(&url, "%s/user_transactions", m->base) < 0)
		url = NULL;
	if ((rc = request(m, "POST", url, body, "M-RETS user_transactions", &doc, err)))
		goto out;
	txid = jv_getpath(jv_copy(doc), JV_ARRAY(jv_string("data"), jv_string("id")));
	if (jv_get_kind(txid) != JV_KIND_STRING) {
		rc = wp_err_set(err, WP_EPROTO, "M-RETS user_transactions: no id in the answer");
		goto out;
	}
	free(url);
	if (asprintf(&url, "%s/transaction_details", m->base) < 0)
		url = NULL;
	jv_array_foreach(pieces, i, p)
	{
		char *cert = NULL;
		jv d, a, rel, ans = jv_invalid();

		if (rc || (rc = find_certificate(m, jv_copy(p), &cert, err))) {
			jv_free(p);
			continue;
		}
		a = jv_object_set(jv_object(), jv_string("serial_number_start"), get(p, "serial_start"));
		a = jv_object_set(a, jv_string("serial_number_end"), get(p, "serial_end"));
		rel = jv_object_set(jv_object(), jv_string("user_transaction"),
				    ref("user_transactions", jv_string_value(txid)));
		rel = jv_object_set(rel, jv_string("certificate"), ref("certificates", cert));
		if (m->to_account)
			rel = jv_object_set(rel, jv_string("to_account"), ref("accounts", m->to_account));
		{
			jv acct = get(p, "from_account_id");

			rel = jv_object_set(rel, jv_string("from_account"),
					    ref("accounts", jv_get_kind(acct) == JV_KIND_STRING
								    ? jv_string_value(acct) : ""));
			jv_free(acct);
		}
		d = jv_object_set(jv_object(), jv_string("type"), jv_string("transaction_details"));
		d = jv_object_set(d, jv_string("attributes"), a);
		d = jv_object_set(d, jv_string("relationships"), rel);
		rc = request(m, "POST", url, jv_object_set(jv_object(), jv_string("data"), d),
			     "M-RETS transaction_details", &ans, err);
		jv_free(ans);
		free(cert);
		jv_free(p);
	}
	if (rc)
		goto out;
	free(url);
	if (asprintf(&url, "%s/user_transactions/%s/enqueue", m->base, jv_string_value(txid)) < 0)
		url = NULL;
	jv_free(doc);
	doc = jv_invalid();
	if ((rc = request(m, "PUT", url, jv_invalid(), "M-RETS enqueue", &doc, err)))
		goto out;
	*receipt = jv_object_set(jv_object(), jv_string("registry"), jv_string("M-RETS"));
	*receipt = jv_object_set(*receipt, jv_string("transaction_id"), jv_copy(txid));
	*receipt = jv_object_set(*receipt, jv_string("transaction_status"),
				 jv_getpath(jv_copy(doc), JV_ARRAY(jv_string("data"), jv_string("attributes"),
								   jv_string("status"))));
out:
	if (rc && jv_get_kind(txid) == JV_KIND_STRING)
		/* A draft left behind changes nothing at M-RETS; say which. */
		snprintf(err->msg + strlen(err->msg), sizeof err->msg - strlen(err->msg),
			 " (M-RETS draft transaction %s was not enqueued)", jv_string_value(txid));
	jv_free(doc);
	jv_free(txid);
	jv_free(pieces);
	free(url);
	return rc;
}
