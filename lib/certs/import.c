/* import.c: registry export formats as data, and the mapping of one export
 * row to a ledger batch record. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wp.h"
#include "certs/certs.h"

/* Header names as the registries label their certificate/holdings report
 * columns; alternatives separated by '|', matched ignoring case and
 * surrounding blanks. rec-import(1) lists the same tables. */
static const struct cert_column wattpipe_cols[] = {
	{ "registry", "registry", 1 },
	{ "serial", "serial", 1 },
	{ "certificates", "certificates", 0 },
	{ "mwh", "mwh", 0 },
	{ "vintage", "vintage", 1 },
	{ "generator_id", "generator_id", 0 },
	{ "generator_name", "generator_name", 0 },
	{ "eia_plant_id", "eia_plant_id", 0 },
	{ "state", "state", 0 },
	{ "fuel", "fuel", 0 },
	{ "eligibilities", "eligibilities", 0 },
	{ "status", "status", 0 },
	{ "account_id", "account_id", 0 },
	{ "subaccount_id", "subaccount_id", 0 },
	{ "egrid_region", "egrid_region", 0 },
	{ 0 }
};

static const struct cert_column mrets_cols[] = {
	{ "serial", "Serial Numbers|Serial Number Range", 1 },
	{ "certificates", "Quantity|Certificates", 1 },
	{ "mwh", "MWh", 0 },
	{ "vintage", "Vintage", 1 },
	{ "generator_id", "Generator ID", 1 },
	{ "generator_name", "Generator Name|Generator", 0 },
	{ "eia_plant_id", "EIA Plant ID|EIA ID", 0 },
	{ "state", "Generator State|State|Location", 0 },
	{ "fuel", "Fuel Type|Fuel", 0 },
	{ "eligibilities", "Eligibility|Eligibilities|Certifications", 0 },
	{ "status", "Status", 0 },
	{ "account_id", "Account ID|Account", 0 },
	{ 0 }
};

static const struct cert_column nar_cols[] = {
	{ "serial", "Certificate Serial Number Range", 1 },
	{ "certificates", "Quantity", 1 },
	{ "mwh", "MWh", 0 },
	{ "vintage", "Vintage|Vintage Month", 1 },
	{ "generator_id", "Project ID|Generator ID", 1 },
	{ "generator_name", "Project Name|Generator Name", 0 },
	{ "eia_plant_id", "EIA Plant Code|EIA Plant ID", 0 },
	{ "state", "Country Subdivision|State/Province|State", 0 },
	{ "fuel", "Fuel Type|Technology", 0 },
	{ "eligibilities", "Eligibility|Program Eligibility", 0 },
	{ "status", "Status", 0 },
	{ "account_id", "Account|Account ID", 0 },
	{ "subaccount_id", "Subaccount|Subaccount ID", 0 },
	{ 0 }
};

static const struct cert_column wregis_cols[] = {
	{ "serial", "Certificate Serial Numbers", 1 },
	{ "certificates", "Quantity|Certificates", 1 },
	{ "vintage", "Vintage|Generation Month", 1 },
	{ "generator_id", "WREGIS ID|Generator ID", 1 },
	{ "generator_name", "Generator Name|Generator", 0 },
	{ "eia_plant_id", "EIA Plant ID", 0 },
	{ "state", "State|Province/State", 0 },
	{ "fuel", "Fuel Type|Fuel", 0 },
	{ "eligibilities", "Eligibility|State Certification", 0 },
	{ "status", "Status", 0 },
	{ "account_id", "Account|Account ID", 0 },
	{ "subaccount_id", "Subaccount", 0 },
	{ 0 }
};

static const struct cert_column gats_cols[] = {
	{ "serial", "Cert Serial Numbers", 1 },
	{ "certificates", "Quantity|Cert Quantity", 1 },
	{ "vintage", "Month/Year|Vintage", 1 },
	{ "generator_id", "Unit ID|GATS Unit ID", 1 },
	{ "generator_name", "Facility Name|Unit Name", 0 },
	{ "eia_plant_id", "Plant ORIS|EIA Plant ID", 0 },
	{ "state", "State|Location", 0 },
	{ "fuel", "Fuel Type|Fuel", 0 },
	{ "eligibilities", "State Eligibility|Eligibility", 0 },
	{ "status", "Status", 0 },
	{ "account_id", "Account|Account ID", 0 },
	{ "subaccount_id", "Subaccount", 0 },
	{ 0 }
};

