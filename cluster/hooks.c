/* A shop's webhook hand-over stream (PREFIX:{SHOP}:hooks): a node that
   received a verified webhook for a shop another node leads adds the
   order ids it names; the leader reads them each round, re-reads the
   orders from the shop as if the webhook had come to it, then deletes
   the entries, fenced by its lease (a deposed leader leaves them to the
   next). Only ids travel: the body stays with the node that checked it,
   and the shop's answer is what the index gets. */
#include "cluster-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* entries kept (about) while no node reads them: a webhook is a hint,
   the poll catches what a trimmed one named */
#define HOOKS_MAXLEN "10000"
#define HOOKS_READ "100"

/* KEYS lease, hooks; ARGV holder, then entry ids. Deleted, or -1 fenced */
static const char ack_lua[] =
	"if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end\n"
	"return redis.call('XDEL', KEYS[2], unpack(ARGV, 2))\n";

static int hand_some(struct shoper_cluster *c, const char *key,
		     const long long *orders, unsigned int n,
		     struct shoper_error *err)
{
	char list[SHOPER_HOOKS_MAX_IDS * 21 + 1];
	size_t len = 0;

	list[0] = '\0';
	for (unsigned int i = 0; i < n; i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len,
					"%s%lld", i > 0 ? " " : "", orders[i]);
	const char *argv[] = {"XADD", key,      "MAXLEN", "~",    HOOKS_MAXLEN,
			      "*",    "orders", list,     "node", c->cfg.node};
	size_t lens[10];
	for (unsigned int i = 0; i < 10; i++)
		lens[i] = strlen(argv[i]);
	redisReply *rep = cluster_command(c, 10, argv, lens, err);
	if (rep == NULL)
		return -1;
	int ret = rep->type == REDIS_REPLY_STRING ? 0 : -1;
	if (ret < 0)
		shoper_error_set(err, "Redis %s: XADD %s: %s", c->server, key,
				 rep->type == REDIS_REPLY_ERROR
					 ? rep->str
					 : "unexpected reply");
	freeReplyObject(rep);
	return ret;
}

int shoper_hooks_hand(struct shoper_cluster *c, const char *shop,
		      const long long *orders, unsigned int n,
		      struct shoper_error *err)
{
	char key[256];

	cluster_key(c, shop, "hooks", key, sizeof(key));
	for (unsigned int i = 0; i < n; i += SHOPER_HOOKS_MAX_IDS) {
		unsigned int m = n - i < SHOPER_HOOKS_MAX_IDS
					 ? n - i
					 : SHOPER_HOOKS_MAX_IDS;
		if (hand_some(c, key, orders + i, m, err) < 0)
			return -1;
	}
	return 0;
}

static int add_order(struct shoper_hook_batch *b, long long id)
{
	for (unsigned int i = 0; i < b->n_orders; i++) {
		if (b->orders[i] == id)
			return 0; /* duplicates coalesce */
	}
	if (b->n_orders % 64 == 0) {
		long long *v =
			realloc(b->orders, (b->n_orders + 64) * sizeof(*v));
		if (v == NULL)
			return -1;
		b->orders = v;
	}
	b->orders[b->n_orders++] = id;
	return 0;
}

/* The entry's "orders": positive decimal ids separated by spaces; 0 and
   nothing added when it is anything else (the whole entry is dropped). */
static int parse_entry(struct shoper_hook_batch *b, const redisReply *f)
{
	const char *list = NULL;

	for (size_t i = 0; i + 1 < f->elements; i += 2) {
		if (f->element[i]->type == REDIS_REPLY_STRING &&
		    strcmp(f->element[i]->str, "orders") == 0 &&
		    f->element[i + 1]->type == REDIS_REPLY_STRING)
			list = f->element[i + 1]->str;
	}
	if (list == NULL || list[0] == '\0' ||
	    strspn(list, "0123456789 ") != strlen(list))
		return 0;
	long long ids[SHOPER_HOOKS_MAX_IDS];
	unsigned int n = 0;
	for (const char *p = list; *p != '\0';) {
		char *end;
		long long id = strtoll(p, &end, 10);
		if (end == p || id <= 0 || n == SHOPER_HOOKS_MAX_IDS ||
		    (*end != ' ' && *end != '\0'))
			return 0;
		ids[n++] = id;
		p = *end == ' ' ? end + 1 : end;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (add_order(b, ids[i]) < 0)
			return -1;
	}
	return 1;
}

