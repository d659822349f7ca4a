#!/usr/bin/env python3
"""A TCP relay in front of a test registry, to make it misbehave.

    registry_relay.py LISTEN_PORT TARGET_PORT LOG [--rate BYTES_PER_S]
                      [--fail N --status CODE [--retry-after SECONDS|DATE]]
    registry_relay.py LISTEN_PORT TARGET_PORT LOG --http [--fail-patch K]...
                      [--cut-patch K]... [--max-body BYTES]

Every connection is relayed to 127.0.0.1:TARGET_PORT (TLS passes through
untouched), the registry's answers slowed to --rate.  With --fail, the
first N connections (plain HTTP only) get an HTTP CODE answer instead
(with Retry-After: --retry-after, 0 unless given) and are closed.  One line per
connection goes to LOG: "fail CODE" or "relay".  When the target goes
away mid-answer, the client's connection is closed too, as a dead
registry's would be.

With --http (plain HTTP only) the relay reads each request and answer
instead, and logs one line per request: "req METHOD PATH CONTENT-RANGE"
(the path without its query, "-" for no range).  The K-th PATCH (from 1)
of a --fail-patch is answered 500 without reaching the registry ("fail
PATCH" is logged); of a --cut-patch, the registry gets its head and half
its body, then both connections close ("cut PATCH").  A request whose
body is longer than --max-body is answered 413 ("toolarge"), as a proxy
with a cap on bodies (nginx's client_max_body_size) does.
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
            conn.sendall(("HTTP/1.1 %d %s\r\nRetry-After: %s\r\nContent-Length: 0\r\n"
                          "Connection: close\r\n\r\n" % (args.status, reason,
                                                           args.retry_after)).encode())
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


def read_head(sock, buf):
    """(head, rest): the bytes up to the blank line, or (None, buf) at EOF."""
    while b"\r\n\r\n" not in buf:
        data = sock.recv(65536)
        if not data:
            return None, buf
        buf += data
    i = buf.index(b"\r\n\r\n") + 4
    return buf[:i], buf[i:]


def parse_head(head):
    lines = head.decode("latin-1").split("\r\n")
    hdrs = {}
    for line in lines[1:]:
        if ":" in line:
            k, _, v = line.partition(":")
            hdrs[k.strip().lower()] = v.strip()
    return lines[0].split(" "), hdrs


def read_exact(sock, buf, n):
    while len(buf) < n:
        data = sock.recv(65536)
        if not data:
            raise OSError("EOF")
        buf += data
    return buf[:n], buf[n:]


def read_chunked(sock, buf):
    """The raw bytes of a chunked body (no trailers), and what follows."""
    out = b""
    while True:
        while b"\r\n" not in buf:
            data = sock.recv(65536)
            if not data:
                raise OSError("EOF")
            buf += data
        i = buf.index(b"\r\n")
        size = int(buf[:i].split(b";")[0], 16)
        part, buf = read_exact(sock, buf, i + 2 + size + 2)
        out += part
        if size == 0:
            return out, buf


def read_body(sock, buf, hdrs, until_close=False):
    if "chunked" in hdrs.get("transfer-encoding", ""):
        return read_chunked(sock, buf)
    if "content-length" in hdrs:
        return read_exact(sock, buf, int(hdrs["content-length"]))
    if until_close:
        while True:
            data = sock.recv(65536)
            if not data:
                return buf, b""
            buf += data
    return b"", buf


def answer(conn, status, reason):
    conn.sendall(("HTTP/1.1 %d %s\r\nContent-Length: 0\r\n\r\n" % (status, reason)).encode())


def serve_http(conn, args, state):
    """Request by request: log, misbehave where told, else relay."""
    up = None
    buf = upbuf = b""
    try:
        while True:
            head, buf = read_head(conn, buf)
            if head is None:
                return
            (method, path, *_), hdrs = parse_head(head)
            body, buf = read_body(conn, buf, hdrs)
            log(args.log, "req %s %s %s" % (method, path.split("?")[0],
                                            hdrs.get("content-range", "-")))
            k = 0
            if method == "PATCH":
                with state["lock"]:
                    state["patches"] += 1
                    k = state["patches"]
            if k in args.fail_patch:
                log(args.log, "fail PATCH")
                answer(conn, 500, "Internal Server Error")
                continue
            if args.max_body and len(body) > args.max_body:
                log(args.log, "toolarge")
                answer(conn, 413, "Request Entity Too Large")
                continue
            if up is None:
                up = socket.create_connection(("127.0.0.1", args.target))
            if k in args.cut_patch:
                log(args.log, "cut PATCH")
                up.sendall(head + body[:len(body) // 2])
                time.sleep(0.5)
                return
            up.sendall(head + body)
            rhead, upbuf = read_head(up, upbuf)
            if rhead is None:
                return
            (_, status, *_), rhdrs = parse_head(rhead)
            status = int(status)
            if method == "HEAD" or status in (204, 304) or status < 200:
                rbody = b""
            else:
                rbody, upbuf = read_body(up, upbuf, rhdrs, until_close=True)
            conn.sendall(rhead + rbody)
            if rhdrs.get("connection", "").lower() == "close" or "close" in \
                    hdrs.get("connection", "").lower():
                return
    except (OSError, ValueError):
        pass
    finally:
        for s in (conn, up):
            if s is not None:
                try:
                    s.close()
                except OSError:
                    pass


def main():
    p = argparse.ArgumentParser()
    p.add_argument("listen", type=int)
    p.add_argument("target", type=int)
    p.add_argument("log")
    p.add_argument("--rate", type=float, default=0)
    p.add_argument("--fail", type=int, default=0)
    p.add_argument("--status", type=int, default=503)
    p.add_argument("--retry-after", default="0")
    p.add_argument("--http", action="store_true")
    p.add_argument("--fail-patch", type=int, action="append", default=[])
    p.add_argument("--cut-patch", type=int, action="append", default=[])
    p.add_argument("--max-body", type=int, default=0)
    args = p.parse_args()
    state = {"lock": threading.Lock(), "failed": 0, "patches": 0}
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", args.listen))
    srv.listen(64)
    print("ready", flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve_http if args.http else serve, args=(conn, args, state),
                         daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
