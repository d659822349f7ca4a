#!/bin/bash
# The main job: run a container on a busybox rootfs built here (from
# busybox-static, nothing downloaded) and show what it is isolated from.
#
#   tests/demo.sh [BERTH]
set -eu

BERTH=$(realpath "${1:-build/berth}")
BUSYBOX=$(command -v busybox)
work=$(mktemp -d /tmp/berth-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT

bundle=$work/bundle
mkdir -p "$bundle/rootfs"/{bin,etc,proc,sys,dev,tmp}
cp "$BUSYBOX" "$bundle/rootfs/bin/busybox"
for applet in $("$BUSYBOX" --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$bundle/rootfs/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$bundle/rootfs/etc/passwd"

"$BERTH" spec --bundle "$bundle"
# What the container runs: a report of what it sees.
cat >"$bundle/rootfs/bin/report" <<'SCRIPT'
#!/bin/sh
echo "  pid of the program:        $$"
echo "  processes it can see:      $(ls -d /proc/[0-9]* | wc -l)"
echo "  hostname:                  $(hostname)"
echo "  network interfaces:        $(ls /sys/class/net | tr '\n' ' ')"
echo "  mounts in its table:       $(wc -l < /proc/self/mountinfo)"
echo "  its root:                  $(awk '$5 == "/" {print $4, $6}' /proc/self/mountinfo)"
echo "  effective capabilities:    $(awk '/^CapEff/ {print $2}' /proc/self/status)"
echo "  no_new_privs:              $(awk '/^NoNewPrivs/ {print $2}' /proc/self/status)"
echo "  its cgroup (namespaced):   $(cat /proc/self/cgroup | tail -n 1)"
SCRIPT
chmod 755 "$bundle/rootfs/bin/report"
jq '.process.args = ["/bin/report"]
	| .process.terminal = false
	| .hostname = "berth-demo"
	| .linux.cgroupsPath = "berth-demo/ctr"
	| del(.linux.resources)' "$bundle/config.json" >"$work/config.json"
mv "$work/config.json" "$bundle/config.json"

echo "The host:"
echo "  pid of this shell:         $$"
echo "  processes it can see:      $(ls -d /proc/[0-9]* | wc -l)"
echo "  hostname:                  $(hostname)"
echo "  network interfaces:        $(ls /sys/class/net | tr '\n' ' ')"
echo "  mounts in its table:       $(wc -l </proc/self/mountinfo)"
echo "  effective capabilities:    $(awk '/^CapEff/ {print $2}' /proc/self/status)"
echo
echo "A container run by berth (berth run), on a busybox rootfs:"
"$BERTH" --root "$work/state" run --bundle "$bundle" demo
caps=$(jq -r '.process.capabilities.effective | join(" ")' "$bundle/config.json")
echo
echo "Its capabilities are only: $caps"
echo "Its rootfs, state and cgroup are gone again: $(ls "$work/state" | wc -l) containers left."
