/* grid.h: MATPOWER cases, the DC network model, PTDF and LMP decomposition
 * (facts and formulas: shared/api/lmp.md).
 *
 * Ownership: every struct here owns its arrays and frees them in its
 * _release function; a grid_net keeps no pointer into the grid_case it was
 * built from, a grid_ptdf keeps a pointer to its grid_net (which must
 * outlive it). Indices are 0-based internally; records and messages use
 * the external bus numbers and 1-based case-file branch rows.
 */
#ifndef GRID_H
#define GRID_H

#include "wp.h"

/* ---- case file (MATPOWER version 1 or 2 .m text) ---------------------- */

/* One matrix as read: nr rows of nc columns, row-major, with the line of
 * each row (and of the assignment) for messages. */
struct grid_mat {
	int nr, nc;
	double *v;
	long *line;
	long line0;
};
#define GRID_MAT_INIT { 0, 0, NULL, NULL, 0 }
#define GRID_AT(m, r, c) ((m)->v[(size_t)(r) * (m)->nc + (c)])

struct grid_case {
	char *path;                 /* as given; prefixes messages */
	int version;                /* 1 or 2 */
	double base_mva;
	struct grid_mat bus, gen, branch, gencost;
	char skipped[256];          /* fields read past: "bus_name, dcline" */
};
#define GRID_CASE_INIT { NULL, 0, 0, GRID_MAT_INIT, GRID_MAT_INIT, GRID_MAT_INIT, GRID_MAT_INIT, { 0 } }

/* MATPOWER column numbers (1-based, as in the format's documentation). */
enum { BUS_I = 1, BUS_TYPE = 2, PD = 3, GS = 5, LAM_P = 14 };
enum { GEN_BUS = 1, PG = 2, GEN_STATUS = 8, PMAX = 9, PMIN = 10 };
enum { F_BUS = 1, T_BUS = 2, BR_R = 3, BR_X = 4, RATE_A = 6, TAP = 9, SHIFT = 10,
       BR_STATUS = 11, PF = 14, MU_SF = 18, MU_ST = 19 };
enum { BUS_PQ = 1, BUS_PV = 2, BUS_REF = 3, BUS_ISOLATED = 4 };

/* Parse text (len bytes) as the case file `path`. Malformed text is
 * WP_EDATA "PATH:LINE: what"; statements the reader does not model
 * (indexed assignments, expressions, other versions) are WP_EDATA naming
 * them. Unused fields (bus_name, areas, dcline, ...) are skipped and listed
 * in c->skipped. */
int grid_case_parse(struct grid_case *c, const char *path, const char *text, size_t len,
		    struct wp_err *err);
/* Read and parse a file; a missing file is WP_ENOINPUT. */
int grid_case_load(struct grid_case *c, const char *path, struct wp_err *err);
void grid_case_release(struct grid_case *c);

/* ---- DC network model ------------------------------------------------- */

struct grid_net {
	double base_mva;
	int nb;                     /* in-service buses (type 4 dropped) */
	long *bus_id;               /* external numbers, case order */
	double *pd, *gs;            /* MW */
	int ref;                    /* internal index of the reference bus */
	int nl;                     /* in-service branches */
	int *f, *t;                 /* internal bus indices */
	double *b;                  /* 1 / (x * tap), pu */
	double *phi;                /* phase shift, radians */
	double *r;                  /* resistance, pu (loss factors only) */
	int *row;                   /* 1-based case branch row of each branch */
	int nrows;                  /* branch rows in the case */
	int *of_row;                /* case row - 1 -> branch index, or -1 (out) */
	int *sorted;                /* bus indices sorted by bus_id, for lookups */
};
#define GRID_NET_INIT { 0 }

/* Build the DC model: drop out-of-service branches and type-4 buses, map
 * bus numbers, b = 1/(x*tap), shifts in radians. WP_EDATA naming the
 * case line for an unknown or duplicate bus, zero reactance, a branch to
 * itself, no reference bus, and for islands not connected to the
 * reference bus (naming their buses). */
int grid_net_build(struct grid_net *n, const struct grid_case *c, struct wp_err *err);
/* Internal index of external bus `id`, or -1. */
int grid_net_bus(const struct grid_net *n, long id);
/* Branches between buses a and b (either direction) into out[max];
 * returns how many there are (may exceed max). */
