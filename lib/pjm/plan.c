/* plan.c: which PJM feed, which type, which requests for a range of days. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pjm/pjm.h"

static const struct pjm_feed feeds[] = {
	/* market prelim feed                       rec    sfx  min ver type arch */
	{ "da",  0, "da_hrl_lmps",                "DA",  "da", 60, 1, 1, 1 },
	{ "rt",  0, "rt_hrl_lmps",                "RTH", "rt", 60, 1, 1, 1 },
	{ "rt5", 0, "rt_fivemin_hrl_lmps",        "RT5", "rt", 5,  1, 0, 1 },
	{ "rt5", 1, "rt_unverified_fivemin_lmps", "RT5", "rt", 5,  0, 1, 0 },
};

int pjm_feed_find(const char *market, int prelim, const struct pjm_feed **out,
		  struct wp_err *err)
{
	int known = 0;

	for (size_t i = 0; i < sizeof feeds / sizeof feeds[0]; i++) {
		if (strcmp(feeds[i].market, market) != 0)
			continue;
		known = 1;
		if (feeds[i].prelim == !!prelim) {
			*out = &feeds[i];
			return 0;
		}
	}
	if (known)
		return wp_err_set(err, WP_EUSAGE,
				  "--prelim is only available with --market rt5");
	return wp_err_set(err, WP_EUSAGE, "unknown market '%s' (use da, rt or rt5)",
			  market);
}

/* PJM's pnode types and the record's location_type for each. */
static const struct {
	const char *pjm, *loc;
} types[] = {
	{ "HUB", "HUB" },
	{ "ZONE", "ZONE" },
	{ "RESIDUAL_METERED_EDC", "ZONE" },
	{ "AGGREGATE", "AGGREGATE" },
	{ "GEN", "NODE" },
	{ "LOAD", "NODE" },
	{ "EHV", "NODE" },
	{ "INTERFACE", "INTERFACE" },
	{ "EXT", "INTERFACE" },
	{ "TIE", "INTERFACE" },
};

int pjm_type_parse(const char *s, const char **out, struct wp_err *err)
{
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		if (strcasecmp(s, types[i].pjm) == 0) {
			*out = types[i].pjm;
			return 0;
		}
	}
	return wp_err_set(err, WP_EUSAGE,
			  "unknown node type '%s' (use hub, zone, aggregate, gen, load, "
			  "ehv, interface, ext, tie or residual_metered_edc)", s);
}

const char *pjm_location_type(const char *pjm_type)
{
	for (size_t i = 0; pjm_type && i < sizeof types / sizeof types[0]; i++)
		if (strcmp(pjm_type, types[i].pjm) == 0)
			return types[i].loc;
	return "NODE";
}

/* Standard queries must span under 366 days. */
#define PJM_MAX_SPAN 365

static int push(struct pjm_segment **seg, int *n, int *cap, struct wp_date from,
		struct wp_date to, int archived, struct wp_err *err)
{
	if (*n == *cap) {
		int ncap = *cap ? *cap * 2 : 4;
		struct pjm_segment *s = realloc(*seg, ncap * sizeof *s);

		if (!s)
			return wp_err_set(err, WP_EINTERNAL, "out of memory");
		*seg = s;
		*cap = ncap;
	}
	(*seg)[(*n)++] = (struct pjm_segment){ from, to, archived };
	return 0;
}

int pjm_plan(struct wp_date from, struct wp_date to, struct wp_date today,
	     int cutoff_days, struct pjm_segment **seg, int *n, struct wp_err *err)
{
	struct wp_date d = from, last;
	int cap = 0, rc = 0;

	*seg = NULL;
	*n = 0;
	if (wp_date_cmp(from, to) > 0)
		return wp_err_set(err, WP_EUSAGE, "--from is after --to");
	if (cutoff_days > 0) {
		/* Archived: days before the cutoff, one calendar year per request. */
		struct wp_date first_std = wp_date_add(today, -cutoff_days);

		while (rc == 0 && wp_date_cmp(d, to) <= 0 && wp_date_cmp(d, first_std) < 0) {
			last = wp_date_add(first_std, -1);
			if (wp_date_cmp(to, last) < 0)
				last = to;
			if (last.y != d.y)
				last = (struct wp_date){ d.y, 12, 31 };
			rc = push(seg, n, &cap, d, last, 1, err);
			d = wp_date_add(last, 1);
		}
	}
	while (rc == 0 && wp_date_cmp(d, to) <= 0) {
		last = wp_date_add(d, PJM_MAX_SPAN - 1);
		if (wp_date_cmp(to, last) < 0)
			last = to;
		rc = push(seg, n, &cap, d, last, 0, err);
		d = wp_date_add(last, 1);
	}
	if (rc) {
		free(*seg);
		*seg = NULL;
		*n = 0;
	}
	return rc;
}

/* "MM/DD/YYYY HH:MM" of a UTC instant (whole minutes). */
static int mdy_hm(time_t t, char *buf, size_t len)
{
	int64_t days = t / 86400, sec = t % 86400;
	struct wp_date d;

	if (sec < 0)
		sec += 86400, days--;
	d = wp_date_from_days(days);
	return snprintf(buf, len, "%02d/%02d/%04d %02d:%02d", d.m, d.d, d.y,
			(int)(sec / 3600), (int)(sec % 3600 / 60));
}

void pjm_window(time_t start, time_t end, char buf[64])
{
	int n = mdy_hm(start, buf, 64);

	n += snprintf(buf + n, 64 - n, "to");
	mdy_hm(end - 60, buf + n, 64 - n);
}
