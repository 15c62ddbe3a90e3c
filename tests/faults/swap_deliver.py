#!/usr/bin/env python3
"""LMTP deliveries while the order index is replaced (tests/faults).

  swap_deliver.py SOCKET RCPT N SWAPS WORKERS MAKE-INDEX INDEX A.jsonl B.jsonl

WORKERS threads each hold one LMTP connection and deliver messages from
jan@example.com to RCPT (one transaction each) until N are sent in all;
every N/SWAPS deliveries the index is republished (make-test-index writes a
temporary file and renames it; mode 0640, group from the setgid directory
as in production), alternating B and A. Prints key=value
counts: sent, accepted (250 after DATA), tempfail (4xx), failed (5xx or a
broken connection), swaps.
"""
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.environ["TOP_SRCDIR"], "tests", "lib"))
from dovecot_client import Lmtp  # noqa: E402

MSG = ("From: Jan <jan@example.com>\r\nTo: support@test.example\r\n"
       "Subject: swap %d\r\nMessage-ID: <swap-%d@test>\r\n"
       "X-Shoper-Order-Status-Type: forged\r\n"
       "Date: Sat, 29 Nov 2026 10:00:00 +0100\r\n\r\nbody %d\r\n.\r\n")


class State:
    def __init__(self, n, swaps):
        self.lock = threading.Lock()
        self.next = 0
        self.n = n
        self.every = max(1, n // swaps) if swaps else 0
        self.counts = {"sent": 0, "accepted": 0, "tempfail": 0,
                       "failed": 0}
        self.due = 0

    def take(self):
        with self.lock:
            if self.next >= self.n:
                return None
            self.next += 1
            # swap k is due at the middle of the k-th interval
            if self.every and self.next % self.every == self.every // 2:
                self.due += 1
            return self.next

    def count(self, key):
        with self.lock:
            self.counts[key] += 1


def worker(sock_path, rcpt, st):
    c = None
    while True:
        i = st.take()
        if i is None:
            break
        st.count("sent")
        try:
            if c is None:
                c = Lmtp(sock_path)
                c.reply()
                c.cmd("LHLO test.example")
            c.cmd("MAIL FROM:<jan@example.com>")
            code, _ = c.cmd("RCPT TO:<%s>" % rcpt)
            if code == 250:
                code, _ = c.cmd("DATA")
            if code == 354:
                c.sock.sendall((MSG % (i, i, i)).encode())
                code, line = c.reply()
            if code == 250:
                st.count("accepted")
            else:
                st.count("tempfail" if 400 <= code < 500 else "failed")
                sys.stderr.write("message %d: %d\n" % (i, code))
                c.cmd("RSET")
        except (OSError, EOFError) as e:
            st.count("failed")
            sys.stderr.write("message %d: %s\n" % (i, e))
            c = None
    if c is not None:
        try:
            c.cmd("QUIT")
        except (OSError, EOFError):
            pass


def publish(make_index, index, jsonl):
    with open(jsonl, "rb") as f:
        subprocess.run([make_index, index], stdin=f, check=True)


def main(argv):
    sock_path, rcpt, n, swaps, workers, make_index, index, a, b = argv
    st = State(int(n), int(swaps))
    threads = [threading.Thread(target=worker, args=(sock_path, rcpt, st))
               for _ in range(int(workers))]
    for t in threads:
        t.start()
    done = 0
    while any(t.is_alive() for t in threads):
        with st.lock:
            due = min(st.due, int(swaps))
        if done < due:
            done += 1
            publish(make_index, index, b if done % 2 else a)
        else:
            time.sleep(0.002)
    for t in threads:
        t.join()
    st.counts["swaps"] = done
    print(" ".join("%s=%d" % kv for kv in st.counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
