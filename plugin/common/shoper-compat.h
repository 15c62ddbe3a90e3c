#ifndef SHOPER_COMPAT_H
#define SHOPER_COMPAT_H

/* One-line shims that give Dovecot 2.3 the 2.4 names the shared code uses.
   The only series check outside the plugin/ *-23.c and *-24.c files that
   configure picks. Include after lib.h (Dovecot's config.h). */

#if DOVECOT_VERSION_MAJOR == 2 && DOVECOT_VERSION_MINOR < 4
/* 2.4's str_begins() takes a third argument, the suffix */
#define str_begins_with(haystack, needle) str_begins(haystack, needle)
#endif

#endif
