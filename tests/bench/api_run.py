#!/usr/bin/env python3
"""A daemon's own latency for `docker run --rm IMAGE true`, without the CLI.

    api_run.py [--rounds N] [--image IMG] [--network MODE] [--ratio A/B ...]
               [--settle SECONDS|idle] NAME=unix:SOCKET ... [NAME=cmd:SHELL-COMMAND ...]

Each NAME=unix:SOCKET is a Docker Engine API daemon.  This client sends on
its socket the requests the docker CLI sends for `docker run --rm IMAGE
true` and nothing else: create (HostConfig.AutoRemove), attach (upgraded to
the raw stream), wait?condition=removed (its headers first: the CLI starts
the container only once its wait is in place), start, then it reads the
wait's status and the end of the attach stream.  One timed run ends when
both have arrived, as the CLI's does.  Each NAME=cmd:COMMAND is a shell
command timed the same way (`berth run` of a bundle, the docker CLI);
`{n}` in it becomes the run's number.

The rounds are interleaved (one run of each per round) after one untimed
run of each.  Each round starts one target later than the round before
(round 2 with the second given, and so on), so that every target is
timed as often in every place of a round: what runs right after a
daemon's run is timed while that daemon may still be busy, and a fixed
order would give that cost always to the same target.

--settle pauses, untimed, before every run: a daemon goes on after its
answer (dockerd's containerd and shim tear the container down for tens
of milliseconds), and on a machine of two cores whatever runs next is
timed while that work holds a CPU.  `--settle idle` waits instead until
the host's CPUs have been idle for IDLE_WINDOW (at least IDLE_SHARE of
it, from /proc/stat), at most IDLE_CAP; the wait after each target's run
is printed as its tail (how long the host stayed busy after its answer).

It prints each one's median, min and max, the medians of the phases of
the API runs (create, attach and wait in place, start, the end), and
each median over the first one's.  Nothing
here asserts a time: it prints numbers."""
import argparse
import json
import socket
import statistics
import subprocess
import sys
import time

API = "/v1.41"


