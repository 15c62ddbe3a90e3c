/* When and how long to wait before trying a webapi request again:
   capped exponential backoff with jitter for 5xx, timeouts and garbled
   answers; the interruptible sleep shared by retries and the bucket. */

#include <time.h>

#include "webapi-private.h"

/* Longest single nap, so a raised stop_flag is seen quickly. */
#define SLEEP_SLICE_SECS 0.1

enum webapi_retry_kind webapi_retry_classify(long http_code)
{
	if (http_code >= 200 && http_code < 300)
		return WEBAPI_RETRY_NONE;
	switch (http_code) {
	case 401:
		return WEBAPI_RETRY_REAUTH;
	case 429:
		return WEBAPI_RETRY_THROTTLED;
	case 408: /* request timeout */
	case 409: /* object locked for editing: temporarily_unavailable */
		return WEBAPI_RETRY_BACKOFF;
	case 501: /* not implemented: retrying will not help */
	case 505:
		return WEBAPI_RETRY_NONE;
	}
	if (http_code >= 500 && http_code < 600)
		return WEBAPI_RETRY_BACKOFF;
	/* 0: no status line at all */
	if (http_code == 0)
		return WEBAPI_RETRY_BACKOFF;
	return WEBAPI_RETRY_NONE;
}

unsigned int webapi_backoff_ms(unsigned int attempt, unsigned int base_ms,
			       unsigned int cap_ms, uint32_t rnd)
{
	uint64_t delay = base_ms == 0 ? 1 : base_ms;
	unsigned int half;

	for (unsigned int i = 0; i < attempt && delay < cap_ms; i++)
		delay *= 2;
	if (delay > cap_ms)
		delay = cap_ms;
	/* "equal jitter": spread retries of many clients, keep half the
	   delay so the schedule still grows */
	half = (unsigned int)(delay / 2);
	return half + (unsigned int)(rnd % ((uint32_t)(delay - half) + 1));
}

uint32_t webapi_rand(uint64_t *state)
{
	/* xorshift64*: jitter needs spread, not secrecy */
	uint64_t x = *state;

	if (x == 0)
		x = 0x9e3779b97f4a7c15ULL;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return (uint32_t)((x * 0x2545f4914f6cdd1dULL) >> 32);
}

static double real_now(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void real_sleep(void *ctx, double secs)
{
	struct timespec ts;

	(void)ctx;
	if (secs <= 0)
		return;
	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

const struct webapi_clock webapi_real_clock = {
	.now = real_now,
	.sleep = real_sleep,
	.ctx = NULL,
};

bool webapi_sleep(const struct webapi_clock *clock, volatile int *stop_flag,
		  double secs)
{
	double end = clock->now(clock->ctx) + secs, left;

	for (;;) {
		if (stop_flag != NULL && *stop_flag != 0)
			return false;
		left = end - clock->now(clock->ctx);
		if (left <= 0)
			return true;
		clock->sleep(clock->ctx,
			     left < SLEEP_SLICE_SECS ? left : SLEEP_SLICE_SECS);
	}
}
