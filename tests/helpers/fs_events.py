#!/usr/bin/env python3
"""Report, in the order the kernel tells them, when a mount goes away and
when a file is deleted: for tests of the order of clean-ups.

    fs_events.py LABEL=DIR...

Watches each DIR (inotify): prints "LABEL unmounted" when the filesystem
DIR is on goes away, "LABEL deleted NAME" when an entry of DIR is
deleted, each line flushed as it happens.  Prints "ready" once every
watch is set.  Runs until it is killed: a deleted directory that a mount
still holds gives no event of its own, so there is no last event to wait
for."""
import ctypes
import os
import struct
import sys

IN_DELETE = 0x200
IN_UNMOUNT = 0x2000

libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init1(os.O_CLOEXEC)
if fd < 0:
    sys.exit("inotify_init1: " + os.strerror(ctypes.get_errno()))
labels = {}
for arg in sys.argv[1:]:
    label, path = arg.split("=", 1)
    wd = libc.inotify_add_watch(fd, path.encode(), IN_DELETE | IN_UNMOUNT)
    if wd < 0:
        sys.exit(f"watch {path}: {os.strerror(ctypes.get_errno())}")
    labels[wd] = label
print("ready", flush=True)
while True:
    buf = os.read(fd, 65536)
    off = 0
    while off < len(buf):
        wd, mask, _cookie, length = struct.unpack_from("iIII", buf, off)
        name = buf[off + 16:off + 16 + length].rstrip(b"\0").decode(errors="replace")
        off += 16 + length
        label = labels.get(wd, "?")
        if mask & IN_UNMOUNT:
            print(label, "unmounted", flush=True)
        if mask & IN_DELETE:
            print(label, "deleted", name, flush=True)