int grid_net_branches_between(const struct grid_net *n, int a, int b, int *out, int max);
/* A branch by its 1-based case row, or by its end buses (external numbers,
 * either direction; parallel branches are ambiguous): WP_EDATA naming what
 * is wrong (unknown, out of service, ambiguous). */
int grid_net_branch_by_row(const struct grid_net *n, long row, int *l, struct wp_err *err);
int grid_net_branch_by_ends(const struct grid_net *n, long from, long to, int *l,
			    struct wp_err *err);
/* Comma lists from a command line, appended to *out (realloc'd, *k items):
 * branches as ROW or FROM-TO, buses as external numbers. WP_EDATA. */
int grid_net_parse_branches(const struct grid_net *n, const char *list, int **out, int *k,
			    struct wp_err *err);
int grid_net_parse_buses(const struct grid_net *n, const char *list, int **out, int *k,
			 struct wp_err *err);
/* Phase-shifter injections in pu: Pbusinj = Cft' * (-b .* phi), nb values. */
void grid_net_shift_injections(const struct grid_net *n, double *pbusinj);
void grid_net_release(struct grid_net *n);

/* ---- PTDF -------------------------------------------------------------- */

/* A factorised reduced B matrix (reference bus removed; KLU, so negative
 * reactances are fine) and the slack weights. Rows and columns of the PTDF
 * are computed on demand, one sparse solve each. */
struct grid_ptdf {
	const struct grid_net *net;
	int n;                      /* nb - 1 */
	int *red;                   /* bus -> reduced index, -1 for the reference */
	double *w;                  /* normalised slack weights (nb) or NULL = ref */
	double *hw;                 /* H_ref * w (nl), computed when first needed */
	int *ap, *ai;
	double *ax;
	void *sym, *num, *common;   /* klu objects */
};
#define GRID_PTDF_INIT { 0 }

/* weights: nb values >= 0 (not all 0) for a distributed slack, or NULL for
 * the reference bus. */
int grid_ptdf_init(struct grid_ptdf *p, const struct grid_net *net, const double *weights,
		   struct wp_err *err);
/* PTDF rows of the k branches br[] into out (k x nb, row-major). */
int grid_ptdf_rows(struct grid_ptdf *p, const int *br, int k, double *out, struct wp_err *err);
/* PTDF columns of the k buses bus[] into out (k x nl: column j contiguous). */
int grid_ptdf_cols(struct grid_ptdf *p, const int *bus, int k, double *out, struct wp_err *err);
/* DC power flow with the same factor: theta from Bbus*theta = P - Pbusinj
 * - GS with P the bus injections in MW (nb values; any mismatch lands on
 * the reference bus, theta_ref = 0), then branch flows Bf*theta + Pfinj in
 * MW (nl values). Phase shifters act here, never on the PTDF. */
int grid_ptdf_flows(struct grid_ptdf *p, const double *p_mw, double *flow_mw,
		    struct wp_err *err);
void grid_ptdf_release(struct grid_ptdf *p);

/* What grid-ptdf writes: chosen branches (NULL = all in service) by chosen
 * buses (NULL = all), as records (branch, from_bus, to_bus, bus, ptdf) to
 * w, or as a CSV matrix to wide (header branch,from_bus,to_bus,BUS...).
 * digits: significant digits (1..17), or 0 for the shortest exact text. */
struct grid_ptdf_out {
	const int *br;
	int nbr;
	const int *bus;
	int nbus;
	FILE *wide;
	struct wp_writer *w;
	int digits;
};
int grid_ptdf_write(struct grid_ptdf *p, const struct grid_ptdf_out *o, struct wp_err *err);

/* Slack specification for a command line: "ref", "load" (weights = PD > 0),
 * a bus number, or "BUS=W,BUS=W,...". *weights is NULL for the reference
 * bus, else malloc'd (nb). WP_EUSAGE naming what is wrong. */
int grid_slack_parse(const struct grid_net *n, const char *spec, double **weights,
		     struct wp_err *err);

/* A case, its DC model and the PTDF factor for a slack spec (as
 * grid_slack_parse): what both commands start from. */
struct grid_model {
	struct grid_case c;
	struct grid_net net;
	struct grid_ptdf p;
};
#define GRID_MODEL_INIT { .c = GRID_CASE_INIT }
int grid_model_open(struct grid_model *m, const char *path, const char *slack,
		    struct wp_err *err);
void grid_model_release(struct grid_model *m);

/* ---- LMP decomposition ------------------------------------------------- */

