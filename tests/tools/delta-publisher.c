/* Publishes a run of index states through deltas and folds, for the
   crash and delivery tests of the delta (doc/index-format.md §10), and
   checks that an index (with its delta) is one whole state.
     delta-publisher run PATH LAST [FOLD_EVERY]
       continues from the state PATH holds (none: state 0, a full
       publish) up to state LAST: each state an incremental publish, every
       FOLD_EVERY-th (default 10) a full one, as shoper-sync folds;
       prints each state once it is published.
     delta-publisher check PATH
       prints "state=K", exit 0, when every order agrees on one state K;
       otherwise what disagrees, exit 1.
   State K: orders s1:1..s1:3 have total "K.00"; s1:1 and s1:2 belong to
   jan@example.pl; s1:3 to jan@ for even K, ewa@ for odd K; s1:4 (ewa@)
   exists unless K % 3 == 0; s1:5 (ewa@) always, total "5.00". */
#include "shoper-index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ORDERS 5

static char totals[N_ORDERS][24], urls[N_ORDERS][64], ids[N_ORDERS][8];

static struct shoper_str str(const char *s)
{
	struct shoper_str r = {s, strlen(s)};
	return r;
}

static void state_orders(long k, struct shoper_order *o, unsigned int *n_r,
			 struct shoper_order_ref *del, unsigned int *n_del_r)
{
	unsigned int n = 0;

	*n_del_r = 0;
	for (unsigned int i = 0; i < N_ORDERS; i++) {
		snprintf(ids[i], sizeof(ids[i]), "%u", i + 1);
		snprintf(totals[i], sizeof(totals[i]), "%ld.00",
			 i < 3 ? k : (long)i + 1);
		snprintf(urls[i], sizeof(urls[i]),
			 "https://s1.example.pl/admin/orders/view/id/%u",
			 i + 1);
		if (i == 3 && k % 3 == 0) {
			del[*n_del_r].shop = str("s1");
			del[(*n_del_r)++].order_id = str(ids[i]);
			continue;
		}
		memset(&o[n], 0, sizeof(o[n]));
		o[n].shop = str("s1");
		o[n].order_id = str(ids[i]);
		o[n].date = str("2026-11-01 10:00:00");
		o[n].status_id = str("1");
		o[n].status_name = str("Nowe");
		o[n].status_type = SHOPER_STATUS_TYPE_NEW;
		o[n].total = str(totals[i]);
		o[n].currency = str("PLN");
		o[n].customer = str("Jan");
		o[n].email =
			str(i < 2 || (i == 2 && k % 2 == 0) ? "jan@example.pl"
							    : "ewa@example.pl");
		o[n].url = str(urls[i]);
		o[n].synced = str("2026-11-29 10:00:00");
		n++;
	}
	*n_r = n;
}

static int publish_full(const char *path, long k, struct shoper_error *err)
{
	struct shoper_order o[N_ORDERS];
	struct shoper_order_ref del[N_ORDERS];
	unsigned int n, n_del;
	struct shoper_index_writer *w = shoper_index_writer_new(0);
	int ret = 0;

	state_orders(k, o, &n, del, &n_del);
	for (unsigned int i = 0; i < n && ret == 0; i++) {
		if (shoper_index_writer_add(w, &o[i], err) !=
		    SHOPER_INDEX_ADD_OK)
			ret = -1;
	}
	if (ret == 0)
		ret = shoper_index_writer_publish(w, path, err);
	shoper_index_writer_free(&w);
	return ret;
}

