#!/usr/bin/env python3
"""Drives neomutt headless under a pty (pexpect) for test-neomutt.sh.

  neomutt_drive.py RC URL OUTDIR

Opens URL (an imap:// folder) with the settings file RC (after the
system's /etc/neomuttrc, as for a new user: it ignores every header but
a few), keeps the index
screen as OUTDIR/index.txt, opens the first message and keeps the pager
screen (its header lines) as OUTDIR/pager.txt. The screens are the
terminal's text with the escape sequences taken out (pyte when present,
else a plain filter). Exit 1 when neomutt did not show the index.
"""
import os
import re
import sys
import time

import pexpect

sys.dont_write_bytecode = True


def text_of(raw):
    try:
        import pyte
    except ImportError:
        # cursor moves become line breaks, other sequences go
        s = re.sub(r"\x1b\[[0-9;]*H", "\n", raw)
        s = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]|\x1b[=>]|\r",
                   "", s)
        return s
    screen = pyte.Screen(200, 60)
    stream = pyte.Stream(screen)
    stream.feed(raw)
    return "\n".join(line.rstrip() for line in screen.display)


def settle(child, seconds=1.5):
    """Everything neomutt draws until it has been quiet for a while."""
    out = []
    end = time.time() + 20
    while time.time() < end:
        try:
            out.append(child.read_nonblocking(65536, timeout=seconds))
        except pexpect.TIMEOUT:
            break
        except pexpect.EOF:
            break
    return "".join(out)


def main(rc, url, outdir):
    env = dict(os.environ, TERM="xterm", LANG="C.UTF-8", LC_ALL="C.UTF-8",
               COLUMNS="200", LINES="60")
    child = pexpect.spawn("neomutt", ["-F", rc, "-f", url],
                          env=env, encoding="utf-8", codec_errors="replace",
                          dimensions=(60, 200), timeout=20)
    raw = settle(child, 3)
    with open(os.path.join(outdir, "index.txt"), "w") as f:
        f.write(text_of(raw))
    child.send("\r")  # open the message under the cursor
    raw2 = settle(child, 3)
    with open(os.path.join(outdir, "pager.txt"), "w") as f:
        f.write(text_of(raw + raw2) if "pyte" in sys.modules else
                text_of(raw2))
    child.send("q")
    time.sleep(0.3)
    child.send("q")
    time.sleep(0.3)
    child.sendline("y")
    child.close(force=True)
    return 0 if raw else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
