/* pjm.h: PJM Data Miner 2 (shared/api/pjm.md) as price records.
 *
 * pjm_lmp_fetch plans the requests for a query (feed, UTC window, archive
 * split, paging), sends them through the core HTTP layer and streams each
 * page's rows, mapped to the shared price record, to a writer. Nothing is
 * written from a page that failed: a page is parsed and checked whole
 * before any of its rows go out.
 *
 * Ownership: a struct pjm_query owns its strings (pjm_query_release frees
 * them); a struct pjm_client borrows everything it points to. Functions
 * taking a jv consume it.
 */
#ifndef PJM_H
#define PJM_H

#include <time.h>

#include "wp.h"

/* One price feed and how its rows map to the record. */
struct pjm_feed {
	const char *market;     /* command-line name: "da", "rt", "rt5" */
	int prelim;             /* unverified feed */
	const char *feed;       /* "da_hrl_lmps" */
	const char *rec_market; /* "DA", "RTH", "RT5" */
	const char *suffix;     /* "da" or "rt": total_lmp_<suffix> */
	int minutes;            /* interval length */
	int versioned;          /* rows carry row_is_current / version_nbr */
	int type_filter;        /* the feed accepts type= (else filtered locally) */
	int archived;           /* may have archived ranges (read /metadata) */
};

/* The feed for market ("da", "rt", "rt5") and prelim, or WP_EUSAGE. */
int pjm_feed_find(const char *market, int prelim, const struct pjm_feed **out,
		  struct wp_err *err);

/* --type word (hub, zone, gen, ...; any case) -> PJM's upper-case type. */
int pjm_type_parse(const char *s, const char **out, struct wp_err *err);
/* PJM type -> the record's location_type (HUB, ZONE, NODE, AGGREGATE,
 * INTERFACE); unknown types count as NODE. */
const char *pjm_location_type(const char *pjm_type);

/* A stretch of delivery days sent as one query (before paging). */
struct pjm_segment {
	struct wp_date from, to; /* inclusive, EPT delivery days */
	int archived;
};

/* Split [from, to] for a feed archived after cutoff_days (0 = never):
 * days before today - cutoff_days are archived and split at year ends;
 * the rest is split into spans under 366 days. *seg is malloc'd. */
int pjm_plan(struct wp_date from, struct wp_date to, struct wp_date today,
	     int cutoff_days, struct pjm_segment **seg, int *n, struct wp_err *err);

/* "MM/DD/YYYY HH:MMtoMM/DD/YYYY HH:MM" for UTC [start, end): both ends
 * inclusive on PJM's side, so the end sent is end - 1 minute. */
void pjm_window(time_t start, time_t end, char buf[64]);

struct pjm_query {
	const struct pjm_feed *feed;
	struct wp_date from, to;
	char **nodes;           /* pnode ids (digits) after name resolution */
	int nnodes;
	const char *type;       /* PJM type or NULL */
	int archive_all;        /* archived ranges: fetch all nodes, filter here */
	long page_rows;         /* rowCount, at most 50000 */
	time_t now;             /* "today" for the archive cutoff */
};
#define PJM_QUERY_INIT { 0, { 0, 0, 0 }, { 0, 0, 0 }, 0, 0, 0, 0, 50000, 0 }
void pjm_query_release(struct pjm_query *q);

struct pjm_client {
	struct wp_http *http;
	const char *base;       /* API root, ".../api/v1" */
	const char *key;        /* sent only as Ocp-Apim-Subscription-Key */
	const struct wp_tz *tz; /* America/New_York */
	long page_rows;         /* rowCount for the pnode list */
	FILE *progress;         /* wp_progress stream or NULL */
	const char *prog;
	/* notices for the user ("archived range: ..."), or NULL */
	void (*note)(void *ctx, const char *msg);
	void *note_ctx;
};

/* Map one Data Miner row to a price record; WP_EPROTO when a time or the
 * node is missing or malformed. *start gets the interval start. */
int pjm_row_to_record(const struct pjm_feed *f, const struct wp_tz *tz, jv row,
		      jv *rec, time_t *start, struct wp_err *err);

/* Fetch q and write price records to w, ordered by interval start, then
 * location; one record per key, the newest version_nbr winning. */
int pjm_lmp_fetch(struct pjm_client *c, const struct pjm_query *q,
		  struct wp_writer *w, struct wp_err *err);

/* Pricing nodes (the pnode feed), newest row per id, ordered by id. */
struct pjm_nodes_query {
	const char *type;       /* PJM type or NULL */
	const char *name;       /* pattern with * wildcards or NULL */
	const char *zone;
	int all;                /* include terminated nodes */
	long page_rows;
};
#define PJM_NODES_QUERY_INIT { 0, 0, 0, 0, 50000 }
int pjm_nodes_fetch(struct pjm_client *c, const struct pjm_nodes_query *q,
		    struct wp_writer *w, struct wp_err *err);

/* Turn --node values (ids or names, any case) into ids, reading the active
 * pnode list (cached 24 h) only when a name is given. ids is malloc'd, each
 * string too (free with pjm_query_release via q->nodes). */
int pjm_nodes_resolve(struct pjm_client *c, const char *const *in, int n,
		      char ***ids, int *nids, struct wp_err *err);

/* ---- the command-line side, shared by pjm-lmp and pjm-nodes ---------- */

#define PJM_TYPE_OPT \
	{ "type", 0, "TYPE", "only nodes of this type: hub, zone, aggregate, gen, load, ...", \
	  WP_COMPLETE_WORDS("hub zone aggregate gen load ehv interface ext tie residual_metered_edc") }

/* Everything a PJM command needs, built from its options, environment and
 * config in an order that reports usage errors (64) before a missing key
 * (78) and both before any request. */
struct pjm_session {
	struct wp_tz *tz;
	char *key;
	char *base;                      /* API root without a trailing '/' */
	struct wp_http http;
	int http_open;
	struct pjm_client c;
	struct pjm_query q;              /* pjm-lmp */
	struct pjm_nodes_query nq;       /* pjm-nodes */
};
#define PJM_SESSION_INIT { .q = PJM_QUERY_INIT, .nq = PJM_NODES_QUERY_INIT }

enum pjm_cmd { PJM_CMD_LMP, PJM_CMD_NODES };
/* now: the current instant ("today" for dates and the archive cutoff). */
int pjm_session_open(struct pjm_session *s, struct wp_cli *cli, enum pjm_cmd cmd,
		     time_t now, struct wp_err *err);
void pjm_session_close(struct pjm_session *s);
/* WATTPIPE_NOW's value (YYYY-MM-DD or RFC 3339) or, when NULL, the clock. */
int pjm_now(const char *s, time_t *now, struct wp_err *err);

#define PJM_COLUMNS_N 17
extern const char *const pjm_price_columns[PJM_COLUMNS_N + 1];
extern const char *const pjm_node_columns[];

#endif
