/* fsync-spy.h: which paths a unit test's code fsync'd (include once, in
 * the test's main file). */
#ifndef FSYNC_SPY_H
#define FSYNC_SPY_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* fsync as lib calls it: this definition in the test executable wins
 * over libc's, records the path of each synced fd, then makes the call. */
static char synced[256][256];
static int nsynced;

int fsync(int fd)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	if (nsynced < 256 && (n = readlink(link, synced[nsynced], sizeof synced[0] - 1)) > 0)
		synced[nsynced++][n] = '\0';
	return (int)syscall(SYS_fsync, fd);
}

static int was_synced(const char *path)
{
	char real[256];

	if (!realpath(path, real))
		return 0;
	for (int i = 0; i < nsynced; i++)
		if (!strcmp(synced[i], real))
			return 1;
	return 0;
}

#endif
