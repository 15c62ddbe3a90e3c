/* Client-side model of the shop's leaky bucket. The shop tells us its
   capacity (X-Shop-Api-Limit), how many calls leak out per second
   (X-Shop-Api-Bandwidth) and the level after each call (X-Shop-Api-Calls);
   between answers the level is estimated as level - bandwidth * elapsed.
   Pure functions: the caller passes the time, so tests need no clock. */

#include <math.h>

#include "webapi-private.h"

/* Room kept free against clock differences with the shop. */
#define BUCKET_MARGIN 0.05
/* A leak rate below this is a broken header, not a plan: believing it
   would stall every shop (they sync one after another) for hours. */
#define BUCKET_MIN_BANDWIDTH 0.1

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
	/* never longer than a Retry-After we would accept: a wrong estimate
	   costs at most one 429 answer, a wrong wait costs the whole run */
	return fmin(over / b->bandwidth + BUCKET_MARGIN,
		    WEBAPI_RETRY_AFTER_CAP_SECS);
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
		b->bandwidth = fmax(hdr->api_bandwidth, BUCKET_MIN_BANDWIDTH);
	b->known = b->limit > 0 && b->bandwidth > 0;
	if (hdr->api_calls >= 0) {
		/* the shop's own count wins over our estimate, but a bucket
		   holds at most its capacity */
		b->level = b->limit > 0 ? fmin(hdr->api_calls, b->limit)
					: hdr->api_calls;
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
