/* Unit tests of the client-side leaky bucket (webapi-bucket.c). */

#include <math.h>
#include <stdbool.h>

#include "webapi-private.h"
#include "tap.h"

static struct webapi_headers hdrs(double limit, double bw, double calls)
{
	struct webapi_headers h;

	webapi_headers_init(&h);
	h.api_limit = limit;
	h.api_bandwidth = bw;
	h.api_calls = calls;
	return h;
}

static void test_basics(void)
{
	struct webapi_bucket b;
	struct webapi_headers h;

	webapi_bucket_init(&b);
	TAP_OK(webapi_bucket_wait(&b, 0, 1) == 0,
	       "unknown bucket: no wait before the first answer");
	h = hdrs(10, 2, 10);
	webapi_bucket_answer(&b, &h, 100);
	TAP_OK(b.known, "limit and bandwidth learned from headers");
	TAP_NEAR(webapi_bucket_wait(&b, 100, 1), 0.5, 0.1,
		 "full bucket 10/2: wait ~0.5 s for one call");
	TAP_OK(webapi_bucket_wait(&b, 100.6, 1) == 0,
	       "after 0.6 s one call fits");
	TAP_NEAR(webapi_bucket_level(&b, 102), 6, 1e-9,
		 "level leaks 2 per second");
	TAP_OK(webapi_bucket_level(&b, 200) == 0, "level never below 0");
	TAP_OK(webapi_bucket_level(&b, 50) == 10,
	       "clock going back does not fill the bucket");

	h = hdrs(10, 2, 3);
	webapi_bucket_answer(&b, &h, 300);
	TAP_OK(webapi_bucket_wait(&b, 300, 1) == 0, "level 3 of 10: go now");
	TAP_NEAR(webapi_bucket_wait(&b, 300, 25), 1.5, 0.1,
		 "cost above the limit only needs an empty bucket");

	/* headers without Calls keep the estimate */
	h = hdrs(20, 4, -1);
	webapi_bucket_answer(&b, &h, 300);
	TAP_OK(b.limit == 20 && b.bandwidth == 4 && b.level == 3,
	       "limit/bandwidth updated, level kept when Calls is absent");
	h = hdrs(-1, -1, 0);
	webapi_bucket_answer(&b, &h, 301);
	TAP_OK(b.limit == 20 && b.level == 0,
	       "Calls alone updates the level only");
}

static void test_sent_without_answers(void)
{
	struct webapi_bucket b;
	struct webapi_headers h = hdrs(10, 2, 0);
	int i;

	webapi_bucket_init(&b);
	webapi_bucket_answer(&b, &h, 0);
	for (i = 0; i < 10; i++) {
		if (webapi_bucket_wait(&b, 0, 1) > 0)
			break;
		webapi_bucket_sent(&b, 0, 1);
	}
	TAP_OK(i == 10, "10 calls fit an empty 10/2 bucket at once (%d)", i);
	TAP_NEAR(webapi_bucket_wait(&b, 0, 1), 0.5, 0.1,
		 "the 11th call waits for one to leak");
}

/* A shop bucket as Shoper's (admit when level + 1 <= limit) against our
   model, with some latency: no call may be refused. */
static void test_simulation(double limit, double bw, int calls)
{
	struct webapi_bucket b;
	struct webapi_headers h;
	double now = 0, shop_level = 0, shop_t = 0, latency = 0.02;
	int refused = 0;

	webapi_bucket_init(&b);
	for (int i = 0; i < calls; i++) {
		double w = webapi_bucket_wait(&b, now, 1), lvl;

		now += w;
		webapi_bucket_sent(&b, now, 1);
		/* the request reaches the shop a little later */
		lvl = shop_level - bw * (now + latency - shop_t);
		if (lvl < 0)
			lvl = 0;
		shop_t = now + latency;
		if (lvl + 1 > limit + 1e-9) {
			refused++;
			shop_level = lvl;
		} else {
			shop_level = lvl + 1;
		}
		h = hdrs(limit, bw, ceil(shop_level));
		now += 2 * latency;
		webapi_bucket_answer(&b, &h, now);
	}
	TAP_OK(refused == 0, "bucket %g/%g, %d calls: %d refused by the shop",
	       limit, bw, calls, refused);
	/* the bucket is used, not wasted: limit at once, then bw per s */
	TAP_OK(now < (calls - limit) / bw + calls * 3 * latency + 2,
	       "bucket %g/%g, %d calls: simulated time %.1f s near the "
	       "shop's rate",
	       limit, bw, calls, now);
}

static void test_retry_after(void)
{
	struct webapi_bucket b;
	struct webapi_headers h;

	webapi_bucket_init(&b);
	webapi_headers_init(&h);
	TAP_OK(webapi_bucket_retry_after(&b, &h) == 1,
	       "429 without Retry-After, unknown bucket: 1 s");
	h.retry_after = 5;
	TAP_OK(webapi_bucket_retry_after(&b, &h) == 5, "Retry-After: 5 -> 5 s");
	h.retry_after = 3600;
	TAP_OK(webapi_bucket_retry_after(&b, &h) == WEBAPI_RETRY_AFTER_CAP_SECS,
	       "Retry-After: 3600 capped at 60 s");
	h.retry_after = 0;
	TAP_OK(webapi_bucket_retry_after(&b, &h) == 0, "Retry-After: 0 -> 0");
	h = hdrs(10, 4, 10);
	webapi_bucket_answer(&b, &h, 0);
	TAP_NEAR(webapi_bucket_retry_after(&b, &h), 0.25, 1e-9,
		 "429 without Retry-After: one call's leak time (1/4 s)");
}

/* Hostile or broken rate headers must not put the sync to sleep for
   hours: the wait is capped like Retry-After. */
static void test_hostile_headers(void)
{
	struct webapi_bucket b;
	struct webapi_headers h;

	webapi_bucket_init(&b);
	h = hdrs(10, 2, 100000);
	webapi_bucket_answer(&b, &h, 0);
	TAP_OK(b.level == 10, "level above the capacity is clamped to it");
	TAP_NEAR(webapi_bucket_wait(&b, 0, 1), 0.55, 0.01,
		 "calls 100000 of 10: wait as for a full bucket");
	h = hdrs(10, 0.0001, 10);
	webapi_bucket_answer(&b, &h, 0);
	TAP_OK(webapi_bucket_wait(&b, 0, 1) <= WEBAPI_RETRY_AFTER_CAP_SECS,
	       "bandwidth 0.0001: wait capped at %.0f s (got %.1f)",
	       WEBAPI_RETRY_AFTER_CAP_SECS, webapi_bucket_wait(&b, 0, 1));
	h = hdrs(1e9, 0.1, 1e9);
	webapi_bucket_answer(&b, &h, 0);
	TAP_OK(webapi_bucket_wait(&b, 0, 1e9) <= WEBAPI_RETRY_AFTER_CAP_SECS,
	       "huge capacity and cost: wait capped");
}

int main(void)
{
	test_basics();
	test_sent_without_answers();
	test_simulation(10, 2, 60);
	test_simulation(10, 10, 200);
	test_simulation(3, 0.5, 20);
	test_retry_after();
	test_hostile_headers();
	return tap_done();
}
