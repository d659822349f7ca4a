#!/usr/bin/env python3
"""Requests per second through one address and port: N HTTP/1.0 GETs, a new
connection for each (no keep-alive), C at once.  Prints
"REQS_PER_S OK FAILED"; every connection has a timeout, so the run is
bounded.

    ports_client.py HOST PORT N C
"""
import socket
import sys
import threading
import time


def one(host, port):
    try:
        with socket.create_connection((host, port), timeout=5) as s:
            s.sendall(b"GET / HTTP/1.0\r\nHost: bench\r\n\r\n")
            got = b""
            while True:
                part = s.recv(4096)
                if not part:
                    break
                got += part
            return got.startswith(b"HTTP/1.") and b" 200 " in got.split(b"\r\n", 1)[0]
    except OSError:
        return False


def main():
    host, port, n, c = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    lock = threading.Lock()
    left = [n]
    counts = [0, 0]

    def worker():
        while True:
            with lock:
                if left[0] == 0:
                    return
                left[0] -= 1
            ok = one(host, port)
            with lock:
                counts[0 if ok else 1] += 1

    threads = [threading.Thread(target=worker) for _ in range(c)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - start
    print("%.1f %d %d" % (counts[0] / took, counts[0], counts[1]))


if __name__ == "__main__":
    main()
