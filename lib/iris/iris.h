/* iris.h: Elexon IRIS, GB balancing-market data pushed over AMQP 1.0
 * (elexon.md), stored as one JSON file per message and read back as records.
 *
 * The spool layout is the official clients': ROOT/<DATASET>/<message-id>,
 * each file the decoded JSON array of the message. A message is accepted
 * only after its file is durably on disk (DESIGN.md section 8), so a crash
 * at any point loses nothing; a redelivered message whose identical file is
 * already there is accepted without writing, so nothing is duplicated.
 *
 * Ownership: functions taking a jv consume it; strings returned through
 * char ** are malloc'd and belong to the caller.
 */
#ifndef IRIS_H
#define IRIS_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>
#include <jq.h>

struct wp_err;
struct wp_http;
struct wp_writer;

#define IRIS_NAME_MAX 200     /* file names, bytes */
#define IRIS_DATASET_MAX 32
#define IRIS_REJECTED "rejected"  /* folder for bodies that are not JSON */

/* ---- spool: durable, idempotent file store (store.c) */

#define IRIS_DIRTY_MAX 16

struct iris_store {
	char *root;
	int rootfd;
	int lockfd;                /* -1 when not locked */
	unsigned long seq;         /* makes temp names unique within a process */
	/* With defer_sync, iris_store_put leaves the folder fsync to
	 * iris_store_sync, so a batch of files costs one per folder. */
	int defer_sync;
	int ndirty;
	char dirty[IRIS_DIRTY_MAX][IRIS_DATASET_MAX];
};
#define IRIS_STORE_INIT { 0, -1, -1, 0, 0, 0, { { 0 } } }

enum iris_put {
	IRIS_PUT_WRITTEN,          /* new file */
	IRIS_PUT_SAME,             /* identical file already there: nothing written */
	IRIS_PUT_DUP,              /* same name, other bytes: kept as NAME.dupN */
};

/* Open ROOT (created if missing). With lock, take an exclusive flock on
 * ROOT/.lock (one listener per spool: WP_ETEMP if held) and remove temp
 * files a crash left behind. Cannot create or open: WP_ECANTCREAT. */
int iris_store_open(struct iris_store *s, const char *root, int lock,
		    struct wp_err *err);
void iris_store_release(struct iris_store *s);
/* Write buf as ROOT/dir/name durably: temp file (O_EXCL), fsync, rename
 * without replacing, fsync the directory (and ROOT when dir is new); an
 * identical file already there gets its directory fsync'd too, since a
 * crashed writer may have renamed it without. dir and name must be
 * sanitised already (iris_sanitize). *how tells what happened; *path (may
 * be NULL) gets "dir/name" of the file holding the bytes. A failure is
 * WP_ECANTCREAT and leaves no final file written by this call. With
 * defer_sync the file is durable only after iris_store_sync. */
int iris_store_put(struct iris_store *s, const char *dir, const char *name,
		   const void *buf, size_t len, enum iris_put *how,
		   char **path, struct wp_err *err);
/* fsync the folders that deferred puts touched. */
int iris_store_sync(struct iris_store *s, struct wp_err *err);

/* ---- messages: naming and body decoding (msg.c) */

/* Copy s into out (size n) keeping [A-Za-z0-9._-], others become '_', no
 * leading dot, no "..", at most n-1 bytes. Returns 0, or -1 when nothing
 * usable is left (out is then ""). */
int iris_sanitize(const char *s, char *out, size_t n);

/* What the broker tells about a message, for naming. */
struct iris_meta {
	const char *subject;       /* properties.subject or NULL */
	const char *message_id;    /* properties.message-id as text, or NULL */
	time_t enqueued;           /* x-opt-enqueued-time, 0 if absent */
	long long seq;             /* x-opt-sequence-number, -1 if absent */
};

/* Dataset folder and file name for a message (elexon.md 3): dataset =
 * subject, else the first record's "dataset", else "unknown"; name = the
 * sanitised message-id (".json" appended when missing), else
 * DATASET_<yyyymmddHHMM enqueued>_<seq>.json, stable across redeliveries.
 * records may be jv_invalid() (body not JSON); it is not consumed. */
void iris_name(const struct iris_meta *m, const jv *records,
	       char dataset[IRIS_DATASET_MAX], char name[IRIS_NAME_MAX + 8]);

/* Decode a body: drop a UTF-8 BOM, parse, and when the result is a JSON
 * string (the double encoding IRIS uses) parse its content. An array or an
 * object is accepted: *text and *tlen point at the inner JSON to store (inside
 * buf, or in *owned, malloc'd, which the caller frees), *records is always
 * an array. Anything else is WP_EDATA saying why. */
int iris_body_decode(const char *buf, size_t len, const char **text,
		     size_t *tlen, char **owned, jv *records, struct wp_err *err);

/* A stored record as output: r (consumed) with "dataset" added when it
 * has none and "message_id" (the file name); a non-object becomes
 * {"value": r}. */
jv iris_record(jv r, const char *dataset, const char *message_id);
/* Every record of the array (consumed) through iris_record to w. */
int iris_write_records(struct wp_writer *w, const char *dataset, const char *message_id,
		       jv records, struct wp_err *err);

/* ---- Entra ID token (token.c) */

