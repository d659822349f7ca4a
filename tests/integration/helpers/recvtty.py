#!/usr/bin/env python3
"""A console socket for tests, like runc's recvtty.

Listens on PATH, takes exactly one SCM_RIGHTS message carrying the
terminal's master fd, optionally writes INPUT to it, then copies
everything the terminal prints to stdout until it hangs up.

    recvtty.py PATH [INPUT]
"""
import os
import socket
import sys


def main():
    path = sys.argv[1]
    data = sys.argv[2].encode() if len(sys.argv) > 2 else b""
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    print("listening", file=sys.stderr, flush=True)
    conn, _ = srv.accept()
    msg, fds, _, _ = socket.recv_fds(conn, 4096, 4)
    if len(fds) != 1:
        sys.exit("expected one fd, got %d" % len(fds))
    master = fds[0]
    if data:
        os.write(master, data)
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        sys.stdout.buffer.write(chunk)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
