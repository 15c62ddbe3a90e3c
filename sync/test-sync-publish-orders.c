/* sync_publish_orders(): a few orders of the state published as a delta
   over the full index (a changed order, a new one, one that left the
   window as a deletion), a delta grown over SYNC_DELTA_FOLD folded by a
   full publish, and a shop never backfilled left out. */
#include "publish.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct shoper_error err;

static int put(struct sync_state *st, long long id, const char *date,
	       long long status, const char *email)
{
	struct sync_order o;
	char buf[64], total[] = "10.00";
	bool changed;

	memset(&o, 0, sizeof(o));
	o.order_id = id;
	snprintf(o.date, sizeof(o.date), "%s", date);
	o.status_id = status;
	o.total.s = total;
	o.total.len = strlen(total);
	snprintf(buf, sizeof(buf), "%s", email);
	o.email.s = buf;
	o.email.len = strlen(buf);
	o.customer.s = buf;
	o.customer.len = 0;
	return sync_state_put_order(st, "s1", &o, 1, "2026-11-29 10:00:00",
				    &changed, &err);
}

static bool status_of(const char *path, const char *id, const char *want)
{
	struct shoper_index_reader *r = shoper_index_reader_new(path);
	struct shoper_order o;
	bool ret;

	ret = shoper_index_lookup_order(r, "s1", id, &o, &err) == 1 &&
	      o.status_id.len == strlen(want) &&
	      memcmp(o.status_id.ptr, want, o.status_id.len) == 0;
	shoper_index_reader_free(&r);
	return ret;
}

static bool absent(const char *path, const char *id)
{
	struct shoper_index_reader *r = shoper_index_reader_new(path);
	struct shoper_order o;
	bool ret = shoper_index_lookup_order(r, "s1", id, &o, &err) == 0;

	shoper_index_reader_free(&r);
	return ret;
}

int main(void)
{
	char tmpl[] = "/tmp/test-publish-orders.XXXXXX", idx[4096], sdir[4096],
	     delta[4200], cmd[4200];
	char *dir = mkdtemp(tmpl);
	struct shoper_shop_config shop;
	struct shoper_sync_config cfg;
	struct sync_state *st = NULL;
	struct sync_cursors c;
	long long n, ids[SYNC_DELTA_FOLD + 1];

	snprintf(idx, sizeof(idx), "%s/orders.cdb", dir);
	snprintf(delta, sizeof(delta), "%s.delta", idx);
	snprintf(sdir, sizeof(sdir), "%s/state", dir);
	memset(&shop, 0, sizeof(shop));
	shop.name = "s1";
	shop.url = "https://s1.example.pl";
	shop.language = "pl_PL";
	shop.history_days = 7300;
	memset(&cfg, 0, sizeof(cfg));
	cfg.index_path = idx;
	cfg.shops = &shop;
	cfg.n_shops = 1;
	ok(sync_state_open(sdir, false, &st, &err) == 0, "state opened");
	ok(put(st, 1, "2026-11-01 10:00:00", 1, "jan@example.pl") == 0 &&
		   put(st, 2, "2026-11-02 10:00:00", 1, "jan@example.pl") == 0,
	   "two orders in the state");
	ids[0] = 1;
	ok(sync_publish_orders(&cfg, st, "s1", ids, 1, &err) == 0 &&
		   access(idx, F_OK) != 0,
	   "a shop never backfilled is not published");
	memset(&c, 0, sizeof(c));
	c.backfill_done = true;
	ok(sync_state_set_cursors(st, "s1", &c, &err) == 0 &&
		   sync_publish(&cfg, st, &n, &err) == 1 && n == 2,
	   "full publish: 2 orders");
	ok(put(st, 1, "2026-11-01 10:00:00", 4, "jan@example.pl") == 0 &&
		   put(st, 3, "2026-11-03 10:00:00", 1, "ewa@example.pl") ==
			   0 &&
		   put(st, 2, "2000-01-01 10:00:00", 1, "jan@example.pl") == 0,
	   "order 1 changed, 3 new, 2 left the window");
	ids[0] = 1;
	ids[1] = 3;
	ids[2] = 2;
	ok(sync_publish_orders(&cfg, st, "s1", ids, 3, &err) == 1,
	   "incremental publish (%s)", err.msg);
	ok(access(delta, F_OK) == 0, "as a delta next to the index");
	ok(status_of(idx, "1", "4") && status_of(idx, "3", "1") &&
		   absent(idx, "2"),
	   "readers see the change, the new order and the deletion");
	ok(put(st, 4, "2026-11-04 10:00:00", 2, "ola@example.pl") == 0 &&
		   sync_publish_orders_fold(&cfg, st, "s1", ids, 3, 2, &err) ==
			   1 &&
		   access(delta, F_OK) != 0 && status_of(idx, "1", "4"),
	   "a delta over another threshold folded at it (%s)", err.msg);
	ok(sync_publish(&cfg, st, &n, &err) == 1 && n == 3 &&
		   access(delta, F_OK) != 0,
	   "a regular publish: 3 orders, no delta");
	ids[0] = 4;
	ok(sync_publish_orders_fold(&cfg, st, "s1", ids, 1, 2, &err) == 1 &&
		   access(delta, F_OK) == 0 && status_of(idx, "4", "2"),
	   "under that threshold: a delta (%s)", err.msg);
	for (unsigned int i = 0; i <= SYNC_DELTA_FOLD; i++)
		ids[i] = 1;
	ok(sync_publish_orders(&cfg, st, "s1", ids, SYNC_DELTA_FOLD + 1,
			       &err) == 1 &&
		   access(delta, F_OK) != 0 && status_of(idx, "1", "4") &&
		   status_of(idx, "3", "1") && absent(idx, "2"),
	   "more than SYNC_DELTA_FOLD orders: a full publish, no delta");
	sync_state_close(&st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ok(system(cmd) == 0, "cleaned up");
	return tap_done();
}