static const struct cert_format fmt_wattpipe = { "wattpipe", NULL, wattpipe_cols };
static const struct cert_format fmt_mrets = { "mrets", "M-RETS", mrets_cols };
static const struct cert_format fmt_nar = { "nar", "NAR", nar_cols };
static const struct cert_format fmt_wregis = { "wregis", "WREGIS", wregis_cols };
static const struct cert_format fmt_gats = { "pjm-gats", "PJM-GATS", gats_cols };

const struct cert_format *const cert_formats[] = {
	&fmt_wattpipe, &fmt_mrets, &fmt_nar, &fmt_wregis, &fmt_gats, NULL,
};

int cert_format_find(const char *name, const struct cert_format **f, struct wp_err *err)
{
	char known[256] = "";
	int i;

	for (i = 0; cert_formats[i]; i++) {
		if (strcmp(cert_formats[i]->name, name) == 0) {
			*f = cert_formats[i];
			return 0;
		}
		snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? ", " : "",
			 cert_formats[i]->name);
	}
	return wp_err_set(err, WP_EUSAGE, "unknown registry format '%s' (known: %s)", name, known);
}

/* The key of rec matching one of the '|'-separated names, or NULL. The
 * returned pointer is valid while rec is. */
static const char *find_key(jv rec, const char *names)
{
	const char *n = names;

	while (*n) {
		size_t len = strcspn(n, "|");

		jv_object_keys_foreach(rec, k)
		{
			const char *ks = jv_string_value(k);
			size_t kl;

			while (isspace((unsigned char)*ks))
				ks++;
			kl = strlen(ks);
			while (kl && isspace((unsigned char)ks[kl - 1]))
				kl--;
			if (kl == len && strncasecmp(ks, n, len) == 0) {
				/* keys live in rec; return rec's own copy */
				const char *own = jv_string_value(k);
				jv_free(k);
				return own;
			}
			jv_free(k);
		}
		n += len;
		if (*n == '|')
			n++;
	}
	return NULL;
}

static int fits(const struct cert_format *f, jv rec)
{
	const struct cert_column *c;

	for (c = f->cols; c->field; c++)
		if (c->required && !find_key(rec, c->names))
			return 0;
	return 1;
}

int cert_format_detect(jv rec, const struct cert_format **f, struct wp_err *err)
{
	char names[256] = "";
	int i, n = 0;

	for (i = 0; cert_formats[i]; i++) {
		if (!fits(cert_formats[i], rec))
			continue;
		if (n++ == 0)
			*f = cert_formats[i];
		snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
			 n > 1 ? ", " : "", cert_formats[i]->name);
	}
	jv_free(rec);
	if (n == 1)
		return 0;
	if (n > 1)
		return wp_err_set(err, WP_EUSAGE, "the columns fit several registry formats (%s): "
						  "choose one with --format",
				  names);
	return wp_err_set(err, WP_EDATA, "unknown registry format: the columns match none of the "
					 "known exports (see rec-import(1), FORMATS)");
}

/* A value as text: strings trimmed, numbers formatted; NULL when absent,
 * null or blank. malloc'd. */
static char *text_of(jv rec, const char *key)
{
	char *s, *e;
	jv v;

	if (!key)
		return NULL;
	v = jv_object_get(jv_copy(rec), jv_string(key));
	if (jv_get_kind(v) == JV_KIND_NUMBER) {
		char buf[32];
		double d = jv_number_value(v);

		/* A CSV reader turns "805" into a number; ids come back whole. */
		if (d == (double)(long long)d && d > -1e15 && d < 1e15)
			snprintf(buf, sizeof buf, "%lld", (long long)d);
		else
			snprintf(buf, sizeof buf, "%.17g", d);
		jv_free(v);
		return strdup(buf);
	}
	if (jv_get_kind(v) != JV_KIND_STRING) {
		jv_free(v);
		return NULL;
	}
	s = strdup(jv_string_value(v) + strspn(jv_string_value(v), " \t"));
	jv_free(v);
	if (!s)
		return NULL;
	for (e = s + strlen(s); e > s && isspace((unsigned char)e[-1]); e--)
		e[-1] = '\0';
	if (!*s) {
		free(s);
		return NULL;
	}
	return s;
}