class Conn:
    """One HTTP/1.1 connection on a unix socket, read by hand: the attach
    and the wait are long requests whose headers come before their body."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = b""

    def send(self, method, path, body=None, extra=""):
        data = b"" if body is None else json.dumps(body).encode()
        head = (f"{method} {API}{path} HTTP/1.1\r\nHost: api\r\n{extra}"
                f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n")
        self.sock.sendall(head.encode() + data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("the daemon closed the connection")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("latin-1")

    def _exact(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def head(self):
        status = int(self._line().split()[1])
        headers = {}
        while True:
            line = self._line()
            if not line:
                return status, headers
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()

    def body(self, headers):
        if headers.get("transfer-encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self._line().split(";")[0], 16)
                if size == 0:
                    self._line()
                    return out
                out += self._exact(size)
                self._line()
        return self._exact(int(headers.get("content-length", "0")))

    def until_eof(self):
        try:
            while True:
                self._fill()
        except (EOFError, ConnectionResetError):
            pass

    def close(self):
        self.sock.close()


def call(path, method, url, body=None):
    c = Conn(path)
    try:
        c.send(method, url, body)
        status, headers = c.head()
        return status, c.body(headers)
    finally:
        c.close()


def api_run(path, image, network):
    """One `docker run --rm IMAGE true` on the API; the times of its phases
    in seconds from the first byte sent."""
    t0 = time.monotonic()
    status, body = call(path, "POST", "/containers/create", {
        "Image": image, "Cmd": ["true"], "AttachStdout": True, "AttachStderr": True,
        "HostConfig": {"AutoRemove": True, "NetworkMode": network}})
    if status != 201:
        raise RuntimeError(f"create: {status} {body[:1000]!r}")
    cid = json.loads(body)["Id"]
    t_create = time.monotonic()
    attach = Conn(path)
    attach.send("POST", f"/containers/{cid}/attach?stream=1&stdout=1&stderr=1",
                extra="Connection: Upgrade\r\nUpgrade: tcp\r\n")
    status, _ = attach.head()
    if status not in (101, 200):
        raise RuntimeError(f"attach: {status}")
    wait = Conn(path)
    wait.send("POST", f"/containers/{cid}/wait?condition=removed")
    status, wait_headers = wait.head()
    if status != 200:
        raise RuntimeError(f"wait: {status} {wait.body(wait_headers)[:1000]!r}")
    t_ready = time.monotonic()
    status, body = call(path, "POST", f"/containers/{cid}/start")
    if status != 204:
        raise RuntimeError(f"start: {status} {body[:1000]!r}")
    t_start = time.monotonic()
    result = json.loads(wait.body(wait_headers))
    if result.get("StatusCode") != 0:
        raise RuntimeError(f"wait: {result}")
    attach.until_eof()
    t_end = time.monotonic()
    attach.close()
    wait.close()
    return {"create": t_create - t0, "attach+wait": t_ready - t_create,
            "start": t_start - t_ready, "exit+remove": t_end - t_start, "total": t_end - t0}


def cmd_run(command, n):
    t0 = time.monotonic()
    proc = subprocess.run(command.replace("{n}", str(n)), shell=True,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        raise RuntimeError(f"{command!r}: exit {proc.returncode}: {proc.stderr.decode()[-300:]}")
    return {"total": time.monotonic() - t0}


IDLE_WINDOW = 0.05
IDLE_SHARE = 0.9
IDLE_CAP = 5.0
IDLE_STEP = 0.01


def cpu_ticks():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v), v[3] + v[4]  # all, idle + iowait


def settle_idle():
    """Wait until the CPUs were idle for a whole window, sliding in steps
    of IDLE_STEP; the wait, in s (at least one window)."""
    t0 = time.monotonic()
    samples = [cpu_ticks()]
    steps = round(IDLE_WINDOW / IDLE_STEP)
    while time.monotonic() - t0 < IDLE_CAP:
        time.sleep(IDLE_STEP)
        samples.append(cpu_ticks())
        if len(samples) <= steps:
            continue
        (a0, i0), (a1, i1) = samples[-1 - steps], samples[-1]
        if a1 > a0 and (i1 - i0) / (a1 - a0) >= IDLE_SHARE:
            break
    return time.monotonic() - t0


def ms(seconds):
    return f"{seconds * 1000:.2f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--image", default="bench:1")
    ap.add_argument("--network", default="none")
    ap.add_argument("--settle", default="0", metavar="SECONDS|idle")
    ap.add_argument("--ratio", action="append", default=[], metavar="A/B",
                    help="also print A's median over B's")
    ap.add_argument("targets", nargs="+", metavar="NAME=unix:SOCKET|NAME=cmd:COMMAND")
    args = ap.parse_args()
    targets = []
    for t in args.targets:
        name, _, what = t.partition("=")
        kind, _, arg = what.partition(":")
        if kind not in ("unix", "cmd") or not arg:
            ap.error(f"{t}: expected NAME=unix:SOCKET or NAME=cmd:COMMAND")
        targets.append((name, kind, arg))
    idle = args.settle == "idle"
    try:
        pause = 0.0 if idle else float(args.settle)
    except ValueError:
        ap.error(f"--settle {args.settle}: expected seconds or idle")
    names = [n for n, _, _ in targets]
    for r in args.ratio:
        if any(x not in names for x in r.partition("/")[::2]):
            ap.error(f"--ratio {r}: A and B must be names of targets")

    def once(kind, arg, n):
        if kind == "unix":
            return api_run(arg, args.image, args.network)
        return cmd_run(arg, n)

    for name, kind, arg in targets:
        once(kind, arg, 0)
    times = {name: [] for name, _, _ in targets}
    tails = {name: [] for name, _, _ in targets}
    capped = 0
    if idle:
        settle_idle()
    for r in range(1, args.rounds + 1):
        k = (r - 1) % len(targets)
        for name, kind, arg in targets[k:] + targets[:k]:
            time.sleep(pause)
            times[name].append(once(kind, arg, r))
            if idle:
                tails[name].append(settle_idle())
                capped += tails[name][-1] >= IDLE_CAP

    first = statistics.median(t["total"] for t in times[targets[0][0]])
    print(f"{args.rounds} interleaved rounds, each starting one target later, wall time in ms (median, min, max; median over {targets[0][0]}'s):")
    for name, kind, _ in targets:
        tot = [t["total"] for t in times[name]]
        med = statistics.median(tot)
        print(f"  {name:<24} {ms(med):>9} {ms(min(tot)):>9} {ms(max(tot)):>9}  {med / first:.3f}x")
    if idle:
        print(f"settle: until the CPUs were idle for {IDLE_WINDOW * 1000:.0f} ms "
              f"(at least {IDLE_SHARE:.0%} idle), at most {IDLE_CAP:.0f} s; "
              f"{capped} waits reached that limit")
        print("  tails, the wait after each run until the host was idle (median, min, max, ms):")
        for name, _, _ in targets:
            t = tails[name]
            print(f"  {name:<24} {ms(statistics.median(t)):>9} {ms(min(t)):>9} {ms(max(t)):>9}")
    for r in args.ratio:
        a, _, b = r.partition("/")
        ma = statistics.median(t["total"] for t in times[a])
        mb = statistics.median(t["total"] for t in times[b])
        print(f"ratio {a}/{b}: {ma / mb:.3f}")
    print("phases of the API runs, medians in ms:")
    for name, kind, _ in targets:
        if kind != "unix":
            continue
        phases = [p for p in times[name][0] if p != "total"]
        print(f"  {name:<24} " + ", ".join(
            f"{p} {ms(statistics.median(t[p] for t in times[name]))}" for p in phases))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, OSError, EOFError) as e:
        print(f"api_run.py: {e}", file=sys.stderr)
        sys.exit(1)
