/* msg.c: what a message becomes on disk: its folder, its file name, and
 * the JSON inside its (usually double-encoded) body. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wp.h"
#include "iris/iris.h"

int iris_sanitize(const char *s, char *out, size_t n)
{
	size_t i = 0;

	for (; s && *s && i + 1 < n; s++) {
		char c = *s;

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			c = '_';
		/* No hidden files, no "..": a name never leaves its folder. */
		if (c == '.' && (i == 0 || out[i - 1] == '.'))
			c = '_';
		out[i++] = c;
	}
	out[i] = '\0';
	return i ? 0 : -1;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

void iris_name(const struct iris_meta *m, const jv *records,
	       char dataset[IRIS_DATASET_MAX], char name[IRIS_NAME_MAX + 8])
{
	int have = m->subject && iris_sanitize(m->subject, dataset, IRIS_DATASET_MAX) == 0;

	if (!have && records && jv_get_kind(*records) == JV_KIND_ARRAY) {
		/* Any JSON may arrive: libjq aborts on a lookup in a non-object. */
		jv first = jv_array_get(jv_copy(*records), 0);
		jv ds = jv_get_kind(first) == JV_KIND_OBJECT
				? jv_object_get(first, jv_string("dataset"))
				: (jv_free(first), jv_invalid());

		if (jv_get_kind(ds) == JV_KIND_STRING)
			have = iris_sanitize(jv_string_value(ds), dataset,
					     IRIS_DATASET_MAX) == 0;
		jv_free(ds);
	}
	if (!have)
		strcpy(dataset, "unknown");
	/* Datasets are folders next to rejected/ and dot files: keep them
	 * free of dots. */
	for (char *p = dataset; *p; p++)
		if (*p == '.')
			*p = '_';

	if (m->message_id && iris_sanitize(m->message_id, name, IRIS_NAME_MAX + 1) == 0) {
		if (!ends_with(name, ".json"))
			strcat(name, ".json");
		return;
	}
	/* No id: enqueued time and sequence number are the broker's, so the
	 * name is the same on every redelivery. */
	char when[16] = "000000000000";
	struct tm tm;

	if (m->enqueued > 0 && gmtime_r(&m->enqueued, &tm))
		strftime(when, sizeof when, "%Y%m%d%H%M", &tm);
	snprintf(name, IRIS_NAME_MAX + 8, "%s_%s_%lld.json", dataset, when,
		 m->seq >= 0 ? m->seq : 0);
}

static int why(jv v, const char *what, struct wp_err *err)
{
	jv msg = jv_invalid_get_msg(v);
	int rc = wp_err_set(err, WP_EDATA, "%s: %s", what,
			    jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg)
							       : "not JSON");

	jv_free(msg);
	return rc;
}

int iris_body_decode(const char *buf, size_t len, const char **text,
		     size_t *tlen, char **owned, jv *records, struct wp_err *err)
{
	jv v;

	*owned = NULL;
	*records = jv_invalid();
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		buf += 3, len -= 3;
	if (len > (size_t)1 << 30)
		return wp_err_set(err, WP_EDATA, "body of %zu bytes is too large", len);
	*text = buf;
	*tlen = len;
	v = jv_parse_sized(buf, (int)len);
	if (!jv_is_valid(v))
		return why(v, "body is not JSON", err);
	if (jv_get_kind(v) == JV_KIND_STRING) {
		/* One more layer: the string holds the JSON text to store. */
		size_t n = (size_t)jv_string_length_bytes(jv_copy(v));

		if (!(*owned = malloc(n + 1))) {
			jv_free(v);
			return wp_err_set(err, WP_EINTERNAL, "out of memory");
		}
		memcpy(*owned, jv_string_value(v), n + 1);
		jv_free(v);
		*text = *owned;
		*tlen = n;
		if (n >= 3 && memcmp(*owned, "\xEF\xBB\xBF", 3) == 0)
			*text += 3, *tlen -= 3;
		v = jv_parse_sized(*text, (int)*tlen);
		if (!jv_is_valid(v)) {
			free(*owned);
			*owned = NULL;
			return why(v, "body string is not JSON", err);
		}
	}
	switch (jv_get_kind(v)) {
	case JV_KIND_ARRAY:
		*records = v;
		return 0;
	case JV_KIND_OBJECT:
		*records = jv_array_append(jv_array(), v);
		return 0;
	default:
		jv_free(v);
		free(*owned);
		*owned = NULL;
		return wp_err_set(err, WP_EDATA, "body is JSON but neither an array nor an object");
	}
}

jv iris_record(jv r, const char *dataset, const char *message_id)
{
	if (jv_get_kind(r) != JV_KIND_OBJECT)
		r = jv_object_set(jv_object(), jv_string("value"), r);
	if (!jv_object_has(jv_copy(r), jv_string("dataset")))
		r = jv_object_set(r, jv_string("dataset"), jv_string(dataset));
	return jv_object_set(r, jv_string("message_id"), jv_string(message_id));
}

int iris_write_records(struct wp_writer *w, const char *dataset, const char *message_id,
		       jv records, struct wp_err *err)
{
	int rc = 0;

	jv_array_foreach(records, i, r) {
		if (!rc)
			rc = wp_writer_put(w, iris_record(r, dataset, message_id), err);
		else
			jv_free(r);
	}
	jv_free(records);
	return rc;
}
