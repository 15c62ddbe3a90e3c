#!/usr/bin/env python3
"""Classifies stored messages by their X-Shoper-* header block (tests/faults).

  check_headers.py MAILDIR REF-A REF-B PREFIX N

REF-A/REF-B: stored messages delivered with index A and B. Every message
with Message-ID <PREFIX-i@test>, i = 1..N, must be stored once and carry
exactly A's or exactly B's X-Shoper-* lines (same lines, same order).
Prints key=value counts: stored, lost, duplicates, old (A), new (B),
mixed (neither), and the first few mixed ones on stderr.
"""
import os
import re
import sys


def header_part(path):
    with open(path, "rb") as f:
        data = f.read()
    end = data.find(b"\n\n")
    end2 = data.find(b"\r\n\r\n")
    if end < 0 or (0 <= end2 < end):
        end = end2
    return data[:end].replace(b"\r\n", b"\n").split(b"\n")


def shoper_block(lines):
    out, on = [], False
    for line in lines:
        if line[:1] in (b" ", b"\t"):
            if on:
                out[-1] += b"\n" + line
            continue
        on = line.lower().startswith(b"x-shoper-")
        if on:
            out.append(line)
    return out


def message_id(lines):
    for line in lines:
        if line.lower().startswith(b"message-id:"):
            return line.split(b":", 1)[1].strip().decode("ascii", "replace")
    return None


def main(argv):
    maildir, ref_a, ref_b, prefix, n = argv
    a = shoper_block(header_part(ref_a))
    b = shoper_block(header_part(ref_b))
    if not a or not b or a == b:
        sys.exit("reference header sets are empty or equal")
    want = re.compile(r"<%s-(\d+)@test>$" % re.escape(prefix))
    seen = {}
    counts = {"old": 0, "new": 0, "mixed": 0, "duplicates": 0}
    for sub in ("new", "cur"):
        d = os.path.join(maildir, sub)
        for name in os.listdir(d):
            lines = header_part(os.path.join(d, name))
            m = want.match(message_id(lines) or "")
            if not m:
                continue
            i = int(m.group(1))
            if i in seen:
                counts["duplicates"] += 1
                continue
            seen[i] = True
            block = shoper_block(lines)
            if block == a:
                counts["old"] += 1
            elif block == b:
                counts["new"] += 1
            else:
                counts["mixed"] += 1
                if counts["mixed"] <= 3:
                    sys.stderr.write("mixed %s: %r\n" % (name, block))
    counts["stored"] = len(seen)
    counts["lost"] = sum(1 for i in range(1, int(n) + 1) if i not in seen)
    print(" ".join("%s=%d" % kv for kv in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
