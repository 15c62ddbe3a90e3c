/* Unit tests of retry classification, the backoff schedule and the
   interruptible sleep (webapi-retry.c). */

#include <stdbool.h>

#include "webapi-private.h"
#include "tap.h"

struct fake_clock {
	double now;
	int naps;
	volatile int *stop_at_nap; /* raised after 3 naps */
};

static double fake_now(void *ctx)
{
	return ((struct fake_clock *)ctx)->now;
}

static void fake_sleep(void *ctx, double secs)
{
	struct fake_clock *c = ctx;

	c->now += secs;
	if (++c->naps == 3 && c->stop_at_nap != NULL)
		*c->stop_at_nap = 1;
}

static void test_classify(void)
{
	TAP_OK(webapi_retry_classify(200) == WEBAPI_RETRY_NONE, "200 final");
	TAP_OK(webapi_retry_classify(204) == WEBAPI_RETRY_NONE, "204 final");
	TAP_OK(webapi_retry_classify(401) == WEBAPI_RETRY_REAUTH,
	       "401 re-auth");
	TAP_OK(webapi_retry_classify(429) == WEBAPI_RETRY_THROTTLED,
	       "429 throttled");
	TAP_OK(webapi_retry_classify(500) == WEBAPI_RETRY_BACKOFF,
	       "500 retried");
	TAP_OK(webapi_retry_classify(502) == WEBAPI_RETRY_BACKOFF,
	       "502 retried");
	TAP_OK(webapi_retry_classify(503) == WEBAPI_RETRY_BACKOFF,
	       "503 retried");
	TAP_OK(webapi_retry_classify(504) == WEBAPI_RETRY_BACKOFF,
	       "504 retried");
	TAP_OK(webapi_retry_classify(408) == WEBAPI_RETRY_BACKOFF,
	       "408 retried");
	TAP_OK(webapi_retry_classify(501) == WEBAPI_RETRY_NONE,
	       "501 not retried");
	TAP_OK(webapi_retry_classify(400) == WEBAPI_RETRY_NONE,
	       "400 not retried");
	TAP_OK(webapi_retry_classify(403) == WEBAPI_RETRY_NONE,
	       "403 not retried");
	TAP_OK(webapi_retry_classify(404) == WEBAPI_RETRY_NONE,
	       "404 not retried");
}

static void test_backoff(void)
{
	unsigned int prev_max = 0, ms;
	bool grows = true, within = true;

	for (unsigned int a = 0; a < 8; a++) {
		unsigned int lo = webapi_backoff_ms(a, 500, 30000, 0);
		unsigned int hi = webapi_backoff_ms(a, 500, 30000, UINT32_MAX);
		unsigned int full = 500u << a > 30000 ? 30000 : 500u << a;

		if (hi < prev_max)
			grows = false;
		if (lo < full / 2 || hi > full || lo > hi)
			within = false;
		prev_max = hi;
	}
	TAP_OK(within, "attempt n: delay in [d/2, d], d = 500 ms * 2^n");
	TAP_OK(grows, "schedule never shrinks");
	TAP_OK(webapi_backoff_ms(0, 500, 30000, 0) == 250 &&
		       webapi_backoff_ms(0, 500, 30000, 250) == 500,
	       "attempt 0: 250..500 ms");
	TAP_OK(webapi_backoff_ms(3, 500, 30000, 0) == 2000,
	       "attempt 3: at least 2000 ms");
	ms = webapi_backoff_ms(10, 500, 30000, UINT32_MAX);
	TAP_OK(ms <= 30000 && ms >= 15000, "attempt 10 capped at 30 s (%u)",
	       ms);
	ms = webapi_backoff_ms(1000, 500, 30000, 12345);
	TAP_OK(ms <= 30000 && ms >= 15000, "attempt 1000: no overflow (%u)",
	       ms);
	ms = webapi_backoff_ms(0, 500, 100, UINT32_MAX);
	TAP_OK(ms <= 100, "cap below base wins (%u)", ms);
	ms = webapi_backoff_ms(5, 0, 100, 7);
	TAP_OK(ms <= 100, "zero base still bounded (%u)", ms);
}

static void test_jitter(void)
{
	uint64_t state = 42;
	unsigned int min = UINT32_MAX, max = 0;

	for (int i = 0; i < 1000; i++) {
		unsigned int ms =
			webapi_backoff_ms(4, 500, 30000, webapi_rand(&state));

		if (ms < min)
			min = ms;
		if (ms > max)
			max = ms;
	}
	TAP_OK(min >= 4000 && max <= 8000 && max - min > 2000,
	       "jitter spreads attempt 4 over 4..8 s (%u..%u)", min, max);
}

static void test_sleep(void)
{
	struct fake_clock fc = {.now = 10};
	struct webapi_clock clock = {fake_now, fake_sleep, &fc};
	volatile int stop = 0;

	TAP_OK(webapi_sleep(&clock, &stop, 2.0) && fc.now >= 12.0 &&
		       fc.now < 12.01,
	       "sleep 2 s without stop: slept 2 s");
	TAP_OK(fc.naps >= 10, "slept in short slices (%d)", fc.naps);
	fc.naps = 0;
	fc.now = 0;
	fc.stop_at_nap = &stop;
	TAP_OK(!webapi_sleep(&clock, &stop, 60.0), "stop_flag ends a sleep");
	TAP_OK(fc.now < 1.0, "stopped within a second (%.2f)", fc.now);
	TAP_OK(!webapi_sleep(&clock, &stop, 0),
	       "raised stop_flag: even a 0 s sleep reports stop");
	TAP_OK(webapi_sleep(&clock, NULL, 0.5), "NULL stop_flag is fine");
}

int main(void)
{
	test_classify();
	test_backoff();
	test_jitter();
	test_sleep();
	return tap_done();
}
