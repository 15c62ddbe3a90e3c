/* index-bench: builds an order index from generated orders and measures
   build time, file size, peak memory and lookup latency (present and
   absent keys, random order, warm and cold page cache). Prints a markdown
   table. See bench/run-index-bench.sh and README. */
#define _GNU_SOURCE
#include "shoper-index.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct opts {
	unsigned int orders, addrs, shops, lookups, cold, max;
	const char *path;
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
/* with a delta, changed orders moved: a few addresses have none now */
static int delta_mode;

static uint64_t rnd(void)
{
	/* xorshift64*: fast and the same every run */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void email_of(unsigned int a, char *buf, size_t size)
{
	static const char *const dom[] = {"gmail.com",  "wp.pl",
					  "onet.pl",    "o2.pl",
					  "interia.pl", "example.com"};

	snprintf(buf, size, "Klient.%u.Nazwisko@%s", a, dom[a % 6]);
}

static const char *const statuses[][3] = {
	{"1", "Złożone", "1"},
	{"2", "Przyjęte do realizacji", "2"},
	{"3", "Oczekuje na płatność", "2"},
	{"4", "Wysłane", "3"},
	{"5", "Zrealizowane", "3"},
	{"6", "Anulowane", "4"},
	{"7", "Zwrot", "4"},
	{"8", "Nowe", "1"},
};
static const char *const names[] = {"Jan Kowalski",
				    "Anna Nowak",
				    "Piotr Wiśniewski",
				    "Ewa Wójcik",
				    "Tomasz Kamiński",
				    "Małgorzata Lewandowska",
				    "Firma Handlowa Sp. z o.o."};

/* CPU time of this process: on a busy machine the wall time of the
   build says more about the neighbours than about the index. */
static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* dry: generate only (to subtract the generator's own time) */
static int build(const struct opts *o, unsigned char *used, int dry,
		 double *add_s, double *pub_s)
{
	struct shoper_index_writer *w = shoper_index_writer_new(o->max);
	struct shoper_error err;
	char email[96], id[24], date[32], total[24], track[24], url[128];
	char shop[16], synced[32];
	unsigned int i;
	double t0 = now(), t1;

	for (i = 0; i < o->orders; i++) {
		struct shoper_order ord;
		unsigned int a = rnd() % o->addrs, s = i % o->shops;
		unsigned int st = rnd() % 8, day = rnd() % 183;
		time_t t = 1780000000 + (time_t)day * 86400 + rnd() % 86400;
		struct tm tm;

		used[a / 8] |= 1 << (a % 8);
		email_of(a, email, sizeof(email));
		snprintf(shop, sizeof(shop), "sklep%u", s + 1);
		snprintf(id, sizeof(id), "%u", 10000 + i / o->shops);
		gmtime_r(&t, &tm);
		strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
		snprintf(total, sizeof(total), "%u.%02u",
			 (unsigned int)(rnd() % 2000),
			 (unsigned int)(rnd() % 100));
		snprintf(track, sizeof(track), "00812%09u",
			 (unsigned int)(rnd() % 1000000000));
		snprintf(url, sizeof(url),
			 "https://%s.example.pl/admin/orders/view/id/%s", shop,
			 id);
		snprintf(synced, sizeof(synced), "2026-11-29 10:1%u:00", s);
		memset(&ord, 0, sizeof(ord));
#define S(f, v) (ord.f.ptr = (v), ord.f.len = strlen(v))
		S(shop, shop);
		S(order_id, id);
		S(date, date);
		S(status_id, statuses[st][0]);
		S(status_name, statuses[st][1]);
		ord.status_type = statuses[st][2][0] - '0';
		S(total, total);
		S(currency, "PLN");
		ord.paid = rnd() % 4 != 0;
		S(tracking, st == 3 || st == 4 ? track : "");
		S(customer, names[a % 7]);
		S(email, email);
		S(url, url);
		S(synced, synced);
#undef S
		if (dry) {
			*pub_s += ord.email.len; /* keep the work */
			continue;
		}
		if (shoper_index_writer_add(w, &ord, &err) < 0) {
			fprintf(stderr, "add: %s\n", err.msg);
			return -1;
		}
	}
	t1 = now();
	*add_s = t1 - t0;
	if (dry) {
		shoper_index_writer_free(&w);
		return 0;
	}
	if (shoper_index_writer_publish(w, o->path, &err) < 0) {
		fprintf(stderr, "publish: %s\n", err.msg);
		return -1;
	}
	*pub_s = now() - t1;
	shoper_index_writer_free(&w);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Latencies of n lookups in µs: p50 and p99 into res[0], res[1]. */
static int measure(struct shoper_index_reader *r, const unsigned char *used,
		   const struct opts *o, int present, unsigned int n,
		   double res[2])
{
	static struct shoper_index_result result;
	double *lat = malloc(n * sizeof(*lat));
	struct shoper_error err;
	char email[96];
	unsigned int i, found = 0;

	for (i = 0; i < n; i++) {
		unsigned int a;
		double t0;
		int ret;

		do {
			a = rnd() % o->addrs;
		} while (present && (used[a / 8] & (1 << (a % 8))) == 0);
		if (present)
			email_of(a, email, sizeof(email));
		else
			snprintf(email, sizeof(email), "nobody.%u@example.pl",
				 a);
		t0 = now();
		ret = shoper_index_lookup_email(r, email, NULL, 0, 5, &result,
						&err);
		lat[i] = (now() - t0) * 1e6;
		if (ret < 0) {
			fprintf(stderr, "lookup: %s\n", err.msg);
			return -1;
		}
		found += ret;
	}
	if (found != (present ? n : 0) && (present || found > 0) &&
	    !(present && delta_mode && found > n * 0.99)) {
		fprintf(stderr, "lookup: %u of %u found\n", found, n);
		return -1;
	}
	qsort(lat, n, sizeof(*lat), cmp_double);
	res[0] = lat[n / 2];
	res[1] = lat[(size_t)(n * 0.99)];
	free(lat);
	return 0;
}

/* Evicts the file from the page cache: fadvise, and drop_caches as root. */
static const char *drop_cache(const char *path)
{
	int fd = open(path, O_RDONLY);
	const char *how = "fadvise";

	if (fd >= 0) {
		(void)fdatasync(fd);
		(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		close(fd);
	}
	if (geteuid() == 0) {
		FILE *f = fopen("/proc/sys/vm/drop_caches", "w");

		sync();
		if (f != NULL && fputs("1\n", f) >= 0 && fclose(f) == 0)
			how = "fadvise+drop_caches";
	}
	return how;
}

/* The warm lookups (warm[8]): one untimed pass maps the file and fills
   the cache; first with a stat of the file before every lookup (the
   default), then with a check interval of 1 s. */
static int measure_warm(struct shoper_index_reader *r,
			const unsigned char *used, const struct opts *o,
			double warm[8])
{
	if (measure(r, used, o, 1, o->lookups, warm) < 0 ||
	    measure(r, used, o, 1, o->lookups, warm) < 0 ||
	    measure(r, used, o, 0, o->lookups, warm + 2) < 0)
		return -1;
	shoper_index_reader_set_check_interval(r, 1000);
	if (measure(r, used, o, 1, o->lookups, warm + 4) < 0 ||
	    measure(r, used, o, 0, o->lookups, warm + 6) < 0)
		return -1;
	return 0;
}

static int run_lookups(const struct opts *o, const unsigned char *used,
		       double warm[8], double cold[4], const char **how)
{
	struct shoper_index_reader *r = shoper_index_reader_new(o->path);

	if (measure_warm(r, used, o, warm) < 0)
		return -1;
	shoper_index_reader_free(&r);
	/* cold: a fresh reader after the file left the page cache */
	*how = drop_cache(o->path);
	r = shoper_index_reader_new(o->path);
	if (measure(r, used, o, 1, o->cold, cold) < 0)
		return -1;
	shoper_index_reader_free(&r);
	drop_cache(o->path);
	r = shoper_index_reader_new(o->path);
	if (measure(r, used, o, 0, o->cold, cold + 2) < 0)
		return -1;
	shoper_index_reader_free(&r);
	return 0;
}

/* One changed order: order i (of shop i % shops) again, paid, with a
   new status, at address a (it may move there). */
static void changed_order(const struct opts *o, unsigned int i, unsigned int a,
			  struct shoper_order *ord, char bufs[4][96])
{
	memset(ord, 0, sizeof(*ord));
	email_of(a, bufs[0], sizeof(bufs[0]));
	snprintf(bufs[1], sizeof(bufs[1]), "sklep%u", i % o->shops + 1);
	snprintf(bufs[2], sizeof(bufs[2]), "%u", 10000 + i / o->shops);
	snprintf(bufs[3], sizeof(bufs[3]),
		 "https://%s.example.pl/admin/orders/view/id/%s", bufs[1],
		 bufs[2]);
#define S(f, v) (ord->f.ptr = (v), ord->f.len = strlen(v))
	S(shop, bufs[1]);
	S(order_id, bufs[2]);
	S(date, "2026-12-01 10:00:00");
	S(status_id, "4");
	S(status_name, "Wysłane");
	ord->status_type = SHOPER_STATUS_TYPE_CLOSED;
	S(total, "99.99");
	S(currency, "PLN");
	ord->paid = true;
	S(tracking, "00812345678901");
	S(customer, "Jan Kowalski");
	S(email, bufs[0]);
	S(url, bufs[3]);
	S(synced, "2026-12-01 10:00:05");
#undef S
}

/* The incremental publish: one changed order over the full index
   (p50 / max of 20, the delta growing), then a delta of 1,000 orders and
   lookups through it. res: one p50, max; 1,000 time; warm[4]. */
static int run_delta(const struct opts *o, const unsigned char *used,
		     double res[3], double warm[8])
{
	static struct shoper_order ords[1000];
	static char bufs[1000][4][96];
	double lat[20], t0;
	struct shoper_error err;
	struct shoper_index_reader *r;
	unsigned int i;

	/* steady state, as a daemon publishes minutes after the full
	   publish: the 160 MB of the build no longer being written back
	   (which would slow every fsync) */
	sync();
	for (i = 0; i < 1000; i++)
		changed_order(o, rnd() % o->orders, rnd() % o->addrs, &ords[i],
			      bufs[i]);
	for (i = 0; i < 20; i++) {
		t0 = now();
		if (shoper_index_publish_changes(o->path, &ords[i], 1, NULL, 0,
						 NULL, &err) != 1) {
			fprintf(stderr, "publish changes: %s\n", err.msg);
			return -1;
		}
		lat[i] = (now() - t0) * 1e3;
	}
	qsort(lat, 20, sizeof(lat[0]), cmp_double);
	res[0] = lat[10];
	res[1] = lat[19];
	t0 = now();
	if (shoper_index_publish_changes(o->path, ords, 1000, NULL, 0, NULL,
					 &err) != 1) {
		fprintf(stderr, "publish changes: %s\n", err.msg);
		return -1;
	}
	res[2] = (now() - t0) * 1e3;
	delta_mode = 1;
	r = shoper_index_reader_new(o->path);
	if (measure_warm(r, used, o, warm) < 0)
		return -1;
	shoper_index_reader_free(&r);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: index-bench [-n ORDERS] [-a ADDRESSES] "
			"[-s SHOPS] [-l LOOKUPS] [-c COLD_LOOKUPS] "
			"[-m MAX_ORDERS] PATH\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct opts o = {1000000, 500000, 2, 200000, 2000, 0, NULL};
	double gen_s, add_s, pub_s = 0, warm[8], cold[4], cpu0, cpu_gen, cpu;
	double dres[3], dwarm[8];
	uint64_t seed = rng;
	struct rusage ru;
	struct stat st;
	unsigned char *used;
	const char *how;
	int c;

	while ((c = getopt(argc, argv, "n:a:s:l:c:m:")) != -1) {
		unsigned int v = strtoul(optarg ? optarg : "0", NULL, 10);

		switch (c) {
		case 'n':
			o.orders = v;
			break;
		case 'a':
			o.addrs = v;
			break;
		case 's':
			o.shops = v;
			break;
		case 'l':
			o.lookups = v;
			break;
		case 'c':
			o.cold = v;
			break;
		case 'm':
			o.max = v;
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc || o.addrs == 0 || o.shops == 0 ||
	    o.lookups == 0 || o.cold == 0)
		usage();
	o.path = argv[optind];
	used = calloc(o.addrs / 8 + 1, 1);
	cpu0 = cpu_now();
	if (build(&o, used, 1, &gen_s, &pub_s) < 0)
		return 1;
	cpu_gen = cpu_now() - cpu0;
	rng = seed;
	cpu0 = cpu_now();
	if (build(&o, used, 0, &add_s, &pub_s) < 0)
		return 1;
	cpu = cpu_now() - cpu0 - cpu_gen;
	add_s -= gen_s;
	getrusage(RUSAGE_SELF, &ru);
	if (stat(o.path, &st) < 0 ||
	    run_lookups(&o, used, warm, cold, &how) < 0 ||
	    run_delta(&o, used, dres, dwarm) < 0)
		return 1;
	printf("%u orders, %u addresses, %u shops; %u warm and %u cold "
	       "lookups each (cold: %s)\n\n",
	       o.orders, o.addrs, o.shops, o.lookups, o.cold, how);
	printf("| metric | value | target |\n|---|---|---|\n");
	printf("| build (add + publish; generating the orders took %.2f s more) "
	       "| %.2f s (%.2f + %.2f) | <= 5 s |\n",
	       gen_s, add_s + pub_s, add_s, pub_s);
	printf("| build, CPU time (user + system) | %.2f s | |\n", cpu);
	printf("| file size | %.1f MB | |\n", st.st_size / 1e6);
	printf("| bytes per order | %.0f | <= 200 |\n",
	       (double)st.st_size / o.orders);
	printf("| peak RSS (build) | %.0f MB | |\n", ru.ru_maxrss / 1024.0);
	printf("| lookup present, warm p50 / p99 | %.2f / %.2f µs | p99 <= 10 µs |\n",
	       warm[0], warm[1]);
	printf("| lookup absent, warm p50 / p99 | %.2f / %.2f µs | p99 <= 10 µs |\n",
	       warm[2], warm[3]);
	printf("| lookup present, warm, check interval 1 s, p50 / p99 | %.2f / %.2f µs | p99 <= 10 µs |\n",
	       warm[4], warm[5]);
	printf("| lookup absent, warm, check interval 1 s, p50 / p99 | %.2f / %.2f µs | p99 <= 10 µs |\n",
	       warm[6], warm[7]);
	printf("| lookup present, cold p50 / p99 | %.1f / %.1f µs | |\n",
	       cold[0], cold[1]);
	printf("| lookup absent, cold p50 / p99 | %.1f / %.1f µs | |\n",
	       cold[2], cold[3]);
	printf("| incremental publish of 1 changed order, p50 / max of 20 | %.1f / %.1f ms | <= 50 ms |\n",
	       dres[0], dres[1]);
	printf("| incremental publish of 1,000 changed orders | %.1f ms | |\n",
	       dres[2]);
	printf("| with a delta of 1,000 orders: lookup present, warm p50 / p99 | %.2f / %.2f µs | p99 <= 10 µs |\n",
	       dwarm[0], dwarm[1]);
	printf("| with a delta of 1,000 orders: lookup absent, warm p50 / p99 | %.2f / %.2f µs | p99 <= 10 µs |\n",
	       dwarm[2], dwarm[3]);
	printf("| with a delta, check interval 1 s: present p50 / p99 | %.2f / %.2f µs | p99 <= 10 µs |\n",
	       dwarm[4], dwarm[5]);
	printf("| with a delta, check interval 1 s: absent p50 / p99 | %.2f / %.2f µs | p99 <= 10 µs |\n",
	       dwarm[6], dwarm[7]);
	free(used);
	return 0;
}
