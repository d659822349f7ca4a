#!/usr/bin/env python3
"""Write the tar seeds of the layer and image-load harnesses.

   tests/fuzz/make_seeds.py

Requests (corpus/http): one or more for each route of berthd, with
bodies plain and chunked, and a few broken ones.

Layers (corpus/layer_unpack): the entry types and tricks a layer may hold,
each in an archive of its own, valid ones and hostile ones (paths that
climb out, symlinks and hard links aimed outside, whiteouts of parents,
device nodes).  Image archives (corpus/image_load): a docker save archive
and an OCI layout, each with one real layer, and broken variants.  The
output is deterministic (fixed times and owners), so a rerun changes
nothing unless this script did."""
import gzip
import hashlib
import io
import json
import os
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
MTIME = 1700000000


def entry(name, kind=tarfile.REGTYPE, data=b"", **kw):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.mtime = MTIME
    ti.mode = kw.pop("mode", 0o755 if kind == tarfile.DIRTYPE else 0o644)
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = "root"
    for k, v in kw.items():
        setattr(ti, k, v)
    if kind == tarfile.REGTYPE:
        ti.size = len(data)
    return ti, (data if kind == tarfile.REGTYPE else None)


def tar(entries, fmt=tarfile.GNU_FORMAT):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
        for ti, f in entries:
            t.addfile(ti, io.BytesIO(f) if f is not None else None)
    return buf.getvalue()


LAYERS = {
    "basic": [entry("etc", tarfile.DIRTYPE), entry("etc/hostname", data=b"c1\n"),
              entry("bin", tarfile.DIRTYPE), entry("bin/sh", data=b"#!\n", mode=0o755),
              entry("bin/ash", tarfile.LNKTYPE, linkname="bin/sh"),
              entry("bin/ls", tarfile.SYMTYPE, linkname="/bin/sh")],
    "dot-root": [entry("./", tarfile.DIRTYPE), entry("./a", data=b"a"),
                 entry("/abs", data=b"absolute becomes relative")],
    "whiteouts": [entry("a", tarfile.DIRTYPE), entry("a/.wh.b"), entry(".wh.c"),
                  entry("d/.wh..wh..opq"), entry(".wh..wh..opq")],
    "climb": [entry("../escape", data=b"x")],
    "climb-inner": [entry("a/../../escape", data=b"x")],
    "symlink-out": [entry("out", tarfile.SYMTYPE, linkname="../../.."),
                    entry("out/escape", data=b"x")],
    "symlink-abs-write": [entry("etc", tarfile.SYMTYPE, linkname="/"),
                          entry("etc/passwd", data=b"root::0:0::/:/bin/sh\n")],
    "hardlink-out": [entry("h", tarfile.LNKTYPE, linkname="../../../etc/passwd")],
    "hardlink-symlink": [entry("s", tarfile.SYMTYPE, linkname="/canary"),
                         entry("h", tarfile.LNKTYPE, linkname="s")],
    "devices": [entry("null", tarfile.CHRTYPE, devmajor=1, devminor=3),
                entry("sda", tarfile.BLKTYPE, devmajor=8, devminor=0),
                entry("fifo", tarfile.FIFOTYPE)],
    "replace": [entry("x", tarfile.DIRTYPE), entry("x/y", data=b"1"),
                entry("x", data=b"a file over a directory"),
                entry("x", tarfile.SYMTYPE, linkname="/")],
    "long-names": [entry("d" * 120 + "/" + "f" * 150, data=b"long"),
                   entry("l", tarfile.SYMTYPE, linkname="t" * 300)],
    "modes": [entry("suid", data=b"s", mode=0o4755), entry("ro", tarfile.DIRTYPE, mode=0o500),
              entry("ro/f", data=b"in a read-only directory")],
}
PAX = {
    "pax-xattrs": [entry("f", data=b"x", pax_headers={
        "SCHILY.xattr.user.test": "v",
        "SCHILY.xattr.trusted.overlay.opaque": "y",
        "SCHILY.xattr.security.capability": "\x01\x00\x00\x02"})],
    "pax-path": [entry("p", data=b"x", pax_headers={"path": "../../pax-escape"})],
}