/* Checks every order against state k; 0 or -1 with why. */
static int check_state(struct shoper_index_reader *r, long k, char *why,
		       size_t size)
{
	static struct shoper_index_result res;
	struct shoper_order want[N_ORDERS], got;
	struct shoper_order_ref del[N_ORDERS];
	struct shoper_error err;
	unsigned int n, n_del, jan = 0, ewa = 0;

	state_orders(k, want, &n, del, &n_del);
	for (unsigned int i = 0; i < n; i++) {
		if (shoper_index_lookup_order(r, "s1", want[i].order_id.ptr,
					      &got, &err) != 1 ||
		    got.total.len != want[i].total.len ||
		    memcmp(got.total.ptr, want[i].total.ptr, got.total.len) !=
			    0 ||
		    got.email.len != want[i].email.len) {
			snprintf(why, size, "order %s not as in state %ld",
				 want[i].order_id.ptr, k);
			return -1;
		}
		if (want[i].email.ptr[0] == 'j')
			jan++;
		else
			ewa++;
	}
	for (unsigned int i = 0; i < n_del; i++) {
		if (shoper_index_lookup_order(r, "s1", del[i].order_id.ptr,
					      &got, &err) != 0) {
			snprintf(why, size, "order %s not deleted in state %ld",
				 del[i].order_id.ptr, k);
			return -1;
		}
	}
	if (shoper_index_lookup_email(r, "jan@example.pl", NULL, 0, 0, &res,
				      &err) < 0 ||
	    res.count != jan ||
	    shoper_index_lookup_email(r, "ewa@example.pl", NULL, 0, 0, &res,
				      &err) < 0 ||
	    res.count != ewa) {
		snprintf(why, size, "e-mail records not as in state %ld", k);
		return -1;
	}
	for (unsigned int i = 0; i < res.count; i++) {
		if (res.orders[i].total.len > 0 &&
		    res.orders[i].order_id.ptr[0] == '3' &&
		    strtol(res.orders[i].total.ptr, NULL, 10) != k) {
			snprintf(why, size, "mixed e-mail record");
			return -1;
		}
	}
	return 0;
}

/* The state the index holds: -1 none (no index), -2 inconsistent. */
static long current(const char *path, char *why, size_t size)
{
	struct shoper_index_reader *r = shoper_index_reader_new(path);
	struct shoper_order got;
	struct shoper_error err;
	long k = -1;

	if (shoper_index_reader_refresh(r, &err) < 0) {
		snprintf(why, size, "%s", err.msg);
	} else if (shoper_index_lookup_order(r, "s1", "1", &got, &err) != 1) {
		snprintf(why, size, "order 1 missing");
		k = -2;
	} else {
		k = strtol(got.total.ptr, NULL, 10);
		if (check_state(r, k, why, size) < 0)
			k = -2;
	}
	shoper_index_reader_free(&r);
	return k;
}

static int run(const char *path, long last, long fold)
{
	struct shoper_order o[N_ORDERS];
	struct shoper_order_ref del[N_ORDERS];
	struct shoper_error err;
	unsigned int n, n_del;
	char why[600];
	long k = current(path, why, sizeof(why));
	int ret;

	if (k == -2) {
		fprintf(stderr, "inconsistent index: %s\n", why);
		return 1;
	}
	if (k < 0 && publish_full(path, k = 0, &err) < 0)
		goto fail;
	while (k < last) {
		k++;
		state_orders(k, o, &n, del, &n_del);
		ret = k % fold == 0
			      ? 0
			      : shoper_index_publish_changes(path, o, n, del,
							     n_del, NULL, &err);
		if (ret < 0)
			goto fail;
		if (ret == 0 && publish_full(path, k, &err) < 0)
			goto fail;
		/* published and durable: a kill from here on must not lose
		   it (the crash test checks) */
		printf("%ld\n", k);
		fflush(stdout);
	}
	return 0;
fail:
	fprintf(stderr, "publish: %s\n", err.msg);
	return 1;
}

int main(int argc, char **argv)
{
	char why[600] = "";
	long k;

	if (argc >= 4 && strcmp(argv[1], "run") == 0)
		return run(argv[2], strtol(argv[3], NULL, 10),
			   argc > 4 ? strtol(argv[4], NULL, 10) : 10);
	if (argc == 3 && strcmp(argv[1], "check") == 0) {
		k = current(argv[2], why, sizeof(why));
		if (k < 0) {
			printf("inconsistent: %s\n", why);
			return 1;
		}
		printf("state=%ld\n", k);
		return 0;
	}
	fprintf(stderr, "usage: delta-publisher run PATH LAST [FOLD_EVERY] | "
			"check PATH\n");
	return 2;
}
