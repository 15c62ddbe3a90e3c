/* Client-side model of the shop's leaky bucket. The shop tells us its
   capacity (X-Shop-Api-Limit), how many calls leak out per second
   (X-Shop-Api-Bandwidth) and the level after each call (X-Shop-Api-Calls);
   between answers the level is estimated as level - bandwidth * elapsed.
   Pure functions: the caller passes the time, so tests need no clock. */

#include <math.h>

#include "webapi-private.h"

/* Room kept free against clock differences with the shop. */
#define BUCKET_MARGIN 0.05

void webapi_bucket_init(struct webapi_bucket *b)
{
	b->known = false;
	b->limit = 0;
	b->bandwidth = 0;
	b->level = 0;
	b->t = 0;
}

double webapi_bucket_level(const struct webapi_bucket *b, double now)
{
	double dt = now - b->t, level;

	if (dt < 0)
		dt = 0;
	level = b->level - (b->bandwidth > 0 ? b->bandwidth * dt : 0);
	return level > 0 ? level : 0;
}

double webapi_bucket_wait(const struct webapi_bucket *b, double now,
			  double cost)
{
	double over;

	if (!b->known || b->bandwidth <= 0 || b->limit <= 0)
		return 0;
	/* a call costing more than the whole bucket only needs it empty */
	if (cost > b->limit)
		cost = b->limit;
	over = webapi_bucket_level(b, now) + cost - b->limit;
	if (over <= 0)
		return 0;
	return over / b->bandwidth + BUCKET_MARGIN;
}

void webapi_bucket_sent(struct webapi_bucket *b, double now, double cost)
{
	b->level = webapi_bucket_level(b, now) + cost;
	b->t = now;
}

void webapi_bucket_answer(struct webapi_bucket *b,
			  const struct webapi_headers *hdr, double now)
{
	if (hdr->api_limit > 0)
		b->limit = hdr->api_limit;
	if (hdr->api_bandwidth > 0)
		b->bandwidth = hdr->api_bandwidth;
	b->known = b->limit > 0 && b->bandwidth > 0;
	if (hdr->api_calls >= 0) {
		/* the shop's own count wins over our estimate */
		b->level = hdr->api_calls;
		b->t = now;
	}
}

double webapi_bucket_retry_after(const struct webapi_bucket *b,
				 const struct webapi_headers *hdr)
{
	double secs;

	if (hdr->retry_after >= 0)
		secs = hdr->retry_after;
	else if (b->known)
		secs = 1.0 / b->bandwidth;
	else
		secs = 1.0;
	if (!isfinite(secs) || secs > WEBAPI_RETRY_AFTER_CAP_SECS)
		secs = WEBAPI_RETRY_AFTER_CAP_SECS;
	return secs;
}
