#!/usr/bin/env python3
"""Many containers through the Engine API, for tests/bench/scale.sh and
tests/integration/berthd_scale.bats.

    scale_client.py SOCKET start N [--clients C] [--image IMG] [--network MODE] [--ids FILE]
    scale_client.py SOCKET ps [--rounds R] [--query Q]
    scale_client.py SOCKET run [--rounds R] [--image IMG] [--network MODE]
    scale_client.py SOCKET churn M [--image IMG] [--network MODE]
    scale_client.py SOCKET rm [--clients C]
    scale_client.py SOCKET pids

start: N containers running `sleep 1000000`, made by C clients at once
(default 50), each sending what `docker run -d` sends (create, start);
prints the wall time and the containers per second, appends the ids to
FILE, and fails if any request failed (each failure is printed).
ps: R timed `GET /containers/json` (what `docker ps` asks, until the
last byte of the answer; `?Q` added with --query), the median in ms and
the number listed.  run: the median of R `docker run --rm IMG true`
(tests/bench/api_run.py's requests).  churn: M of those in a row.  rm:
every container removed with force by C clients.  pids: `ID STATUS PID`
of every container, sorted, from one inspect each.  Times are printed,
never judged."""
import argparse
import json
import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from api_run import api_run, call  # noqa: E402


def start_one(sock, image, network):
    status, body = call(sock, "POST", "/containers/create", {
        "Image": image, "Cmd": ["sleep", "1000000"],
        "HostConfig": {"NetworkMode": network}})
    if status != 201:
        raise RuntimeError(f"create: {status} {body[:1000]!r}")
    cid = json.loads(body)["Id"]
    status, body = call(sock, "POST", f"/containers/{cid}/start")
    if status != 204:
        raise RuntimeError(f"start {cid[:12]}: {status} {body[:1000]!r}")
    return cid


def parallel(n, clients, work):
    """Run work(i) for i in 0..n-1 on `clients` threads; the results and
    the errors, in no particular order."""
    lock = threading.Lock()
    todo = list(range(n))
    results, errors = [], []

    def client():
        while True:
            with lock:
                if not todo:
                    return
                i = todo.pop()
            try:
                r = work(i)
                with lock:
                    results.append(r)
            except (RuntimeError, OSError, EOFError, ValueError) as e:
                with lock:
                    errors.append(str(e))

    threads = [threading.Thread(target=client) for _ in range(min(clients, n))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def cmd_start(a):
    t0 = time.monotonic()
    ids, errors = parallel(a.n, a.clients, lambda i: start_one(a.socket, a.image, a.network))
    wall = time.monotonic() - t0
    if a.ids:
        with open(a.ids, "a") as f:
            f.writelines(i + "\n" for i in ids)
    print(f"started {len(ids)} of {a.n} with {a.clients} clients in {wall:.2f} s: "
          f"{len(ids) / wall:.1f} containers/s")
    for e in errors:
        print(f"failed: {e}", file=sys.stderr)
    return 1 if errors else 0


def listed(sock):
    status, body = call(sock, "GET", "/containers/json")
    if status != 200:
        raise RuntimeError(f"ps: {status} {body[:1000]!r}")
    return json.loads(body)


def cmd_ps(a):
    """Timed until the answer's last byte: parsing it is the client's
    time, not the daemon's."""
    times, count = [], 0
    url = "/containers/json" + (f"?{a.query}" if a.query else "")
    for _ in range(a.rounds):
        t0 = time.monotonic()
        status, body = call(a.socket, "GET", url)
        times.append(time.monotonic() - t0)
        if status != 200:
            raise RuntimeError(f"ps: {status} {body[:1000]!r}")
        count = len(json.loads(body))
    print(f"ps: median {statistics.median(times) * 1000:.2f} ms over {a.rounds}, {count} listed")
    return 0


def cmd_run(a):
    times = [api_run(a.socket, a.image, a.network)["total"] for _ in range(a.rounds)]
    print(f"run --rm: median {statistics.median(times) * 1000:.2f} ms over {a.rounds}")
    return 0


def cmd_churn(a):
    t0 = time.monotonic()
    for _ in range(a.m):
        api_run(a.socket, a.image, a.network)
    wall = time.monotonic() - t0
    print(f"churn: {a.m} run --rm in a row in {wall:.1f} s ({wall / a.m * 1000:.1f} ms each)")
    return 0


def cmd_rm(a):
    status, body = call(a.socket, "GET", "/containers/json?all=1")
    ids = [c["Id"] for c in json.loads(body)]

    def rm(i):
        status, body = call(a.socket, "DELETE", f"/containers/{ids[i]}?force=1")
        if status != 204:
            raise RuntimeError(f"rm {ids[i][:12]}: {status} {body[:1000]!r}")

    t0 = time.monotonic()
    _, errors = parallel(len(ids), a.clients, rm)
    print(f"removed {len(ids) - len(errors)} of {len(ids)} in {time.monotonic() - t0:.2f} s")
    for e in errors:
        print(f"failed: {e}", file=sys.stderr)
    return 1 if errors else 0


def cmd_pids(a):
    status, body = call(a.socket, "GET", "/containers/json?all=1")
    if status != 200:
        raise RuntimeError(f"ps: {status} {body[:1000]!r}")
    rows = []
    for c in json.loads(body):
        status, body = call(a.socket, "GET", f"/containers/{c['Id']}/json")
        if status != 200:
            raise RuntimeError(f"inspect {c['Id'][:12]}: {status} {body[:1000]!r}")
        state = json.loads(body)["State"]
        rows.append(f"{c['Id']} {state['Status']} {state['Pid']}")
    print("\n".join(sorted(rows)))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("socket")
    sub = ap.add_subparsers(dest="what", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--image", default="bench:1")
    common.add_argument("--network", default="none")
    common.add_argument("--clients", type=int, default=50)
    common.add_argument("--rounds", type=int, default=5)
    p = sub.add_parser("start", parents=[common])
    p.add_argument("n", type=int)
    p.add_argument("--ids")
    p = sub.add_parser("ps", parents=[common])
    p.add_argument("--query", default="")
    sub.add_parser("run", parents=[common])
    p = sub.add_parser("churn", parents=[common])
    p.add_argument("m", type=int)
    sub.add_parser("rm", parents=[common])
    sub.add_parser("pids", parents=[common])
    a = ap.parse_args()
    return {"start": cmd_start, "ps": cmd_ps, "run": cmd_run, "churn": cmd_churn,
            "rm": cmd_rm, "pids": cmd_pids}[a.what](a)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, OSError, EOFError) as e:
        print(f"scale_client.py: {e}", file=sys.stderr)
        sys.exit(1)
