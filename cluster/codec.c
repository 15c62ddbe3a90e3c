/* One order as Redis holds it: "O1", the status type and paid bytes,
   then each string field as a 4-byte little-endian length and its
   bytes. The index checks every value again when it takes the order. */
#include "shoper-cluster.h"

#include <stdlib.h>
#include <string.h>

#define N_FIELDS 15

static void fields(struct shoper_order *o, struct shoper_str **f)
{
	struct shoper_str *all[N_FIELDS] = {
		&o->shop,           &o->order_id,    &o->date,
		&o->status_id,      &o->status_name, &o->total,
		&o->currency,       &o->tracking,    &o->customer,
		&o->email,          &o->url,         &o->synced,
		&o->delivery_email, &o->shipping,    &o->tracking_url,
	};
	memcpy(f, all, sizeof(all));
}

int shoper_cluster_encode_order(const struct shoper_order *o, char **out_r,
				size_t *len_r)
{
	struct shoper_order copy = *o;
	struct shoper_str *f[N_FIELDS];
	size_t total = 4;
	unsigned char *p;

	fields(&copy, f);
	for (int i = 0; i < N_FIELDS; i++)
		total += 4 + f[i]->len;
	p = malloc(total);
	if (p == NULL)
		return -1;
	*out_r = (char *)p;
	*len_r = total;
	*p++ = 'O';
	*p++ = '1';
	*p++ = (unsigned char)o->status_type;
	*p++ = o->paid ? 1 : 0;
	for (int i = 0; i < N_FIELDS; i++) {
		uint32_t len = (uint32_t)f[i]->len;
		for (int b = 0; b < 4; b++)
			*p++ = (unsigned char)(len >> (8 * b));
		if (len > 0)
			memcpy(p, f[i]->ptr, len);
		p += len;
	}
	return 0;
}

int shoper_cluster_decode_order(const char *data, size_t len,
				struct shoper_order *o)
{
	const unsigned char *p = (const unsigned char *)data;
	const unsigned char *end = p + len;
	struct shoper_str *f[N_FIELDS];

	memset(o, 0, sizeof(*o));
	if (len < 4 || p[0] != 'O' || p[1] != '1' ||
	    p[2] > SHOPER_STATUS_TYPE_NOT_COMPLETED || p[3] > 1)
		return -1;
	o->status_type = (enum shoper_status_type)p[2];
	o->paid = p[3] == 1;
	p += 4;
	fields(o, f);
	for (int i = 0; i < N_FIELDS; i++) {
		if (end - p < 4)
			return -1;
		uint32_t flen =
			p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
		p += 4;
		if ((size_t)(end - p) < flen)
			return -1;
		f[i]->ptr = (const char *)p;
		f[i]->len = flen;
		p += flen;
	}
	return p == end && o->shop.len > 0 && o->order_id.len > 0 ? 0 : -1;
}
