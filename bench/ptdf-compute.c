/* ptdf-compute: time lib/grid's full PTDF of a case without writing it, to
 * compare with an in-memory anchor. Prints: buses branches seconds checksum
 * (checksum = sum |H|, comparable with bench/ptdf_anchor.m). */
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "grid/grid.h"

int main(int argc, char **argv)
{
	struct grid_model m;
	struct wp_err err = WP_ERR_INIT;
	struct timespec a, b;
	enum { CHUNK = 256 };
	double *h, sum = 0;
	int *br;

	if (argc != 2)
		return 64;
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (grid_model_open(&m, argv[1], NULL, &err)) {
		fprintf(stderr, "ptdf-compute: %s\n", err.msg);
		return err.code;
	}
	br = malloc((size_t)m.net.nl * sizeof *br);
	h = malloc((size_t)CHUNK * m.net.nb * sizeof *h);
	for (int l = 0; l < m.net.nl; l++)
		br[l] = l;
	for (int i = 0; i < m.net.nl; i += CHUNK) {
		int k = m.net.nl - i < CHUNK ? m.net.nl - i : CHUNK;

		if (grid_ptdf_rows(&m.p, br + i, k, h, &err))
			return err.code;
		for (size_t j = 0; j < (size_t)k * m.net.nb; j++)
			sum += fabs(h[j]);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%d %d %.3f %.10g\n", m.net.nb, m.net.nl,
	       (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9, sum);
	free(br);
	free(h);
	grid_model_release(&m);
	return 0;
}
