#!/usr/bin/env python3
"""Hostile and well-behaved clients of berthd at once, for a fixed time.

    berthd_load.py SOCKET SECONDS [--good N] [--slowloris N] [--holders N]

Well-behaved clients (--good threads) loop on GET /containers/json, each
on a fresh connection, and must always get a 200 with a JSON list.  Around
them:
  - slowloris: connections that send their request headers one byte every
    few seconds, reconnecting whenever berthd closes them;
  - holders: connections that announce a 4 MB JSON body, send all of it
    but the last byte, and hold it (berthd's body budget refuses those
    beyond it with a 503 before they send anything);
  - oversized requests (a 5 MB body announced: 413 before it is sent);
  - truncated requests and clients that go away mid-request or mid-reply
    (an events stream cut off).

Prints one JSON object: what was sent and what berthd answered, the
well-behaved clients' failures (first few), and how long the longest
slowloris connection lived.  Exits 0 whatever happened: the caller
judges."""

import argparse
import json
import random
import socket
import threading
import time

TIMEOUT = 60  # a loaded machine is slow, not broken


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    s.connect(path)
    return s


def read_reply(s):
    """Status and body of one reply on a Connection: close request."""
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    if not head:
        raise ConnectionError("connection closed without a reply")
    status = int(head.split(b" ", 2)[1])
    if b"transfer-encoding: chunked" in head.lower():
        body = dechunk(body)
    return status, body


def dechunk(body):
    out = b""
    while body:
        size, _, rest = body.partition(b"\r\n")
        n = int(size, 16)
        if n == 0:
            break
        out += rest[:n]
        body = rest[n + 2:]
    return out


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.failures = []
        self.slowloris_longest = 0.0

    def add(self, key, n=1):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + n

    def fail(self, what):
        with self.lock:
            self.counts["good_failed"] = self.counts.get("good_failed", 0) + 1
            if len(self.failures) < 10:
                self.failures.append(what)

    def lived(self, seconds):
        with self.lock:
            self.slowloris_longest = max(self.slowloris_longest, seconds)


def good_client(path, stop, st):
    while not stop.is_set():
        try:
            s = connect(path)
            s.sendall(b"GET /v1.45/containers/json?all=1 HTTP/1.1\r\nHost: berthd\r\n"
                      b"Connection: close\r\n\r\n")
            status, body = read_reply(s)
            s.close()
            if status != 200 or not isinstance(json.loads(body), list):
                st.fail("status %d: %r" % (status, body[:200]))
            else:
                st.add("good_ok")
        except Exception as e:  # every error of a good client counts
            st.fail("%s: %s" % (type(e).__name__, e))
        stop.wait(random.uniform(0.05, 0.3))


def slowloris(path, stop, st, n, every):
    """n connections, one header byte each every `every` seconds."""
    request = b"GET /v1.45/containers/json HTTP/1.1\r\nHost: berthd\r\nX-Slow: " + b"a" * 10000
    conns = []

    def fresh():
        try:
            s = connect(path)
            s.setblocking(False)
            st.add("slowloris_connects")
            return [s, time.monotonic(), 0]
        except OSError:
            st.add("slowloris_refused")
            return None

    while not stop.is_set() and len(conns) < n:
        c = fresh()
        if c:
            conns.append(c)
    while not stop.is_set():
        for i, c in enumerate(conns):
            if stop.is_set():
                break
            if c is None:
                conns[i] = fresh()
                continue
            s, born, sent = c
            try:
                if s.recv(4096, socket.MSG_DONTWAIT) == b"":
                    raise ConnectionError("closed")
            except BlockingIOError:
                pass
            except OSError:
                # berthd closed it: how long it was allowed to live.
                st.lived(time.monotonic() - born)
                st.add("slowloris_cut")
                s.close()
                conns[i] = fresh()
                continue
            try:
                s.send(request[sent % len(request):sent % len(request) + 1])
                c[2] += 1
            except OSError:
                pass
        stop.wait(every)
    for c in conns:
        if c:
            c[0].close()


def holder(path, stop, st, size):
    """A 4 MB JSON body, all but its last byte, held until the end."""
    try:
        s = connect(path)
        s.sendall(b"POST /v1.45/containers/create HTTP/1.1\r\nHost: berthd\r\n"
                  b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % size)
        s.settimeout(1)
        body = b"{" + b" " * (size - 2)
        try:
            for off in range(0, len(body), 65536):
                s.sendall(body[off:off + 65536])
            st.add("holders_in")
        except OSError:
            pass
        try:
            reply = s.recv(4096)
            if reply.startswith(b"HTTP/1.1 503"):
                st.add("holders_503")
            elif reply:
                st.add("holders_other")
        except socket.timeout:
            pass
        stop.wait()
        s.close()
    except OSError as e:
        st.add("holders_error")
        st.fail("holder: %s" % e)


def oversized(path, stop, st):
    while not stop.is_set():
        try:
            s = connect(path)
            s.sendall(b"POST /v1.45/containers/create HTTP/1.1\r\nHost: berthd\r\n"
                      b"Content-Type: application/json\r\nContent-Length: 5000000\r\n\r\n")
            status, body = read_reply(s)
            s.close()
            st.add("oversized_%d" % status)
        except OSError:
            st.add("oversized_error")
        stop.wait(0.5)


def rude(path, stop, st):
    """Truncated requests and clients that leave mid-request or mid-reply."""
    cuts = [
        b"GET /v1.45/containers/js",
        b"POST /v1.45/containers/create HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"Ima",
        b"POST /v1.45/containers/create HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"Im",
        b"GET /v1.45/events HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /v1.45/containers/json HTTP/1.1\r\nHost: x\r\n\r\n",
        b"\x00\xff garbage \r\n\r\n",
    ]
    while not stop.is_set():
        try:
            s = connect(path)
            s.sendall(random.choice(cuts))
            if random.random() < 0.5:
                s.settimeout(0.2)
                try:
                    s.recv(10)
                except OSError:
                    pass
            s.close()
            st.add("rude")
        except OSError:
            st.add("rude_error")
        stop.wait(0.05)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("socket")
    ap.add_argument("seconds", type=float)
    ap.add_argument("--good", type=int, default=500)
    ap.add_argument("--slowloris", type=int, default=600)
    ap.add_argument("--slowloris-every", type=float, default=5.0)
    ap.add_argument("--holders", type=int, default=24)
    ap.add_argument("--holder-size", type=int, default=4000000)
    a = ap.parse_args()

    threading.stack_size(256 * 1024)
    stop = threading.Event()
    st = Stats()
    threads = [threading.Thread(target=slowloris,
                                args=(a.socket, stop, st, a.slowloris, a.slowloris_every))]
    threads += [threading.Thread(target=holder, args=(a.socket, stop, st, a.holder_size))
                for _ in range(a.holders)]
    threads += [threading.Thread(target=oversized, args=(a.socket, stop, st))]
    threads += [threading.Thread(target=rude, args=(a.socket, stop, st)) for _ in range(4)]
    threads += [threading.Thread(target=good_client, args=(a.socket, stop, st))
                for _ in range(a.good)]
    for t in threads:
        t.daemon = True
        t.start()
    time.sleep(a.seconds)
    stop.set()
    for t in threads:
        t.join(TIMEOUT + 5)
    print(json.dumps({"counts": st.counts, "good_failures": st.failures,
                      "slowloris_longest_s": round(st.slowloris_longest, 1)},
                     sort_keys=True))


if __name__ == "__main__":
    main()
