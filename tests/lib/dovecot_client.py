#!/usr/bin/env python3
"""Test clients for the private Dovecot of tests/lib/dovecot.sh (stdlib only).

  dovecot_client.py port                          print a free loopback port
  dovecot_client.py lmtp ADDR FROM RCPT... < MSG  one LMTP transaction; prints
        "RCPT CODE" per recipient; ADDR is a unix socket path or host:port
  dovecot_client.py fetch PORT USER PASS MAILBOX FIELD...
        prints the FIELD headers of every message (BODY.PEEK[HEADER.FIELDS])
  dovecot_client.py search PORT USER PASS MAILBOX HEADER VALUE
        prints the number of messages SEARCH HEADER finds
"""
import base64
import imaplib
import re
import socket
import sys


def mutf7_encode(name):
    """IMAP modified UTF-7 (RFC 3501 5.1.3) of a mailbox name."""
    out, buf = [], []

    def flush():
        if buf:
            raw = "".join(buf).encode("utf-16-be")
            b = base64.b64encode(raw).decode().rstrip("=").replace("/", ",")
            out.append("&" + b + "-")
            buf.clear()
    for ch in name:
        if 0x20 <= ord(ch) <= 0x7e:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            buf.append(ch)
    flush()
    return "".join(out)


def mutf7_decode(name):
    """A mailbox name in modified UTF-7 back to text."""
    def dec(m):
        s = m.group(1)
        if s == "":
            return "&"
        s = s.replace(",", "/")
        s += "=" * (-len(s) % 4)
        return base64.b64decode(s).decode("utf-16-be")
    return re.sub(r"&([A-Za-z0-9+,]*)-", dec, name)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Lmtp:
    def __init__(self, addr):
        if addr.startswith("/"):
            self.sock = socket.socket(socket.AF_UNIX)
            self.sock.connect(addr)
        else:
            host, port = addr.rsplit(":", 1)
            self.sock = socket.create_connection((host, int(port)), 10)
        self.sock.settimeout(30)
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("LMTP connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def reply(self):
        while True:
            line = self.line()
            if line[3:4] != "-":
                return int(line[:3]), line

    def cmd(self, text):
        self.sock.sendall(text.encode() + b"\r\n")
        return self.reply()


def lmtp(addr, mail_from, rcpts, msg):
    c = Lmtp(addr)
    c.reply()
    c.cmd("LHLO test.example")
    code, line = c.cmd("MAIL FROM:<%s>" % mail_from)
    if code != 250:
        raise SystemExit("MAIL FROM refused: " + line)
    accepted = []
    for r in rcpts:
        code, line = c.cmd("RCPT TO:<%s>" % r)
        if code == 250:
            accepted.append(r)
        else:
            print(r, code)
    code, line = c.cmd("DATA")
    if code != 354:
        raise SystemExit("DATA refused: " + line)
    lines = msg.replace(b"\r\n", b"\n").split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    body = b"".join((b"." + l if l.startswith(b".") else l) + b"\r\n"
                    for l in lines)
    c.sock.sendall(body + b".\r\n")
    ok = True
    for r in accepted:
        code, line = c.reply()
        print(r, code)
        ok = ok and code == 250
    c.cmd("QUIT")
    return 0 if ok and len(accepted) == len(rcpts) else 1


def imap_login(port, user, password):
    m = imaplib.IMAP4("127.0.0.1", int(port))
    m.login(user, password)
    return m


def fetch(port, user, password, mailbox, fields):
    m = imap_login(port, user, password)
    typ, _ = m.select('"%s"' % mailbox, readonly=True)
    if typ != "OK":
        raise SystemExit("no mailbox " + mailbox)
    typ, data = m.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (%s)])"
                        % " ".join(fields))
    for item in data:
        if isinstance(item, tuple):
            sys.stdout.write(item[1].decode("utf-8", "replace")
                             .replace("\r\n", "\n"))
    m.logout()
    return 0


def search(port, user, password, mailbox, header, value):
    m = imap_login(port, user, password)
    m.select('"%s"' % mailbox, readonly=True)
    m.literal = value.encode("utf-8")  # sent as the last argument
    typ, data = m.search("UTF-8", "HEADER", header)
    print(len(data[0].split()) if typ == "OK" else -1)
    m.logout()
    return 0


def main(argv):
    if argv[0] == "port":
        print(free_port())
        return 0
    if argv[0] == "lmtp":
        return lmtp(argv[1], argv[2], argv[3:], sys.stdin.buffer.read())
    if argv[0] == "fetch":
        return fetch(argv[1], argv[2], argv[3], argv[4], argv[5:])
    if argv[0] == "search":
        return search(*argv[1:7])
    raise SystemExit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