def write(dirname, name, data):
    d = os.path.join(HERE, "corpus", dirname)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def image_config(diff_ids):
    return json.dumps({"architecture": "amd64", "os": "linux",
                       "created": "2024-01-01T00:00:00Z",
                       "config": {"Cmd": ["sh"], "Env": ["PATH=/bin"]},
                       "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()


def docker_save(layer, tags, manifest_edit=None):
    cfg = image_config([sha(layer)])
    cfg_name = sha(cfg)[7:] + ".json"
    manifest = [{"Config": cfg_name, "RepoTags": tags, "Layers": ["l1/layer.tar"]}]
    if manifest_edit:
        manifest_edit(manifest)
    return tar([entry("l1", tarfile.DIRTYPE), entry("l1/layer.tar", data=layer),
                entry(cfg_name, data=cfg),
                entry("manifest.json", data=json.dumps(manifest).encode())])


def oci_layout(layer_gz, layer):
    cfg = image_config([sha(layer)])
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": sha(cfg), "size": len(cfg)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": sha(layer_gz), "size": len(layer_gz)}]}).encode()
    index = json.dumps({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": sha(manifest), "size": len(manifest),
        "annotations": {"io.containerd.image.name": "docker.io/library/fuzz:oci",
                        "org.opencontainers.image.ref.name": "oci"},
        "platform": {"architecture": "amd64", "os": "linux"}}]}).encode()
    blobs = [(cfg), (manifest), (layer_gz)]
    return tar([entry("oci-layout", data=b'{"imageLayoutVersion":"1.0.0"}'),
                entry("index.json", data=index), entry("blobs", tarfile.DIRTYPE),
                entry("blobs/sha256", tarfile.DIRTYPE)] +
               [entry("blobs/sha256/" + sha(b)[7:], data=b) for b in blobs])


BOX = "f00dface"


def request(method, path, body=None, headers=(), chunked=False):
    lines = [f"{method} {path} HTTP/1.1", "Host: docker"] + list(headers)
    if body is not None:
        body = body.encode() if isinstance(body, str) else body
        lines.append("Content-Type: application/json")
        if chunked:
            lines.append("Transfer-Encoding: chunked")
            half = len(body) // 2
            parts = [body[:half], body[half:]]
            body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts if p) + b"0\r\n\r\n"
        else:
            lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


