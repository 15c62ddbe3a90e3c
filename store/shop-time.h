#ifndef SHOPER_SYNC_SHOP_TIME_H
#define SHOPER_SYNC_SHOP_TIME_H

#include <stdbool.h>

/* Shop-local "YYYY-MM-DD HH:MM:SS" of now + offset seconds in the time
   zone named zone (the shop's locale_timezone), or in this host's when
   zone is NULL or "". SHOPER_SYNC_NOW (shop-local) overrides now, for
   tests. Sets TZ for a moment: call it while no other thread runs. */
void sync_local_time(const char *zone, long long offset, char out[20]);
/* zone is an IANA name this host has a zone file for ("Europe/Warsaw"). */
bool sync_zone_known(const char *zone);
/* date (naive) + offset seconds; "" stays "". */
void sync_date_add(const char *date, long long offset, char out[20]);

#endif
