#!/usr/bin/env python3
"""Shows what a mail client sees: every folder of a user over IMAP, and per
message its From, Subject and X-Shoper-* headers (RFC 2047 decoded)."""
import email
import email.policy
import imaplib
import sys

port, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
imap = imaplib.IMAP4("127.0.0.1", int(port))
imap.login(user, password)


def decoded(value):
    return " ".join(str(value).split())


_, folders = imap.list()
for line in folders:
    name = line.decode().split(' "." ')[-1].strip('"')
    typ, data = imap.select('"%s"' % name, readonly=True)
    if typ != "OK" or int(data[0]) == 0:
        continue
    _, msgs = imap.fetch("1:*", "(BODY.PEEK[HEADER])")
    for item in msgs:
        if not isinstance(item, tuple):
            continue
        msg = email.message_from_bytes(item[1], policy=email.policy.default)
        print("  [%s] %s -- %s" % (name, decoded(msg["From"]),
                                    decoded(msg["Subject"])))
        for key, value in msg.items():
            if key.lower().startswith("x-shoper-"):
                print("      %s: %s" % (key, decoded(value)))
imap.logout()
