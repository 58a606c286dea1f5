/* Unit tests for lib/iris: names, body decoding, the durable store. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "wp.h"
#include "iris/iris.h"
#include "tap.h"
#include "fsync-spy.h"

static char *slurp(const char *path)
{
	static char buf[4096];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);

	if (fd >= 0)
		close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.' || (e->d_name[1] && e->d_name[1] != '.');
	if (d)
		closedir(d);
	return n;
}

static void test_sanitize(void)
{
	char out[16];

	iris_sanitize("FREQ_202510271649_66892.json", out, sizeof out);
	is_str(out, "FREQ_2025102716", "long names are cut to the buffer");
	iris_sanitize("../x", out, sizeof out);
	is_str(out, "_._x", "no '..', no leading dot");
	iris_sanitize(".hidden", out, sizeof out);
	is_str(out, "_hidden", "no hidden file");
	iris_sanitize("a/b c\\d", out, sizeof out);
	is_str(out, "a_b_c_d", "separators replaced");
	iris_sanitize("a...b", out, sizeof out);
	is_str(out, "a._.b", "dot runs broken up");
	is_int(iris_sanitize("", out, sizeof out), -1, "empty is unusable");
}

static void test_name(void)
{
	char ds[IRIS_DATASET_MAX], name[IRIS_NAME_MAX + 8];
	struct iris_meta m = { "FREQ", "FREQ_202510271649_66892.json", 0, -1 };
	jv recs = jv_parse("[{\"dataset\":\"BOALF\"}]");

	iris_name(&m, &recs, ds, name);
	is_str(ds, "FREQ", "dataset from subject");
	is_str(name, "FREQ_202510271649_66892.json", "name is the message id");
	m.subject = NULL;
	m.message_id = "BOALF_1";
	iris_name(&m, &recs, ds, name);
	is_str(ds, "BOALF", "dataset from the first record");
	is_str(name, "BOALF_1.json", ".json appended");
	m.message_id = NULL;
	m.enqueued = 1761583740; /* 2025-10-27T16:49:00Z */
	m.seq = 4242;
	iris_name(&m, &recs, ds, name);
	is_str(name, "BOALF_202510271649_4242.json", "fallback from enqueued time and sequence");
	jv_free(recs);
	recs = jv_parse("[50.01, {\"dataset\":\"FREQ\"}]");
	iris_name(&m, &recs, ds, name);
	is_str(ds, "unknown", "no subject, first record not an object: unknown");
	jv_free(recs);
	recs = jv_invalid();
	iris_name(&m, &recs, ds, name);
	is_str(ds, "unknown", "no subject, no records: unknown");
	m.subject = "a.b";
	iris_name(&m, &recs, ds, name);
	is_str(ds, "a_b", "no dots in dataset folders");
}

static void test_decode(void)
{
	const char *text;
	size_t n;
	char *owned;
	jv recs;
	struct wp_err err = WP_ERR_INIT;
	static const char dbl[] = "\"[{\\\"dataset\\\":\\\"FREQ\\\",\\\"frequency\\\":50.01}]\"";
	static const char bom[] = "\xEF\xBB\xBF[{\"dataset\":\"FREQ\"},{\"dataset\":\"FREQ\"}]";

	is_int(iris_body_decode(dbl, sizeof dbl - 1, &text, &n, &owned, &recs, &err), 0,
	       "double-encoded body");
	is_str(owned, "[{\"dataset\":\"FREQ\",\"frequency\":50.01}]", "inner JSON kept as sent");
	ok(text == owned && n == strlen(owned), "text points at the inner JSON");
	is_int(jv_array_length(recs), 1, "one record");
	free(owned);
	is_int(iris_body_decode(bom, sizeof bom - 1, &text, &n, &owned, &recs, &err), 0,
	       "BOM, single encoding");
	ok(owned == NULL && text == bom + 3 && n == sizeof bom - 4, "stored without the BOM");
	is_int(jv_array_length(recs), 2, "two records");
	is_int(iris_body_decode("{\"dataset\":\"REMIT\"}", 19, &text, &n, &owned, &recs, &err), 0,
	       "object body");
	is_int(jv_array_length(recs), 1, "an object is one record");
	is_int(iris_body_decode("not json", 8, &text, &n, &owned, &recs, &err), WP_EDATA,
	       "not JSON: 65");
	ok(strstr(err.msg, "not JSON") != NULL, "message says not JSON");
	is_int(iris_body_decode("\"also not\"", 10, &text, &n, &owned, &recs, &err), WP_EDATA,
	       "a string that is not JSON");
	is_int(iris_body_decode("42", 2, &text, &n, &owned, &recs, &err), WP_EDATA,
	       "a number is not a message");
	ok(owned == NULL && !jv_is_valid(recs), "nothing to free after a failure");
}

