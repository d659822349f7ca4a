#!/usr/bin/python3
"""A minimal Kubernetes CRI client (runtime.v1), the calls a kubelet makes
to run a pod: enough to drive containerd's CRI plugin in the tests without
crictl, which Debian does not package.

Messages are encoded by hand (protobuf's wire format is small) and sent
with grpcio; only the fields the tests need are written or read.

  cri_client.py SOCKET run-pod NAME CGROUP_PARENT HANDLER [LOG_DIR]  -> pod id
  cri_client.py SOCKET create POD NAME CGROUP_PARENT IMAGE MEMORY
                [--mount HOST_PATH:CONTAINER_PATH]... [--log PATH] ARGS...
                                                                  -> container id
  cri_client.py SOCKET start|stop|rm ID
  cri_client.py SOCKET exec ID ARGS...      (its stdout, stderr and status)
  cri_client.py SOCKET status ID            -> "STATE EXIT_CODE REASON: MESSAGE"
  cri_client.py SOCKET stop-pod|rm-pod POD
"""
import json
import sys

import grpc

SERVICE = "/runtime.v1.RuntimeService/"

# NamespaceMode: the pod's network is the node's (no CNI needed).
NODE = 2
# ContainerState names, by value.
STATES = ["CREATED", "RUNNING", "EXITED", "UNKNOWN"]


def varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def num(field, value):
    return varint(field << 3) + varint(value)


def blob(field, value):
    if isinstance(value, str):
        value = value.encode()
    return varint(field << 3 | 2) + varint(len(value)) + value


def decode(data):
    """{field: [values]}: ints for varints, bytes for length-delimited."""
    fields, i = {}, 0

    def read_varint():
        nonlocal i
        shift = result = 0
        while True:
            b = data[i]
            i += 1
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return result

    while i < len(data):
        key = read_varint()
        field, wire = key >> 3, key & 7
        if wire == 0:
            value = read_varint()
        elif wire == 2:
            n = read_varint()
            value, i = data[i:i + n], i + n
        elif wire == 1:
            value, i = data[i:i + 8], i + 8
        elif wire == 5:
            value, i = data[i:i + 4], i + 4
        else:
            raise ValueError("unknown wire type %d" % wire)
        fields.setdefault(field, []).append(value)
    return fields


def first(fields, field, default=b""):
    return fields.get(field, [default])[0]


def pod_config(name, cgroup_parent, log_dir=""):
    metadata = blob(1, name) + blob(2, name + "-uid") + blob(3, "berth-test") + num(4, 0)
    namespaces = num(1, NODE)  # network; pid and ipc: POD (0, the default)
    security = blob(1, namespaces)
    linux = blob(1, cgroup_parent) + blob(2, security)
    # log_directory: where the containers' log_path is relative to
    return blob(1, metadata) + (blob(3, log_dir) if log_dir else b"") + blob(8, linux)


def container_options(args):
    """The --mount and --log options before a container's command: its
    Mount messages (host_path bound at container_path, as the kubelet
    passes an emptyDir) and its log_path; then the command and its args."""
    mounts, log = b"", b""
    while args and args[0] in ("--mount", "--log"):
        if args[0] == "--mount":
            host, _, target = args[1].partition(":")
            mounts += blob(7, blob(1, target) + blob(2, host))
        else:
            log = blob(11, args[1])
        args = args[2:]
    return mounts + log, args


def call(channel, method, request):
    rpc = channel.unary_unary(SERVICE + method, request_serializer=lambda b: b,
                              response_deserializer=lambda b: b)
    return decode(rpc(request, timeout=60))


def main(argv):
    sock, cmd, args = argv[1], argv[2], argv[3:]
    channel = grpc.insecure_channel("unix://" + sock)
    try:
        if cmd == "run-pod":
            name, parent, handler = args[:3]
            log_dir = args[3] if len(args) > 3 else ""
            reply = call(channel, "RunPodSandbox",
                         blob(1, pod_config(name, parent, log_dir)) + blob(2, handler))
            print(first(reply, 1).decode())
        elif cmd == "create":
            pod, name, parent, image, memory = args[:5]
            options, argv = container_options(args[5:])
            resources = num(4, int(memory))
            config = (blob(1, blob(1, name)) + blob(2, blob(1, image))
                      + b"".join(blob(3, a) for a in argv[:1])
                      + b"".join(blob(4, a) for a in argv[1:])
                      + options + blob(15, blob(1, resources)))
            name, log_dir = pod_name(pod, channel)
            reply = call(channel, "CreateContainer",
                         blob(1, pod) + blob(2, config)
                         + blob(3, pod_config(name, parent, log_dir)))
            print(first(reply, 1).decode())
        elif cmd in ("start", "rm"):
            call(channel, {"start": "StartContainer", "rm": "RemoveContainer"}[cmd],
                 blob(1, args[0]))
        elif cmd == "stop":
            call(channel, "StopContainer", blob(1, args[0]) + num(2, 10))
        elif cmd == "stop-pod":
            call(channel, "StopPodSandbox", blob(1, args[0]))
        elif cmd == "rm-pod":
            call(channel, "RemovePodSandbox", blob(1, args[0]))
        elif cmd == "exec":
            reply = call(channel, "ExecSync",
                         blob(1, args[0]) + b"".join(blob(2, a) for a in args[1:])
                         + num(3, 30))
            sys.stdout.write(first(reply, 1).decode())
            sys.stderr.write(first(reply, 2).decode())
            return first(reply, 3, 0)
        elif cmd == "status":
            status = decode(first(call(channel, "ContainerStatus", blob(1, args[0])), 1))
            print("%s %d %s: %s" % (STATES[first(status, 3, 0)], first(status, 7, 0),
                                    first(status, 10).decode(), first(status, 11).decode()))
        else:
            print("unknown command " + cmd, file=sys.stderr)
            return 2
    except grpc.RpcError as e:
        print("%s: %s" % (cmd, e.details()), file=sys.stderr)
        return 1
    return 0


def pod_name(pod_id, channel):
    """The metadata name and the log directory of pod pod_id
    (CreateContainer wants its config; the status has no log directory, so
    it is read from the verbose info containerd adds)."""
    reply = call(channel, "PodSandboxStatus", blob(1, pod_id) + num(2, 1))
    status = decode(first(reply, 1))
    name = first(decode(first(status, 2)), 1).decode()
    log_dir = ""
    for entry in reply.get(2, []):
        kv = decode(entry)
        if first(kv, 1) == b"info":
            info = json.loads(first(kv, 2))
            log_dir = info.get("config", {}).get("log_directory", "")
    return name, log_dir


if __name__ == "__main__":
    sys.exit(main(sys.argv))
