/* Progress bar on a terminal, one summary line per shop otherwise. */
#include "progress.h"
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BAR_WIDTH 30

struct sync_progress {
	bool tty, quiet, drawn;
	char shop[72];
	struct timespec start;
};

struct sync_progress *sync_progress_new(bool tty, bool quiet)
{
	struct sync_progress *p = calloc(1, sizeof(*p));

	if (p == NULL)
		abort();
	p->tty = tty && !quiet;
	p->quiet = quiet;
	return p;
}

void sync_progress_free(struct sync_progress **p)
{
	free(*p);
	*p = NULL;
}

static double elapsed(const struct sync_progress *p)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - p->start.tv_sec) +
	       (now.tv_nsec - p->start.tv_nsec) / 1e9;
}

void sync_progress_start(struct sync_progress *p, const char *shop)
{
	if (p == NULL)
		return;
	snprintf(p->shop, sizeof(p->shop), "%s", shop);
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->drawn = false;
}

void sync_progress_update(struct sync_progress *p, long long fetched,
			  long long total, unsigned int calls)
{
	char bar[BAR_WIDTH + 1], eta[32] = "";

	if (p == NULL || !p->tty)
		return;
	if (total < fetched)
		total = fetched;
	int fill = total > 0 ? (int)(BAR_WIDTH * fetched / total) : BAR_WIDTH;
	memset(bar, '#', fill);
	memset(bar + fill, '.', BAR_WIDTH - fill);
	bar[BAR_WIDTH] = '\0';
	double t = elapsed(p);
	if (fetched > 0 && fetched < total)
		snprintf(eta, sizeof(eta), ", ETA %.0fs",
			 t * (total - fetched) / fetched);
	fprintf(stderr, "\r%s [%s] %lld/%lld orders, %u calls%s\033[K", p->shop,
		bar, fetched, total, calls, eta);
	fflush(stderr);
	p->drawn = true;
}

/* A degraded stream: one line each, on stderr even when quiet. */
static void print_warnings(const struct sync_shop_result *r)
{
	const char *w = r->warnings;

	while (*w != '\0') {
		size_t n = strcspn(w, "\n");
		fprintf(stderr, "%s: warning: %.*s\n", r->shop, (int)n, w);
		w += n + (w[n] == '\n');
	}
}

void sync_progress_finish(struct sync_progress *p,
			  const struct sync_shop_result *r)
{
	if (p == NULL)
		return;
	if (p->drawn)
		fputs("\r\033[K", stderr);
	if (!r->ok) {
		fprintf(stderr,
			"%s: FAILED: %s (%u calls, %.1fs); the shop keeps its previous data\n",
			r->shop, r->error, r->calls, r->secs);
		return;
	}
	print_warnings(r);
	if (p->quiet)
		return;
	printf("%s: ok%s, %lld orders fetched, %lld new or changed, %lld deleted, %lld expired, %lld held, %u calls, %.1fs",
	       r->shop, r->full ? " (full pass)" : "", r->fetched, r->changed,
	       r->deleted, r->pruned, r->in_state, r->calls, r->secs);
	/* order objects without a usable order_id or date */
	if (r->skipped > 0)
		printf(", %lld unusable order objects skipped", r->skipped);
	if (r->refreshed > 0)
		printf(", %lld recent orders re-read", r->refreshed);
	putchar('\n');
	fflush(stdout);
}
