/* Many backends (cluster/): Redis memory per order, and the lag from a
   leader's write to the moment another node has applied it, against a
   redis-server given as unix:/PATH or HOST:PORT.
     cluster-bench REDIS [shops] [orders-per-shop] [changes]
   Prints a markdown table (README, "Many backends"). */
#include "shoper-cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 +
	       ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3;
}

static double wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void order(struct shoper_order *o, const char *shop, const char *id,
		  char *email, int n)
{
	memset(o, 0, sizeof(*o));
	snprintf(email, 64, "klient%d@example.pl", n);
#define STR(f, v)                                                              \
	do {                                                                   \
		o->f.ptr = v;                                                  \
		o->f.len = strlen(v);                                          \
	} while (0)
	STR(shop, shop);
	STR(order_id, id);
	STR(date, "2026-11-20 14:03:22");
	STR(status_id, "2");
	STR(status_name, "W realizacji");
	STR(total, "164.98");
	STR(currency, "PLN");
	STR(tracking, "00359007738000123456");
	STR(customer, "Jan Kowalski");
	o->email.ptr = email;
	o->email.len = strlen(email);
	STR(url, "https://sklep.example.pl/admin/orders/view/id/123456");
	STR(synced, "2026-11-29 10:15:00");
	STR(shipping, "Kurier InPost");
	o->status_type = SHOPER_STATUS_TYPE_IN_PROGRESS;
	o->paid = true;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct shoper_cluster_config cfg;
	struct shoper_error err;
	unsigned int shops = argc > 2 ? atoi(argv[2]) : 10;
	unsigned int per = argc > 3 ? atoi(argv[3]) : 10000;
	unsigned int changes = argc > 4 ? atoi(argv[4]) : 1000;

	if (argc < 2) {
		fprintf(stderr,
			"usage: cluster-bench REDIS [shops] [orders] [changes]\n");
		return 2;
	}
	shoper_cluster_config_init(&cfg);
	snprintf(cfg.redis, sizeof(cfg.redis), "%s", argv[1]);
	snprintf(cfg.node, sizeof(cfg.node), "leader");
	struct shoper_cluster *l = shoper_cluster_connect(&cfg, &err);
	snprintf(cfg.node, sizeof(cfg.node), "follower");
	struct shoper_cluster *f = shoper_cluster_connect(&cfg, &err);
	if (l == NULL || f == NULL) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	struct shoper_change *ch = calloc(per, sizeof(*ch));
	char(*ids)[16] = calloc(per, sizeof(*ids));
	double write_cpu = 0, t0;
	for (unsigned int s = 0; s < shops; s++) {
		char shop[32], email[64];
		struct shoper_lease lease = {.shop = ""};
		struct shoper_replica *r;
		snprintf(shop, sizeof(shop), "shop%u", s);
		snprintf(lease.shop, sizeof(lease.shop), "%s", shop);
		r = shoper_replica_new(shop);
		if (shoper_lease_acquire(l, &lease, &err) != 1) {
			fprintf(stderr, "lease %s: %s\n", shop, err.msg);
			return 1;
		}
		for (unsigned int i = 0; i < per; i++) {
			struct shoper_order o;
			char *data;
			snprintf(ids[i], sizeof(ids[i]), "%u", 100000 + i);
			order(&o, shop, ids[i], email,
			      (int)(i % (per / 2 + 1)));
			shoper_cluster_encode_order(&o, &data, &ch[i].len);
			ch[i].order_id = ids[i];
			ch[i].data = data;
		}
		t0 = cpu_ms();
		if (shoper_cluster_publish(l, &lease, r, ch, per, &err) != 1) {
			fprintf(stderr, "publish: %s\n", err.msg);
			return 1;
		}
		write_cpu += cpu_ms() - t0;
		for (unsigned int i = 0; i < per; i++)
			free((char *)ch[i].data);
		shoper_replica_free(&r);
	}
	/* one shop's changes one by one: leader write -> follower applied */
	struct shoper_lease lease = {.shop = "shop0"};
	struct shoper_replica *rl = shoper_replica_new("shop0");
	struct shoper_replica *rf = shoper_replica_new("shop0");
	struct shoper_pull res;
	double *lag = calloc(changes, sizeof(*lag));
	shoper_lease_read(l, &lease, &err);
	lease.token = strtoull(strchr(lease.holder, ' ') + 1, NULL, 10);
	shoper_cluster_pull(f, rf, 0, NULL, NULL, &res, &err);
	double load_ms = 0;
	{
		struct shoper_replica *late = shoper_replica_new("shop0");
		double t = wall_ms();
		shoper_cluster_pull(f, late, 0, NULL, NULL, &res, &err);
		load_ms = wall_ms() - t;
		shoper_replica_free(&late);
	}
	for (unsigned int i = 0; i < changes; i++) {
		struct shoper_order o;
		struct shoper_change c;
		char email[64], *data;
		order(&o, "shop0", ids[i % per], email, (int)i);
		o.status_name.ptr = i % 2 ? "Wysłane" : "Zamknięte";
		o.status_name.len = strlen(o.status_name.ptr);
		shoper_cluster_encode_order(&o, &data, &c.len);
		c.order_id = ids[i % per];
		c.data = data;
		double t = wall_ms();
		shoper_cluster_publish(l, &lease, rl, &c, 1, &err);
		res.entries = 0;
		while (res.entries == 0)
			shoper_cluster_pull(f, rf, 100, NULL, NULL, &res, &err);
		lag[i] = wall_ms() - t;
		free(data);
	}
	qsort(lag, changes, sizeof(*lag), cmp);
	printf("| shops x orders | Redis memory per order | leader CPU per order written (client side) | snapshot load of one shop | change -> other node p50 | p99 |\n");
	printf("|---|---|---|---|---|---|\n");
	printf("| %u x %u | see below | %.1f us | %.0f ms | %.2f ms | %.2f ms |\n",
	       shops, per, write_cpu * 1e3 / (shops * (double)per), load_ms,
	       lag[changes / 2], lag[changes * 99 / 100]);
	shoper_replica_free(&rl);
	shoper_replica_free(&rf);
	shoper_cluster_free(&l);
	shoper_cluster_free(&f);
	return 0;
}
