#!/usr/bin/env python3
"""A TCP relay in front of a test registry, to make it misbehave.

    registry_relay.py LISTEN_PORT TARGET_PORT LOG [--rate BYTES_PER_S]
                      [--fail N --status CODE]

Every connection is relayed to 127.0.0.1:TARGET_PORT (TLS passes through
untouched), the registry's answers slowed to --rate.  With --fail, the
first N connections (plain HTTP only) get an HTTP CODE answer instead
(429 with Retry-After: 0, or a 5xx) and are closed.  One line per
connection goes to LOG: "fail CODE" or "relay".  When the target goes
away mid-answer, the client's connection is closed too, as a dead
registry's would be.
"""
import argparse
import socket
import sys
import threading
import time


def pipe(src, dst, rate):
    try:
        while True:
            data = src.recv(16384)
            if not data:
                break
            if rate:
                time.sleep(len(data) / rate)
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def log(path, line):
    with open(path, "a") as f:
        f.write(line + "\n")


def serve(conn, args, state):
    with state["lock"]:
        fail = state["failed"] < args.fail
        if fail:
            state["failed"] += 1
    if fail:
        conn.settimeout(5)
        try:
            buf = b""
            while b"\r\n\r\n" not in buf:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                buf += chunk
            reason = {429: "Too Many Requests", 500: "Internal Server Error",
                      502: "Bad Gateway", 503: "Service Unavailable"}.get(args.status, "Error")
            conn.sendall(("HTTP/1.1 %d %s\r\nRetry-After: 0\r\nContent-Length: 0\r\n"
                          "Connection: close\r\n\r\n" % (args.status, reason)).encode())
        except OSError:
            pass
        log(args.log, "fail %d" % args.status)
        conn.close()
        return
    log(args.log, "relay")
    try:
        up = socket.create_connection(("127.0.0.1", args.target))
    except OSError:
        conn.close()
        return
    threading.Thread(target=pipe, args=(conn, up, 0), daemon=True).start()
    pipe(up, conn, args.rate)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("listen", type=int)
    p.add_argument("target", type=int)
    p.add_argument("log")
    p.add_argument("--rate", type=float, default=0)
    p.add_argument("--fail", type=int, default=0)
    p.add_argument("--status", type=int, default=503)
    args = p.parse_args()
    state = {"lock": threading.Lock(), "failed": 0}
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", args.listen))
    srv.listen(64)
    print("ready", flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn, args, state), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
