/* index-watch INDEX SHOP [TIMEOUT_S]: reads "ORDER_ID STATUS_ID" lines on
   stdin, then polls the index through the plugin's own reader (base and
   delta, one refresh per sweep) until each order shows that status, and
   prints "ORDER_ID UNIX_TIME" (wall clock, µs) the moment it does. Lets a
   benchmark time a burst of changes per order without one lookup process
   per order and sweep. Exit 0 when all showed, 1 on timeout. */
#define _GNU_SOURCE
#include "shoper-index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct want {
	char id[32], status[16];
	int done;
};

static double wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct want *read_wants(unsigned int *n_r)
{
	struct want *w = NULL;
	unsigned int n = 0, cap = 0;
	char id[32], st[16];

	while (scanf("%31s %15s", id, st) == 2) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			w = realloc(w, cap * sizeof(*w));
			if (w == NULL)
				exit(2);
		}
		memset(&w[n], 0, sizeof(w[n]));
		memcpy(w[n].id, id, sizeof(id));
		memcpy(w[n].status, st, sizeof(st));
		n++;
	}
	*n_r = n;
	return w;
}

static int shows(const struct shoper_order *o, const char *status)
{
	return o->status_id.len == strlen(status) &&
	       memcmp(o->status_id.ptr, status, o->status_id.len) == 0;
}

int main(int argc, char **argv)
{
	struct shoper_error err;
	struct shoper_order o;
	unsigned int n, left;

	if (argc < 3) {
		fprintf(stderr, "usage: index-watch INDEX SHOP [TIMEOUT_S]\n");
		return 2;
	}
	double deadline = wall() + (argc > 3 ? atof(argv[3]) : 300);
	struct want *w = read_wants(&n);
	struct shoper_index_reader *r = shoper_index_reader_new(argv[1]);
	/* one stat per sweep, as a delivery does per message */
	shoper_index_reader_set_check_interval(r, 1000000);
	left = n;
	while (left > 0 && wall() < deadline) {
		if (shoper_index_reader_refresh(r, &err) < 0) {
			usleep(2000);
			continue;
		}
		for (unsigned int i = 0; i < n; i++) {
			if (w[i].done ||
			    shoper_index_lookup_order(r, argv[2], w[i].id, &o,
						      &err) != 1 ||
			    !shows(&o, w[i].status))
				continue;
			w[i].done = 1;
			left--;
			printf("%s %.6f\n", w[i].id, wall());
		}
		fflush(stdout);
		usleep(2000);
	}
	shoper_index_reader_free(&r);
	free(w);
	return left == 0 ? 0 : 1;
}
