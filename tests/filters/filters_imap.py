#!/usr/bin/env python3
"""IMAP checks for tests/filters (stdlib only).

  filters_imap.py list PORT USER PATTERN       mailbox names, one a line
  filters_imap.py ids PORT USER MAILBOX        Message-ID local parts, sorted
  filters_imap.py flags PORT USER MAILBOX      "ID FLAG FLAG..." per message
Password "secret" (tests/lib/dovecot.sh).
"""
import imaplib
import os
import re
import sys

sys.dont_write_bytecode = True  # the source tree may be read-only
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from dovecot_client import mutf7_decode, mutf7_encode  # noqa: E402


def login(port, user):
    m = imaplib.IMAP4("127.0.0.1", int(port))
    m.login(user, "secret")
    return m


def quote(name):
    return '"%s"' % name.replace("\\", "\\\\").replace('"', '\\"')


def cmd_list(port, user, pattern):
    m = login(port, user)
    typ, data = m.list('""', quote(mutf7_encode(pattern)))
    for item in data or []:
        if item is None:
            continue
        line = item.decode() if isinstance(item, bytes) else item[0].decode()
        mo = re.match(r'\(.*?\) (?:"."|NIL) (.*)$', line)
        if mo:
            name = mo.group(1)
            if name.startswith('"'):
                name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            print(mutf7_decode(name))
    m.logout()


def fetch(port, user, mailbox, want_flags):
    m = login(port, user)
    typ, n = m.select(quote(mutf7_encode(mailbox)), readonly=True)
    if typ != "OK":
        raise SystemExit("cannot select " + mailbox)
    if int(n[0]) == 0:
        m.logout()
        return
    typ, data = m.fetch("1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
    rows = []
    for item in data or []:
        if not isinstance(item, tuple):
            continue
        meta = item[0].decode()
        mid = re.search(r"<([^@>]*)@", item[1].decode("utf-8", "replace"))
        flags = re.search(r"FLAGS \(([^)]*)\)", meta)
        fl = sorted(f for f in (flags.group(1).split() if flags else [])
                    if f != "\\Recent")
        ident = mid.group(1) if mid else "?"
        rows.append(ident + (" " + " ".join(fl) if want_flags else ""))
    for r in sorted(rows):
        print(r.rstrip())
    m.logout()


def main(argv):
    if argv[0] == "list":
        cmd_list(argv[1], argv[2], argv[3])
    elif argv[0] == "ids":
        fetch(argv[1], argv[2], argv[3], False)
    elif argv[0] == "flags":
        fetch(argv[1], argv[2], argv[3], True)
    else:
        raise SystemExit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
