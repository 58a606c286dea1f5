/* mrets.h: the M-RETS REC API client (api/rec.md section 9). */
#ifndef CERTS_MRETS_H
#define CERTS_MRETS_H

#include "wp.h"
#include "certs/certs.h"

#define CERT_MRETS_BASE "https://app.mrets.org/v1/public/rec"

struct cert_mrets {
	struct wp_http http;   /* rate limit 10 requests per 5 s, shared as "mrets" */
	const char *base;      /* API root, no trailing '/' */
	char *key;             /* X-Api-Key; wiped by cert_mrets_close */
	const struct cert_retirement *retirement; /* cert_mrets_file: a retirement, */
	const char *to_account;                   /* or a transfer to this account */
	char *journal_path;    /* every write and its answer, NDJSON, fsync'd */
	FILE *journal;         /* opened at the first write */
	char journal_prev[65]; /* SHA-256 of the journal's last line */
	struct cert_remote remote; /* { cert_mrets_file, this }, for the moves */
	int open;
};
#define CERT_MRETS_INIT { .open = 0 }

/* Key from --secret-file > MRETS_API_KEY > [rec] api_key; base from
 * --base-url > MRETS_BASE_URL > [rec] base_url > CERT_MRETS_BASE. Writes
 * are journalled (api/rec.md section 8) to [rec] journal, default
 * $XDG_STATE_HOME/wattpipe/rec-journal.ndjson: one line before each
 * request and one after, with the previous line's SHA-256; never the key. */
int cert_mrets_open(struct cert_mrets *m, struct wp_cli *cli, struct wp_err *err);
void cert_mrets_close(struct cert_mrets *m);
/* Every quantity of status (NULL: active), of account when not NULL, as
 * ledger batch records, following links.next. */
int cert_mrets_holdings(struct cert_mrets *m, const char *account, const char *status,
			cert_emit_fn emit, void *ctx, struct wp_err *err);
/* A struct cert_remote fn (certs.h) for cert_retire and cert_transfer:
 * files the moved pieces as one M-RETS user transaction ("retirement"
 * when .retirement is set, else "internal transfer" to .to_account): a
 * draft, one transaction detail per range, then enqueue. ctx is the
 * struct cert_mrets. */
int cert_mrets_file(void *ctx, jv pieces, jv *receipt, struct wp_err *err);

#endif
