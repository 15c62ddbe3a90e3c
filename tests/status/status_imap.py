#!/usr/bin/env python3
"""IMAP client for the status-folder tests (stdlib imaplib only).

Mailbox names are given and printed in UTF-8 (modified UTF-7 on the wire).
Messages are named by their Message-ID <ID@test>.

  status_imap.py list PORT USER                 mailboxes, one per line
  status_imap.py move|copy PORT USER FROM ID TO  UID MOVE / UID COPY (a NO's
                                                text on stderr)
  status_imap.py append PORT USER MAILBOX < MSG
  status_imap.py flags PORT USER MAILBOX ID     the message's flags
  status_imap.py uid PORT USER MAILBOX ID       the message's UID
  status_imap.py count PORT USER MAILBOX        number of messages
  status_imap.py text PORT USER MAILBOX TEXT    messages containing TEXT
  status_imap.py header PORT USER MAILBOX NAME TEXT  messages whose header
                                                NAME contains TEXT
  status_imap.py metadata PORT USER MAILBOX ENTRY  GETMETADATA's value (""
                                                is the server), exit 1 for NIL
Exit status 0 on success, 1 when the server said NO or the message is
missing.
"""
import imaplib
import os
import re
import sys

sys.dont_write_bytecode = True  # the source tree may be read-only
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from dovecot_client import mutf7_decode, mutf7_encode  # noqa: E402

imaplib.Commands.setdefault("GETMETADATA", ("AUTH", "SELECTED"))


def quote(name):
    return '"' + mutf7_encode(name).replace("\\", "\\\\").replace('"', '\\"') + '"'


def login(port, user):
    m = imaplib.IMAP4("127.0.0.1", int(port))
    m.login(user, "secret")
    return m


def find_uid(m, mailbox, msg_id):
    typ, _ = m.select(quote(mailbox))
    if typ != "OK":
        return None
    typ, data = m.uid("SEARCH", "HEADER", "Message-ID",
                      '"<%s@test>"' % msg_id)
    uids = data[0].split() if typ == "OK" and data[0] else []
    return uids[-1].decode() if uids else None


def main(argv):
    cmd, port, user = argv[0], argv[1], argv[2]
    m = login(port, user)
    rc = 0
    if cmd == "list":
        typ, data = m.list()
        for line in data:
            line = line.decode()
            mt = re.match(r'\((.*?)\) (?:"(.*?)"|NIL) (.*)$', line)
            name = mt.group(3).strip('"')
            print(mutf7_decode(name))
    elif cmd in ("move", "copy"):
        uid = find_uid(m, argv[3], argv[4])
        if uid is None:
            rc = 1
        else:
            typ, data = m.uid(cmd.upper(), uid, quote(argv[5]))
            rc = 0 if typ == "OK" else 1
            if rc:
                print("%s %s" % (typ, data[0].decode(errors="replace")),
                      file=sys.stderr)
    elif cmd == "append":
        typ, _ = m.append(quote(argv[3]), None, None,
                          sys.stdin.buffer.read().replace(b"\n", b"\r\n"))
        rc = 0 if typ == "OK" else 1
    elif cmd == "flags":
        uid = find_uid(m, argv[3], argv[4])
        if uid is None:
            rc = 1
        else:
            typ, data = m.uid("FETCH", uid, "(FLAGS)")
            mt = re.search(rb"FLAGS \((.*?)\)", data[0] or b"")
            print(mt.group(1).decode() if mt else "")
    elif cmd == "uid":
        uid = find_uid(m, argv[3], argv[4])
        rc = 1 if uid is None else 0
        if uid is not None:
            print(uid)
    elif cmd == "text":
        m.select(quote(argv[3]), readonly=True)
        typ, data = m.uid("SEARCH", "TEXT", '"%s"' % argv[4])
        print(len(data[0].split()) if typ == "OK" else -1)
    elif cmd == "header":
        m.select(quote(argv[3]), readonly=True)
        typ, data = m.uid("SEARCH", "HEADER", argv[4], '"%s"' % argv[5])
        print(len(data[0].split()) if typ == "OK" else -1)
    elif cmd == "metadata":
        mbox = '""' if argv[3] == "" else quote(argv[3])
        typ, data = m._simple_command("GETMETADATA", mbox, "(%s)" % argv[4])
        _, data = m._untagged_response(typ, data, "METADATA")
        value = None
        for item in data or []:
            if isinstance(item, tuple):  # literal: (b'... {N}', b'value')
                value = item[1]
            elif item is not None:
                mt = re.search(rb' "((?:[^"\\]|\\.)*)"\)$', item)
                value = mt.group(1) if mt else value
        rc = 1 if typ != "OK" or value is None else 0
        if value is not None:
            sys.stdout.write(value.decode())
        elif typ != "OK":
            print("%s %s" % (typ, data), file=sys.stderr)
    elif cmd == "count":
        typ, data = m.select(quote(argv[3]), readonly=True)
        print(int(data[0]) if typ == "OK" else -1)
    else:
        raise SystemExit(__doc__)
    m.logout()
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