/* "MM/YYYY", "YYYY-MM" or "MM/DD/YYYY" (the month of that day) -> "YYYY-MM". */
static int parse_vintage(const char *s, char out[8])
{
	int y, m, d, n = 0;

	if (sscanf(s, "%2d/%4d%n", &m, &y, &n) == 2 && s[n] == '\0' && strlen(s) == 7)
		;
	else if (sscanf(s, "%4d-%2d%n", &y, &m, &n) == 2 && s[n] == '\0' && strlen(s) == 7)
		;
	else if (sscanf(s, "%2d/%2d/%4d%n", &m, &d, &y, &n) == 3 && s[n] == '\0' && d >= 1 &&
		 d <= 31)
		;
	else
		return -1;
	if (m < 1 || m > 12 || y < 1900 || y > 9999)
		return -1;
	snprintf(out, 8, "%04d-%02d", y, m);
	return 0;
}

static const char *const statuses[] = { "active", "pending", "retired", "exported", "residual",
					NULL };

static int known_status(const char *s)
{
	int i;

	for (i = 0; statuses[i]; i++)
		if (strcmp(statuses[i], s) == 0)
			return 1;
	return 0;
}

/* "MN RES; WI-RPS, IL" -> ["MN RES","WI-RPS","IL"]; an array stays one. */
static jv split_tags(jv rec, const char *key)
{
	jv v, out = jv_array();
	char *s, *tok, *save = NULL;

	if (!key)
		return out;
	v = jv_object_get(jv_copy(rec), jv_string(key));
	if (jv_get_kind(v) == JV_KIND_ARRAY) {
		jv_array_foreach(v, i, t)
		{
			if (jv_get_kind(t) == JV_KIND_STRING)
				out = jv_array_append(out, t);
			else
				jv_free(t);
		}
		jv_free(v);
		return out;
	}
	jv_free(v);
	if (!(s = text_of(rec, key)))
		return out;
	for (tok = strtok_r(s, ";,|", &save); tok; tok = strtok_r(NULL, ";,|", &save)) {
		char *e;

		tok += strspn(tok, " \t");
		for (e = tok + strlen(tok); e > tok && isspace((unsigned char)e[-1]); e--)
			;
		*e = '\0';
		for (e = tok; *e; e++)
			*e = (char)toupper((unsigned char)*e);
		if (*tok)
			out = jv_array_append(out, jv_string(tok));
	}
	free(s);
	return out;
}

/* The row key mapped to a ledger field, or NULL (key[] as resolved). */
static const char *key_for(const struct cert_format *f, const char *const *key, const char *field)
{
	int i;

	for (i = 0; f->cols[i].field; i++)
		if (strcmp(f->cols[i].field, field) == 0)
			return key[i];
	return NULL;
}

