/* A shop's orders as this node knows them from the cluster: an
   open-addressing table (linear probing, deletion by backward shift) of
   order id -> encoded order, and the stream id applied last. */
#include "cluster-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned int hash(const char *s)
{
	unsigned int h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

struct shoper_replica *shoper_replica_new(const char *shop)
{
	struct shoper_replica *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	snprintf(r->shop, sizeof(r->shop), "%s", shop);
	r->size = 64;
	r->slots = calloc(r->size, sizeof(*r->slots));
	if (r->slots == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

void shoper_replica_clear(struct shoper_replica *r)
{
	for (unsigned int i = 0; i < r->size; i++) {
		free(r->slots[i].id);
		r->slots[i].id = NULL;
	}
	r->count = 0;
	r->stream_id[0] = '\0';
	if (r->statuses != NULL)
		r->statuses_gen++;
	free(r->statuses);
	r->statuses = NULL;
	r->statuses_len = 0;
}

unsigned int shoper_replica_statuses(const struct shoper_replica *r,
				     const char **data_r, size_t *len_r)
{
	*data_r = r->statuses;
	*len_r = r->statuses_len;
	return r->statuses_gen;
}

static int put_statuses(struct shoper_replica *r, const char *data, size_t len)
{
	if (data == NULL && r->statuses == NULL)
		return 0;
	if (data != NULL && r->statuses != NULL && r->statuses_len == len &&
	    memcmp(r->statuses, data, len) == 0)
		return 0;
	char *p = NULL;
	if (data != NULL) {
		p = malloc(len + 1);
		if (p == NULL)
			return -1;
		memcpy(p, data, len);
	}
	free(r->statuses);
	r->statuses = p;
	r->statuses_len = data != NULL ? len : 0;
	r->statuses_gen++;
	return 1;
}

void shoper_replica_free(struct shoper_replica **_r)
{
	struct shoper_replica *r = *_r;

	if (r == NULL)
		return;
	*_r = NULL;
	shoper_replica_clear(r);
	free(r->slots);
	free(r);
}

const char *shoper_replica_shop(const struct shoper_replica *r)
{
	return r->shop;
}

const char *shoper_replica_stream_id(const struct shoper_replica *r)
{
	return r->stream_id;
}

void cluster_replica_set_stream_id(struct shoper_replica *r, const char *id)
{
	snprintf(r->stream_id, sizeof(r->stream_id), "%s", id);
}

unsigned int shoper_replica_count(const struct shoper_replica *r)
{
	return r->count;
}

static unsigned int find(const struct shoper_replica *r, const char *id)
{
	unsigned int i = hash(id) & (r->size - 1);

	while (r->slots[i].id != NULL && strcmp(r->slots[i].id, id) != 0)
		i = (i + 1) & (r->size - 1);
	return i;
}

static int grow(struct shoper_replica *r)
{
	struct slot *old = r->slots;
	unsigned int old_size = r->size;

	r->slots = calloc(old_size * 2, sizeof(*r->slots));
	if (r->slots == NULL) {
		r->slots = old;
		return -1;
	}
	r->size = old_size * 2;
	for (unsigned int i = 0; i < old_size; i++) {
		if (old[i].id != NULL)
			r->slots[find(r, old[i].id)] = old[i];
	}
	free(old);
	return 0;
}

static void remove_at(struct shoper_replica *r, unsigned int i)
{
	unsigned int mask = r->size - 1, j = i;

	free(r->slots[i].id);
	r->slots[i].id = NULL;
	r->count--;
	/* shift back the entries of the run that probed past i */
	for (j = (j + 1) & mask; r->slots[j].id != NULL; j = (j + 1) & mask) {
		unsigned int home = hash(r->slots[j].id) & mask;
		bool between = i <= j ? (i < home && home <= j)
				      : (i < home || home <= j);
		if (between)
			continue;
		r->slots[i] = r->slots[j];
		r->slots[j].id = NULL;
		i = j;
	}
}

int shoper_replica_put(struct shoper_replica *r, const char *order_id,
		       const char *data, size_t len)
{
	if (strcmp(order_id, SHOPER_CLUSTER_STATUSES) == 0)
		return put_statuses(r, data, len);
	unsigned int i = find(r, order_id);
	struct slot *s = &r->slots[i];

	if (data == NULL) {
		if (s->id == NULL)
			return 0;
		remove_at(r, i);
		return 1;
	}
	if (s->id != NULL && s->len == len && memcmp(s->data, data, len) == 0)
		return 0;
	size_t id_len = strlen(order_id) + 1;
	char *p = malloc(id_len + len + 1);
	if (p == NULL)
		return -1;
	memcpy(p, order_id, id_len);
	memcpy(p + id_len, data, len);
	if (s->id != NULL) {
		free(s->id);
	} else {
		r->count++;
	}
	s->id = p;
	s->data = p + id_len;
	s->len = len;
	if (r->count * 2 > r->size && grow(r) < 0)
		return -1;
	return 1;
}

int shoper_replica_get(const struct shoper_replica *r, const char *order_id,
		       const char **data_r, size_t *len_r)
{
	const struct slot *s = &r->slots[find(r, order_id)];

	if (s->id == NULL)
		return 0;
	*data_r = s->data;
	*len_r = s->len;
	return 1;
}

int shoper_replica_foreach(const struct shoper_replica *r,
			   shoper_replica_cb *cb, void *ctx)
{
	for (unsigned int i = 0; i < r->size; i++) {
		const struct slot *s = &r->slots[i];
		if (s->id == NULL)
			continue;
		int ret = cb(ctx, s->id, s->data, s->len);
		if (ret != 0)
			return ret;
	}
	return 0;
}