CREATE = json.dumps({
    "Image": "busybox", "Cmd": ["sh", "-c", "echo hi"], "Env": ["A=1"], "Tty": True,
    "OpenStdin": True, "Labels": {"a": "b"}, "User": "1000:1000", "WorkingDir": "/w",
    "StopSignal": "SIGINT", "StopTimeout": 3, "Hostname": "h", "Entrypoint": "sh",
    "HostConfig": {"Binds": ["/tmp:/tmp:ro"], "Memory": 67108864, "MemorySwap": -1,
                   "NanoCpus": 500000000, "PidsLimit": 50, "CpusetCpus": "0",
                   "CapAdd": ["NET_ADMIN"], "CapDrop": ["ALL"], "SecurityOpt": ["no-new-privileges"],
                   "ReadonlyRootfs": True, "AutoRemove": False, "NetworkMode": "none",
                   "RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 3}}})
HTTP = {
    "ping": request("GET", "/_ping"),
    "head-ping": request("HEAD", "/v1.24/_ping"),
    "version": request("GET", "/v1.45/version"),
    "info": request("GET", "/info"),
    "bad-version": request("GET", "/v2.0/info"),
    "old-version": request("GET", "/v1.12/info"),
    "not-implemented": request("GET", "/v1.45/swarm"),
    "list": request("GET", "/v1.45/containers/json?all=1&limit=5&size=true&filters="
                    "%7B%22status%22%3A%5B%22exited%22%5D%2C%22label%22%3A%7B%22a%3Db%22%3Atrue%7D%7D"),
    "create": request("POST", "/v1.45/containers/create?name=web", CREATE),
    "create-chunked": request("POST", "/v1.45/containers/create", CREATE, chunked=True),
    "create-bad": request("POST", "/containers/create", '{"Image":1,"HostConfig":[]}'),
    "create-empty": request("POST", "/containers/create", ""),
    "inspect": request("GET", f"/containers/{BOX}/json?size=1"),
    "inspect-name": request("GET", "/containers/fuzzbox/json"),
    "start": request("POST", "/containers/fuzzbox/start"),
    "stop": request("POST", "/containers/fuzzbox/stop?t=5&signal=SIGTERM"),
    "restart": request("POST", "/containers/fuzzbox/restart?t=x"),
    "kill": request("POST", "/containers/fuzzbox/kill?signal=KILL"),
    "wait": request("POST", "/containers/fuzzbox/wait?condition=next-exit"),
    "logs": request("GET", "/containers/fuzzbox/logs?stdout=1&stderr=1&timestamps=1&tail=2"
                    "&since=1704067200.5&until=2024-01-02T00:00:00Z"),
    "logs-follow": request("GET", "/containers/fuzzbox/logs?stdout=1&follow=1"),
    "top": request("GET", "/containers/fuzzbox/top?ps_args=aux"),
    "stats": request("GET", "/containers/fuzzbox/stats?stream=false&one-shot=true"),
    "resize": request("POST", "/containers/fuzzbox/resize?h=40&w=120"),
    "update": request("POST", "/containers/fuzzbox/update",
                      '{"Memory":1048576,"PidsLimit":-1,"CpuShares":512,'
                      '"RestartPolicy":{"Name":"always"}}'),
    "pause": request("POST", "/containers/fuzzbox/pause"),
    "remove": request("DELETE", "/containers/fuzzbox?force=1&v=1"),
    "attach": request("POST", "/containers/fuzzbox/attach?stream=1&stdin=1&stdout=1",
                      headers=["Connection: Upgrade", "Upgrade: tcp"]) + b"stdin bytes",
    "exec-create": request("POST", "/containers/fuzzbox/exec",
                           '{"Cmd":["ls","-l"],"Env":["X=1"],"User":"0","WorkingDir":"/",'
                           '"AttachStdout":true,"Tty":true,"ConsoleSize":[24,80]}'),
    "exec-start": request("POST", "/exec/" + "e0" * 32 + "/start", '{"Detach":false,"Tty":false}',
                          headers=["Connection: Upgrade", "Upgrade: tcp"]),
    "exec-inspect": request("GET", "/exec/" + "e0" * 32 + "/json"),
    "exec-resize": request("POST", "/exec/nosuch/resize?h=1&w=1"),
    "images": request("GET", "/images/json?all=1&filters=%7B%22reference%22%3A%5B%22fuzz%22%5D%7D"),
    "image-inspect": request("GET", "/images/docker.io/library/fuzz:latest/json"),
    "image-tag": request("POST", "/images/fuzz/tag?repo=example.com/x/y&tag=2"),
    "image-remove": request("DELETE", "/images/busybox:1?force=1&noprune=0"),
    "image-load": request("POST", "/images/load?quiet=1", b"not a tar"),
    "image-import": request("POST", "/images/create?fromSrc=-&repo=imp&tag=1&message=m", b"tar"),
    "image-import-changes": request("POST", "/images/create?fromSrc=-&changes=CMD%20x"
                                    "&changes=ENV%20A%3D1", b"tar"),
    "build": request("POST", "/build?t=a%3A1&t=b&dockerfile=d%2FDf&buildargs=%7B%22A%22%3Anull%7D"
                     "&labels=%7B%22l%22%3A%22v%22%7D&networkmode=none&q=1&rm=0", b"tar",
                     headers=["Content-Type: application/x-tar"]),
    "build-refused": request("POST", "/build?pull=1&memory=5&version=2", b"tar"),
    "image-pull": request("POST", "/images/create?fromImage=busybox&tag=latest"),
    "image-pull-auth": request("POST", "/images/create?fromImage=127.0.0.1%3A5000%2Fa%2Fb"
                               "&tag=sha256%3A" + "0" * 64,
                               headers=["X-Registry-Auth: eyJ1c2VybmFtZSI6InUiLCJwYXNzd29yZCI6InAifQ=="]),
    "image-push": request("POST", "/images/127.0.0.1:5000/a/b/push?tag=1",
                          headers=["X-Registry-Auth: e30="]),
    "auth": request("POST", "/auth", '{"username":"u","password":"p","serveraddress":"127.0.0.1:5000"}'),
    "auth-bad": request("POST", "/auth", '{"auth":"***"}'),
    "events": request("GET", "/events?since=0&until=1999999999&filters="
                      "%7B%22type%22%3A%5B%22container%22%5D%7D"),
    "networks": request("GET", "/networks/bridge"),
    "create-mounts": request("POST", "/containers/create", json.dumps({
        "Image": "busybox", "Cmd": ["true"], "Volumes": {"/data": {}, "/x/": {}},
        "Healthcheck": {"Test": ["CMD-SHELL", "true"], "Interval": 1000000, "Retries": 2},
        "HostConfig": {"Binds": ["vol:/v:ro,nocopy", "/h:/b:z,rshared"],
                       "Mounts": [{"Type": "bind", "Source": "/h", "Target": "/m", "ReadOnly": True,
                                   "BindOptions": {"Propagation": "rslave", "NonRecursive": True}},
                                  {"Type": "volume", "Target": "/n",
                                   "VolumeOptions": {"NoCopy": True, "DriverConfig": {"Name": "local"}}},
                                  {"Type": "tmpfs", "Target": "/t",
                                   "TmpfsOptions": {"SizeBytes": 1048576, "Mode": 1023}}],
                       "Tmpfs": {"/run": "size=1m,exec"}, "VolumesFrom": ["fuzzbox:ro"],
                       "Init": True, "Ulimits": [{"Name": "nofile", "Soft": 10, "Hard": 20}],
                       "Sysctls": {"net.ipv4.ip_forward": "1"}, "GroupAdd": ["users"],
                       "Devices": [{"PathOnHost": "/dev/null", "PathInContainer": "/dev/n",
                                    "CgroupPermissions": "rw"}],
                       "DeviceCgroupRules": ["c 1:3 r"], "ShmSize": 1048576, "OomScoreAdj": 5,
                       "PidMode": "host", "IpcMode": "shareable", "LogConfig": {"Type": "none"}}})),
    "volume-create": request("POST", "/volumes/create",
                             '{"Name":"v1","Labels":{"a":"b"},"DriverOpts":{"type":"tmpfs",'
                             '"device":"tmpfs","o":"size=1m"}}'),
    "volume-list": request("GET", "/volumes?filters=%7B%22dangling%22%3A%5B%221%22%5D%2C"
                           "%22label%22%3A%5B%22a%3Db%22%5D%7D"),
    "volume-inspect": request("GET", "/volumes/fuzzvol"),
    "volume-remove": request("DELETE", "/volumes/fuzzvol?force=1"),
    "volume-prune": request("POST", "/volumes/prune?filters=%7B%22all%22%3A%5B%22true%22%5D%7D"),
    "system-df": request("GET", "/system/df"),
    "build-prune": request("POST", "/build/prune?all=1&keep-storage=100&filters=%7B%22until%22"
                           "%3A%5B%2224h%22%5D%2C%22label%21%22%3A%5B%22a%22%5D%7D"),
    "rename": request("POST", "/containers/fuzzbox/rename?name=other"),
    "pipelined": request("GET", "/_ping") + request("GET", "/version"),
    "traversal": request("GET", "/containers/..%2F..%2Fetc/json"),
    "long-header": request("GET", "/info", headers=["X-Big: " + "a" * 40000]),
    "bad-chunk": b"POST /containers/create HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                 b"fffffffffffffff\r\n{}\r\n0\r\n\r\n",
    "http10": b"GET /_ping HTTP/1.0\r\n\r\n",
}


def main():
    for name, ents in LAYERS.items():
        write("layer_unpack", name, tar(ents))
    for name, ents in PAX.items():
        write("layer_unpack", name, tar(ents, tarfile.PAX_FORMAT))
    layer = tar(LAYERS["basic"])
    layer_gz = gzip.compress(layer, mtime=0)
    write("image_load", "docker-save", docker_save(layer, ["fuzz:latest", "example.com/x/y:1"]))
    write("image_load", "docker-save-untagged", docker_save(layer, []))
    write("image_load", "docker-save-bad-tag", docker_save(layer, ["../../../etc/x:1"]))
    write("image_load", "docker-save-unsafe-layer",
          docker_save(layer, ["fuzz:2"], lambda m: m[0].update(Layers=["../../l1/layer.tar"])))
    write("image_load", "docker-save-layer-count",
          docker_save(layer, ["fuzz:3"], lambda m: m[0].update(Layers=[])))
    write("image_load", "oci-layout", oci_layout(layer_gz, layer))
    write("image_load", "oci-layout.gz", gzip.compress(oci_layout(layer_gz, layer), mtime=0))
    write("image_load", "hostile-layer", docker_save(tar(LAYERS["symlink-abs-write"]), ["fuzz:4"]))
    for name, data in HTTP.items():
        write("http", name, data)


if __name__ == "__main__":
    main()