/* POST grant_type=client_credentials to url (the tenant's
 * /oauth2/v2.0/token) for scope https://servicebus.azure.net/.default.
 * *token is malloc'd (wipe and free it), *expires_in in seconds. A refused
 * secret is WP_EPERM naming Entra's error; network trouble WP_ETEMP. */
int iris_token_fetch(struct wp_http *h, const char *url, const char *client_id,
		     const char *secret, char **token, double *expires_in,
		     struct wp_err *err);

/* ---- listener (listen.c) */

struct iris_listener;

struct iris_listen_opts {
	const char *url;           /* amqps://HOST[:5671] or amqp://HOST:PORT */
	const char *hostname;      /* AMQP open.hostname and TLS SNI (the FQDN) */
	const char *audience;      /* sb://NS.servicebus.windows.net/QUEUE */
	const char *queue;         /* AMQP source address */
	const char *cacert;        /* extra CA file, or NULL */
	int credit;                /* deliveries in flight (default 5) */
	int once;                  /* drain what is queued, then return */
	double idle_s;             /* --once: this long with nothing new = drained */
	int retries;               /* --once: connection attempts before WP_ETEMP */
	double backoff_s, backoff_max_s;
	struct iris_store *store;
	/* A fresh token; called at connect and before expiry. */
	int (*token)(void *ctx, char **tok, double *expires_in, struct wp_err *err);
	/* A message durably stored (not called for a redelivered one already
	 * on disk); consumes records. A failure stops the listener. */
	int (*emit)(void *ctx, const char *dataset, const char *message_id,
		    jv records, struct wp_err *err);
	/* Notices: reconnects, rejected bodies, duplicates kept. */
	void (*note)(void *ctx, const char *msg);
	void *ctx;
	FILE *trace;               /* -v: AMQP events, or NULL */
};
#define IRIS_LISTEN_OPTS_INIT { 0, 0, 0, 0, 0, 5, 0, 2.0, 3, 1.0, 60.0, \
				0, 0, 0, 0, 0, 0 }

struct iris_listen_stats {
	long received, written, same, dups, rejected, released;
	long connects, put_tokens;
	double *lat_ms;            /* receive-to-accept latencies (the last 65536) */
	long nlat, caplat;
};

int iris_listener_new(struct iris_listener **l, const struct iris_listen_opts *o,
		      struct wp_err *err);
/* Run until --once drains, iris_listener_stop, or a fatal error: bad
 * secret or refused token (WP_EPERM), a file that cannot be written
 * (WP_ECANTCREAT; that message is released, not accepted), --once and the
 * broker unreachable after the retries (WP_ETEMP). */
int iris_listener_run(struct iris_listener *l, struct iris_listen_stats *st,
		      struct wp_err *err);
/* Ask run() to finish the message in hand, release the others, close and
 * return 0. Thread-safe (call it from a signal-waiting thread). */
void iris_listener_stop(struct iris_listener *l);
void iris_listener_free(struct iris_listener *l);
void iris_listen_stats_release(struct iris_listen_stats *st);
/* Percentile p (0..100) of the latencies, 0 when none. */
double iris_listen_stats_pct(const struct iris_listen_stats *st, double p);

/* ---- stored files as records (records.c) */

struct iris_scan {
	const char *dataset;       /* one folder, or NULL = all */
	time_t from, to;           /* file-name time in [from, to); 0 = open */
	struct timespec after;     /* only files changed after this (checkpoint) */
	struct timespec until;     /* ... and not after this; 0 = no bound */
};

/* For every stored *.json file matching q (datasets and names in order),
 * call fn with its dataset, file name and records (consumed). A file that
 * is not a JSON array/object is WP_EDATA naming it. A non-zero return
 * of fn stops the scan and is returned. */
int iris_scan_files(const char *root, const struct iris_scan *q,
		    int (*fn)(void *ctx, const char *dataset, const char *name,
			      jv records, struct wp_err *err),
		    void *ctx, struct wp_err *err);
/* The time in a file name: DATASET_yyyymmddHHMM_... -> UTC; -1 if none. */
time_t iris_name_time(const char *name);

/* Checkpoint: a change-time watermark kept in a file (written durably). */
int iris_checkpoint_read(const char *path, struct timespec *ts, struct wp_err *err);
int iris_checkpoint_write(const char *path, struct timespec ts, struct wp_err *err);

/* ---- Insights REST back-fill (backfill.c) */

struct iris_backfill {
	const char *base_url;      /* https://data.elexon.co.uk/bmrs/api/v1 */
	const char *dataset;
	time_t from, to;
	struct iris_store *store;
	struct wp_http *http;
	int (*emit)(void *ctx, const char *dataset, const char *message_id,
		    jv records, struct wp_err *err);
	void *ctx;
	long files_written, files_skipped, rows;
};

/* The Insights time parameters and window cap (seconds, 0 = none) for a
 * dataset; WP_EUSAGE for one the back-fill does not know. */
int iris_api_dataset(const char *dataset, const char **from_param,
		     const char **to_param, long *cap_s, struct wp_err *err);
/* Fetch [from, to) in windows of at most the dataset's cap (1 day when
 * none), one file per window DATASET_<from>_api-<to>.json; windows whose
 * file exists are skipped without a request. */
int iris_backfill_run(struct iris_backfill *b, struct wp_err *err);

#endif
