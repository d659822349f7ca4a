#!/usr/bin/env python3
"""The docker CLI's own cost: a server that answers `docker run --rm IMAGE
true` at once and does nothing else.

    docker_floor.py SOCKET

It speaks just the requests that command sends (ping, create, attach,
wait, start), with the shape the CLI needs: the wait's headers go out at
once, since the CLI starts the container only once its wait is in place;
the attach stream and the wait's body end as soon as the start arrived.
tests/bench/berthd.sh times the CLI against it next to berthd and dockerd:
no daemon can make `docker run` faster than this."""
import json
import os
import socketserver
import sys
import threading
from http.server import BaseHTTPRequestHandler

ID = "f" * 64
API = "1.45"


class Floor(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    started = threading.Condition()
    starts = 0

    def log_message(self, *args):
        pass

    def answer(self, code, body=None, ctype="application/json"):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Api-Version", API)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def wait_for_start(self, seen):
        with Floor.started:
            Floor.started.wait_for(lambda: Floor.starts > seen, timeout=10)

    def route(self):
        path = self.path.split("?")[0]
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        seen = Floor.starts
        if path.endswith("/_ping"):
            return self.answer(200, None, "text/plain")
        if path.endswith("/version"):
            return self.answer(200, {"ApiVersion": API, "MinAPIVersion": "1.24",
                                     "Version": "floor", "Os": "linux", "Arch": "amd64"})
        if path.endswith("/containers/create"):
            return self.answer(201, {"Id": ID, "Warnings": []})
        if path.endswith("/attach"):
            self.send_response(101)
            self.send_header("Content-Type", "application/vnd.docker.raw-stream")
            self.send_header("Connection", "Upgrade")
            self.send_header("Upgrade", "tcp")
            self.end_headers()
            self.wfile.flush()
            self.wait_for_start(seen)
            self.close_connection = True
            return None
        if path.endswith("/wait"):
            self.send_response(200)
            self.send_header("Api-Version", API)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.flush()
            self.wait_for_start(seen)
            data = json.dumps({"StatusCode": 0, "Error": None}).encode() + b"\n"
            self.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data))
            return None
        if path.endswith("/start"):
            self.answer(204)
            with Floor.started:
                Floor.starts += 1
                Floor.started.notify_all()
            return None
        return self.answer(404, {"message": "the floor server has no " + path})

    do_GET = do_POST = do_HEAD = do_DELETE = route


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def main():
    path = sys.argv[1]
    if os.path.exists(path):
        os.unlink(path)
    Server(path, Floor).serve_forever()


if __name__ == "__main__":
    main()