int cert_format_map(const struct cert_format *f, jv row, jv *out, struct wp_err *err)
{
	static const char *const text_fields[] = { "generator_id", "generator_name", "eia_plant_id",
						   "fuel", "account_id", "subaccount_id",
						   "egrid_region", NULL };
	struct cert_serial sr;
	const struct cert_column *c;
	const char *key[32] = { 0 };
	char *serial = NULL, *registry = NULL, *vin = NULL, *num = NULL, *st = NULL, *status = NULL;
	char vintage[8];
	double certs, mwh;
	jv b = jv_object();
	int rc = 0, n;

	for (n = 0, c = f->cols; c->field && n < 32; c++, n++) {
		key[n] = find_key(row, c->names);
		if (c->required && !key[n]) {
			rc = wp_err_set(err, WP_EDATA, "%s export: no '%s' column", f->name, c->names);
			goto out;
		}
	}
	for (n = 0; text_fields[n]; n++) {
		char *v = text_of(row, key_for(f, key, text_fields[n]));

		if (v)
			b = jv_object_set(b, jv_string(text_fields[n]), jv_string(v));
		free(v);
	}
	{
		const char *k_reg = key_for(f, key, "registry"), *k_certs = key_for(f, key, "certificates");
		const char *k_serial = key_for(f, key, "serial"), *k_mwh = key_for(f, key, "mwh");
		const char *k_vin = key_for(f, key, "vintage"), *k_state = key_for(f, key, "state");
		const char *k_status = key_for(f, key, "status"), *k_elig = key_for(f, key, "eligibilities");

		registry = f->registry ? strdup(f->registry) : text_of(row, k_reg);
		if (!registry) {
			rc = wp_err_set(err, WP_EDATA, "no registry");
			goto out;
		}
		if (!(serial = text_of(row, k_serial))) {
			rc = wp_err_set(err, WP_EDATA, "empty serial");
			goto out;
		}
		if ((rc = cert_serial_parse(serial, &sr, err)))
			goto out;
		certs = (double)cert_serial_count(&sr);
		if ((num = text_of(row, k_certs))) {
			char *end;
			double q = strtod(num, &end);

			if (*end || q != certs) {
				rc = wp_err_set(err, WP_EDATA,
						"serial '%s' holds %.0f certificates, quantity says '%s'",
						serial, certs, num);
				goto out;
			}
			free(num);
			num = NULL;
		}
		mwh = certs; /* one certificate per MWh unless the export says otherwise */
		if ((num = text_of(row, k_mwh))) {
			char *end;

			mwh = strtod(num, &end);
			if (*end || !(mwh >= 0) || !isfinite(mwh)) {
				rc = wp_err_set(err, WP_EDATA, "serial '%s': bad MWh '%s'", serial,
						num);
				goto out;
			}
		}
		if (!(vin = text_of(row, k_vin)) || parse_vintage(vin, vintage)) {
			rc = wp_err_set(err, WP_EDATA,
					"serial '%s': vintage '%s' is not MM/YYYY, YYYY-MM or "
					"MM/DD/YYYY",
					serial, vin ? vin : "");
			goto out;
		}
		if ((st = text_of(row, k_state))) {
			const char *s2 = strncasecmp(st, "US-", 3) == 0 ? st + 3 : st;

			if (strlen(s2) != 2 || !isalpha((unsigned char)s2[0]) ||
			    !isalpha((unsigned char)s2[1])) {
				rc = wp_err_set(err, WP_EDATA,
						"serial '%s': state '%s' is not a 2-letter code",
						serial, st);
				goto out;
			}
			b = jv_object_set(b, jv_string("state"),
					  jv_string_fmt("%c%c", toupper((unsigned char)s2[0]),
							toupper((unsigned char)s2[1])));
		}
		if ((status = text_of(row, k_status))) {
			char *p;

			for (p = status; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			if (!known_status(status)) {
				rc = wp_err_set(err, WP_EDATA,
						"serial '%s': status '%s' is not active, pending, "
						"retired, exported or residual",
						serial, status);
				goto out;
			}
		}
		b = jv_object_set(b, jv_string("registry"), jv_string(registry));
		b = jv_object_set(b, jv_string("serial"), jv_string(serial));
		b = jv_object_set(b, jv_string("serial_base"), jv_string(sr.base));
		b = jv_object_set(b, jv_string("serial_start"), jv_number((double)sr.start));
		b = jv_object_set(b, jv_string("serial_end"), jv_number((double)sr.end));
		b = jv_object_set(b, jv_string("certificates"), jv_number(certs));
		b = jv_object_set(b, jv_string("mwh"), jv_number(mwh));
		b = jv_object_set(b, jv_string("vintage"), jv_string(vintage));
		b = jv_object_set(b, jv_string("eligibilities"), split_tags(row, k_elig));
		b = jv_object_set(b, jv_string("status"), jv_string(status ? status : "active"));
	}
out:
	free(serial);
	free(registry);
	free(vin);
	free(num);
	free(st);
	free(status);
	jv_free(row);
	if (rc) {
		jv_free(b);
		return rc;
	}
	*out = b;
	return 0;
}
