/* Dates as the shops write them: shop-local "YYYY-MM-DD HH:MM:SS" in the
   shop's time zone. */
#include "shop-time.h"
#include "order-parse.h" /* sync_valid_date */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static bool parse_naive(const char *s, struct tm *tm)
{
	memset(tm, 0, sizeof(*tm));
	if (!sync_valid_date(s, strlen(s)) || sync_zero_date(s, strlen(s)) ||
	    sscanf(s, "%d-%d-%d %d:%d:%d", &tm->tm_year, &tm->tm_mon,
		   &tm->tm_mday, &tm->tm_hour, &tm->tm_min, &tm->tm_sec) != 6)
		return false;
	tm->tm_year -= 1900;
	tm->tm_mon -= 1;
	return true;
}

void sync_date_add(const char *date, long long offset, char out[20])
{
	struct tm tm;

	out[0] = '\0';
	if (!parse_naive(date, &tm))
		return;
	time_t t = timegm(&tm) + offset;
	gmtime_r(&t, &tm);
	strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

bool sync_zone_known(const char *zone)
{
	const char *dir = getenv("TZDIR");
	char path[4096];
	struct stat st;
	size_t n = strlen(zone);

	/* a name, never a path of our choosing or a POSIX TZ rule */
	if (n == 0 || n >= 64 || zone[0] == '/' || strstr(zone, "..") != NULL ||
	    strspn(zone, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789/_+-") != n)
		return false;
	snprintf(path, sizeof(path), "%s/%s",
		 dir != NULL && dir[0] != '\0' ? dir : "/usr/share/zoneinfo",
		 zone);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

void sync_local_time(const char *zone, long long offset, char out[20])
{
	const char *fake = getenv("SHOPER_SYNC_NOW");
	struct tm tm;

	if (fake != NULL && sync_valid_date(fake, strlen(fake))) {
		sync_date_add(fake, offset, out);
		return;
	}
	time_t t = time(NULL) + offset;
	if (zone == NULL || zone[0] == '\0') {
		localtime_r(&t, &tm);
	} else {
		/* libc converts in another zone only through TZ */
		const char *old = getenv("TZ");
		char *saved = old == NULL ? NULL : strdup(old);
		setenv("TZ", zone, 1);
		tzset();
		localtime_r(&t, &tm);
		if (saved != NULL)
			setenv("TZ", saved, 1);
		else
			unsetenv("TZ");
		tzset();
		free(saved);
	}
	strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}