/* A binding constraint: branch index and its dual mu = MU_SF - MU_ST ($/MW). */
struct grid_binding {
	int br;
	double mu;
};

/* Model mode: congestion_i = -sum_l H[l,i]*mu_l for every bus (nb values);
 * contrib (k x nb, may be NULL) gets each constraint's term. */
int grid_lmp_congestion(struct grid_ptdf *p, const struct grid_binding *c, int k,
			double *congestion, double *contrib, struct wp_err *err);

/* Least-squares shadow prices: given the PTDF rows h (k x nb) of k
 * candidate constraints, find mu (k) and an offset c0 (the energy
 * reference's share) minimising sum_i (congestion_i - (c0 - sum_l
 * H[l,bus_i]*mu_l))^2 over m observed nodes. rms is the residual's root
 * mean square. m must exceed k (WP_EDATA). */
int grid_mu_estimate(const double *h, int nb, const int *bus, const double *congestion, int m,
		     int k, double *mu, double *c0, double *rms, struct wp_err *err);

/* ---- lmp-decompose on records (decompose.c) ------------------------------ */

/* Output columns of each mode, NULL-terminated, for CSV and tables. */
extern const char *const grid_cols_model[], *const grid_cols_constraint[],
	*const grid_cols_market[], *const grid_cols_market_hub[], *const grid_cols_estimate[];

/* What to do with a bad input record (rc WP_EDATA, err says where): return
 * 0 to skip it (--keep-going) or rc to stop. */
typedef int (*grid_bad_fn)(void *ctx, int rc, struct wp_err *err);

/* Shadow-price records -> binding constraints (*out malloc'd, *k of them).
 * A record names its branch by `branch` (case row) or `from`/`to` (also
 * `from_bus`/`to_bus`) and its price by `mu`, or `mu_sf` and `mu_st` (mu =
 * mu_sf - mu_st). Zero prices are skipped; an unknown, out-of-service (with
 * mu != 0), ambiguous or repeated branch is WP_EDATA "SRC:LINE: ...". */
int grid_read_bindings(const struct grid_net *n, struct wp_reader *r, const char *src,
		       grid_bad_fn bad, void *ctx, struct grid_binding **out, int *k,
		       struct wp_err *err);
/* Marginal loss factors from records (bus, lf) into lf (nb values; buses
 * not given get 0). An unknown bus, or a second factor for one, is
 * WP_EDATA "SRC:LINE: ...". */
int grid_read_loss_factors(const struct grid_net *n, struct wp_reader *r, const char *src,
			   double *lf, struct wp_err *err);
/* Model mode: a record per bus (bus, lmp, energy = lambda, congestion,
 * loss = -lambda * lf or 0 when lf is NULL, top_branch, top_contribution)
 * or, by_constraint, per bus and constraint (bus, branch, from_bus, to_bus,
 * mu, ptdf, contribution). */
int grid_decompose_model(struct grid_ptdf *p, double lambda, const double *lf,
			 const struct grid_binding *c, int k, int by_constraint,
			 struct wp_writer *w, struct wp_err *err);

/* Location name -> internal bus, from records (location, bus). */
struct grid_map_entry {
	char *loc;
	int bus;
};
struct grid_map {
	struct grid_map_entry *e;
	int n;
};
#define GRID_MAP_INIT { NULL, 0 }
int grid_map_read(struct grid_map *m, const struct grid_net *n, struct wp_reader *r,
		  const char *src, struct wp_err *err);
int grid_map_find(const struct grid_map *m, const char *loc); /* -1 if absent */
void grid_map_release(struct grid_map *m);

/* Market mode over price-schema records, one interval (iso, market, run,
 * interval_start_utc; input in the schema's order) at a time. Without p:
 * per record shares, congestion rank and, with hub, the basis to it. With
 * p, map and the PTDF rows h (k x nb) of the candidate branches br: per
 * interval and candidate, mu by least squares with its residual. */
struct grid_market {
	const char *src;            /* input name for messages */
	const char *hub;            /* location or location_id, or NULL */
	struct grid_ptdf *p;        /* estimate mode when not NULL */
	const struct grid_map *map;
	const int *br;
	const double *h;
	int k;
	grid_bad_fn bad;
	void *ctx;
};
int grid_market_run(const struct grid_market *o, struct wp_reader *r, struct wp_writer *w,
		    struct wp_err *err);

#endif
