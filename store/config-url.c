/* The shop URL check of shoper-sync.conf: https only, a host name or an
   IP literal, an optional port; a path copied from the admin panel is
   dropped, anything else after the host is refused with the reason. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool valid_host_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_';
}

static bool ipv6_ok(const char *p, size_t len)
{
	char addr[INET6_ADDRSTRLEN + 1];
	struct in6_addr in6;

	if (len >= sizeof(addr))
		return false;
	memcpy(addr, p, len);
	addr[len] = '\0';
	return inet_pton(AF_INET6, addr, &in6) == 1;
}

/* Skips the host at p: "[IPv6]" (checked with inet_pton; a zone id has no
   meaning to another host) or a name of labels without empty ones. */
static const char *skip_host(const char *p, const char **why_r)
{
	const char *end;

	if (*p == '[') {
		end = strchr(p, ']');
		if (end == NULL) {
			*why_r =
				"the IPv6 address has no closing ]; write https://[ADDRESS]:PORT";
			return NULL;
		}
		if (!ipv6_ok(p + 1, end - p - 1)) {
			*why_r =
				"the text in [ ] is not an IPv6 address; write https://[2001:db8::1] or use the host name";
			return NULL;
		}
		return end + 1;
	}
	for (end = p; valid_host_char(*end); end++) {
		if (*end == '.' && (end == p || end[-1] == '.')) {
			*why_r =
				"the host name has an empty part (a dot at the start or two dots); write https://HOST";
			return NULL;
		}
	}
	if (end > p && (end[-1] == '-' || p[0] == '-')) {
		*why_r =
			"the host name starts or ends with '-'; write https://HOST";
		return NULL;
	}
	return end;
}

/* Checks ":PORT" at p, if any; returns what follows. */
static const char *skip_port(const char *p, const char **why_r)
{
	const char *port;

	if (*p != ':')
		return p;
	port = ++p;
	while (isdigit((unsigned char)*p))
		p++;
	if (p == port || p - port > 5 || atoi(port) == 0 ||
	    atoi(port) > 65535) {
		*why_r =
			"the port is not a number from 1 to 65535; write https://HOST:PORT or leave the port out";
		return NULL;
	}
	return p;
}

/* A path (e.g. /admin/ copied from the panel) is dropped; anything else
   after the host (user@, ?query, #fragment, spaces) is not a shop
   address. */
static bool tail_ok(const char *p, const char **why_r)
{
	if (*p == '\0')
		return true;
	if (*p != '/') {
		*why_r =
			"unexpected characters after the host name (user@, ?, # or spaces); keep only https://HOST";
		return false;
	}
	for (; *p != '\0'; p++) {
		if (*p == '?' || *p == '#' || isspace((unsigned char)*p) ||
		    (unsigned char)*p < 0x20) {
			*why_r =
				"the URL has a query, fragment or space after the host; keep only https://HOST";
			return false;
		}
	}
	return true;
}

char *shoper_config_normalize_url(const char *url, const char **why_r)
{
	static const char prefix[] = "https://";
	const size_t plen = sizeof(prefix) - 1;
	const char *host, *p;
	char *r;
	size_t len;

	if (strncasecmp(url, "http://", 7) == 0) {
		*why_r =
			"the shop is reached over plain http; use the https:// address of the shop";
		return NULL;
	}
	if (strncasecmp(url, prefix, plen) != 0) {
		*why_r =
			"the URL does not start with https://; copy the shop address from the admin panel, e.g. https://sklep1.example.pl";
		return NULL;
	}
	host = url + plen;
	if ((p = skip_host(host, why_r)) == NULL)
		return NULL;
	if (p == host) {
		*why_r = "the URL has no host name; write https://HOST";
		return NULL;
	}
	if ((p = skip_port(p, why_r)) == NULL || !tail_ok(p, why_r))
		return NULL;
	len = p - url;
	r = malloc(len + 1);
	if (r == NULL)
		abort();
	memcpy(r, url, len);
	r[len] = '\0';
	/* scheme and host in lower case */
	for (char *c = r; *c != '\0'; c++)
		*c = tolower((unsigned char)*c);
	return r;
}