static int add_entry(struct shoper_hook_batch *b, const redisReply *e)
{
	const redisReply *id = e->element[0];

	if (b->n_entries % 16 == 0) {
		void *v = realloc(b->entries,
				  (b->n_entries + 16) * sizeof(*b->entries));
		if (v == NULL)
			return -1;
		b->entries = v;
	}
	snprintf(b->entries[b->n_entries++], sizeof(b->entries[0]), "%s",
		 id->str);
	int ret = e->element[1]->type == REDIS_REPLY_ARRAY
			  ? parse_entry(b, e->element[1])
			  : 0;
	if (ret == 0) {
		b->dropped++;
		snprintf(b->dropped_id, sizeof(b->dropped_id), "%s", id->str);
	}
	return ret < 0 ? -1 : 0;
}

int shoper_hooks_read(struct shoper_cluster *c, const char *shop,
		      struct shoper_hook_batch *b, struct shoper_error *err)
{
	char key[256];

	memset(b, 0, sizeof(*b));
	cluster_key(c, shop, "hooks", key, sizeof(key));
	const char *argv[] = {"XRANGE", key, "-", "+", "COUNT", HOOKS_READ};
	size_t lens[6];
	for (unsigned int i = 0; i < 6; i++)
		lens[i] = strlen(argv[i]);
	redisReply *rep = cluster_command(c, 6, argv, lens, err);
	if (rep == NULL)
		return -1;
	int ret = 0;
	if (rep->type != REDIS_REPLY_ARRAY) {
		shoper_error_set(err, "Redis %s: XRANGE %s: %s", c->server, key,
				 rep->type == REDIS_REPLY_ERROR
					 ? rep->str
					 : "unexpected reply");
		ret = -1;
	}
	for (size_t i = 0; ret == 0 && i < rep->elements; i++) {
		const redisReply *e = rep->element[i];
		if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
		    e->element[0]->type != REDIS_REPLY_STRING)
			continue;
		if (add_entry(b, e) < 0) {
			shoper_error_set(err, "out of memory");
			ret = -1;
		}
	}
	freeReplyObject(rep);
	if (ret < 0)
		shoper_hook_batch_free(b);
	return ret;
}

int shoper_hooks_ack(struct shoper_cluster *c, const struct shoper_lease *l,
		     const struct shoper_hook_batch *b,
		     struct shoper_error *err)
{
	char k_lease[256], k_hooks[256], holder[160];
	unsigned int argc = 6 + b->n_entries;

	if (b->n_entries == 0)
		return 1;
	if (l->token == 0)
		return 0;
	const char **argv = calloc(argc, sizeof(*argv));
	size_t *lens = calloc(argc, sizeof(*lens));
	if (argv == NULL || lens == NULL) {
		free(argv);
		free(lens);
		shoper_error_set(err, "out of memory");
		return -1;
	}
	snprintf(holder, sizeof(holder), "%s %llu", c->cfg.node,
		 (unsigned long long)l->token);
	cluster_key(c, l->shop, "lease", k_lease, sizeof(k_lease));
	cluster_key(c, l->shop, "hooks", k_hooks, sizeof(k_hooks));
	const char *head[] = {"EVAL", ack_lua, "2", k_lease, k_hooks, holder};
	for (unsigned int i = 0; i < argc; i++) {
		argv[i] = i < 6 ? head[i] : b->entries[i - 6];
		lens[i] = strlen(argv[i]);
	}
	redisReply *rep = cluster_command(c, (int)argc, argv, lens, err);
	free(argv);
	free(lens);
	if (rep == NULL)
		return -1;
	int ret = 1;
	if (rep->type != REDIS_REPLY_INTEGER) {
		shoper_error_set(err, "Redis %s: the hooks of %s: %s",
				 c->server, l->shop,
				 rep->type == REDIS_REPLY_ERROR
					 ? rep->str
					 : "unexpected reply");
		ret = -1;
	} else if (rep->integer < 0) {
		ret = 0;
	}
	freeReplyObject(rep);
	return ret;
}

void shoper_hook_batch_free(struct shoper_hook_batch *b)
{
	free(b->orders);
	free(b->entries);
	memset(b, 0, sizeof(*b));
}