static void test_store(void)
{
	char root[] = "/tmp/iris-unit.XXXXXX", path[256], *where = NULL;
	struct iris_store s = IRIS_STORE_INIT, s2 = IRIS_STORE_INIT;
	struct wp_err err = WP_ERR_INIT;
	enum iris_put how;

	if (!mkdtemp(root))
		return;
	snprintf(path, sizeof path, "%s/spool", root);
	is_int(iris_store_open(&s, path, 1, &err), 0, "open creates the root and locks it");
	ok(was_synced(root), "a new root's entry is synced into its parent");
	is_int(iris_store_open(&s2, path, 1, &err), WP_ETEMP, "a second listener is refused");
	is_int(iris_store_put(&s, "FREQ", "a.json", "[1]", 3, &how, &where, &err), 0, "put");
	is_int(how, IRIS_PUT_WRITTEN, "written");
	is_str(where, "FREQ/a.json", "path reported");
	free(where);
	snprintf(path, sizeof path, "%s/spool/FREQ/a.json", root);
	is_str(slurp(path), "[1]", "bytes on disk");
	is_int(iris_store_put(&s, "FREQ", "a.json", "[1]", 3, &how, NULL, &err), 0, "put again");
	is_int(how, IRIS_PUT_SAME, "identical redelivery writes nothing");
	is_int(iris_store_put(&s, "FREQ", "a.json", "[2]", 3, &how, &where, &err), 0, "other bytes");
	is_int(how, IRIS_PUT_DUP, "kept beside");
	is_str(where, "FREQ/a.json.dup1", "as .dup1");
	free(where);
	is_str(slurp(path), "[1]", "the first file is never overwritten");
	is_int(iris_store_put(&s, "FREQ", "a.json", "[2]", 3, &how, NULL, &err), 0, "dup again");
	is_int(how, IRIS_PUT_SAME, "the same duplicate is not kept twice");
	snprintf(path, sizeof path, "%s/spool/FREQ", root);
	is_int(count_entries(path), 2, "no temp files left");
	iris_store_release(&s);

	/* A temp file from a crash goes at the next start. */
	snprintf(path, sizeof path, "%s/spool/FREQ/.b.json.tmp.1.1", root);
	close(open(path, O_CREAT | O_WRONLY, 0644));
	snprintf(path, sizeof path, "%s/spool", root);
	is_int(iris_store_open(&s, path, 1, &err), 0, "reopen");
	snprintf(path, sizeof path, "%s/spool/FREQ/.b.json.tmp.1.1", root);
	ok(access(path, F_OK) != 0, "stale temp file removed");

	/* A file where the folder should be fails even for root. */
	snprintf(path, sizeof path, "%s/spool/MELS", root);
	close(open(path, O_CREAT | O_WRONLY, 0644));
	is_int(iris_store_put(&s, "MELS", "c.json", "[3]", 3, &how, NULL, &err),
	       WP_ECANTCREAT, "cannot create the folder: 73");
	ok(strstr(err.msg, "spool/MELS") != NULL, "message names the folder");
	/* Deferred folder syncs: one per folder, done by iris_store_sync. */
	s.defer_sync = 1;
	iris_store_put(&s, "FREQ", "d.json", "[4]", 3, &how, NULL, &err);
	iris_store_put(&s, "FREQ", "e.json", "[5]", 3, &how, NULL, &err);
	iris_store_put(&s, "BOALF", "f.json", "[6]", 3, &how, NULL, &err);
	is_int(s.ndirty, 2, "two folders to sync");
	is_int(iris_store_sync(&s, &err), 0, "sync");
	is_int(s.ndirty, 0, "nothing left to sync");
	iris_store_put(&s, "FREQ", "d.json", "[4]", 3, &how, NULL, &err);
	is_int(how * 10 + s.ndirty, IRIS_PUT_SAME * 10 + 1,
	       "an identical file found again gets its folder synced too");
	iris_store_release(&s);
	snprintf(path, sizeof path, "rm -rf '%s'", root);
	if (system(path) != 0)
		ok(0, "cleanup");
}

int main(void)
{
	test_sanitize();
	test_name();
	test_decode();
	test_store();
	return done_testing();
}
