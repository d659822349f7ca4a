# A real registry for the pull and push tests: Debian's docker-registry
# (the distribution project's registry) on 127.0.0.1, on a free port, with
# its own storage, TLS with a certificate from a test CA made here, and
# htpasswd authentication; images built here from busybox-static and
# pushed into it with skopeo.  berthd trusts the CA through --certs-dir
# (DIR/127.0.0.1:PORT/ca.crt, docker's layout).  Everything lives under
# $REG_DIR and goes in registry_teardown.

REG_USER=berth
REG_PASS=s3cret-pass

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The test CA and a server certificate for 127.0.0.1 it signed.
make_certs() {
	local d=$REG_DIR/pki
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$d/ca.key" -out "$d/ca.crt" -days 2 -subj /CN=berth-test-ca 2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$d/server.key" -out "$d/server.csr" -subj /CN=127.0.0.1 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n' >"$d/ext"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
		-CAcreateserial -out "$d/server.crt" -days 2 -extfile "$d/ext" 2>/dev/null
	# skopeo's --dest-cert-dir: the CA alone.
	mkdir -p "$d/trust"
	cp "$d/ca.crt" "$d/trust/ca.crt"
	# A client certificate the CA signed, for "mtls" registries.
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$d/client.key" -out "$d/client.csr" -subj /CN=berth-test-client 2>/dev/null
	printf 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n' >"$d/client-ext"
	openssl x509 -req -in "$d/client.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
		-CAcreateserial -out "$d/client.cert" -days 2 -extfile "$d/client-ext" 2>/dev/null
	mkdir -p "$d/client-trust"
	cp "$d/ca.crt" "$d/client.cert" "$d/client.key" "$d/client-trust/"
}

# registry_start NAME [plain|token|mtls]: a registry with TLS and htpasswd
# auth (with "plain", plain HTTP without auth; with "token", TLS and
# Bearer tokens from token_start's server; with "mtls", TLS that wants a
# client certificate from the test CA, and no auth) on a free port;
# REG_<NAME>_ADDR is its 127.0.0.1:PORT.  Its storage stays across
# restarts (registry_run).
registry_start() {
	local name=$1 mode=${2:-tls} port dir
	dir=$REG_DIR/$name
	mkdir -p "$dir/storage"
	port=$(free_port)
	{
		printf 'version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\n'
		printf 'storage:\n  filesystem:\n    rootdirectory: %s/storage\n' "$dir"
		printf '  delete:\n    enabled: true\n'
		printf 'http:\n  addr: 127.0.0.1:%s\n' "$port"
		if [ "$mode" != plain ]; then
			printf '  tls:\n    certificate: %s/pki/server.crt\n    key: %s/pki/server.key\n' \
				"$REG_DIR" "$REG_DIR"
		fi
		if [ "$mode" = mtls ]; then
			printf '    clientcas:\n      - %s/pki/ca.crt\n' "$REG_DIR"
		fi
		if [ "$mode" = tls ]; then
			printf 'auth:\n  htpasswd:\n    realm: berth-test\n    path: %s/htpasswd\n' \
				"$REG_DIR"
		elif [ "$mode" = token ]; then
			printf 'auth:\n  token:\n    realm: https://127.0.0.1:%s/token\n' "$REG_TOKEN_PORT"
			printf '    service: berth-test-registry\n    issuer: berth-test-issuer\n'
			printf '    rootcertbundle: %s/pki/token.crt\n' "$REG_DIR"
		fi
	} >"$dir/config.yml"
	echo "$port" >"$dir/port"
	registry_run "$name"
	if [ "$mode" != plain ]; then
		mkdir -p "$REG_CERTS/127.0.0.1:$port"
		cp "$REG_DIR/pki/ca.crt" "$REG_CERTS/127.0.0.1:$port/ca.crt"
	fi
	eval "export REG_${name^^}_ADDR=127.0.0.1:$port"
}

# Start (again) the registry NAME with its config and wait until it answers.
registry_run() {
	local name=$1 dir=$REG_DIR/$1 port i
	port=$(cat "$dir/port")
	# Started from a subshell: not a job of the test's shell, whose kill
	# would be reported in the test's output.
	(docker-registry serve "$dir/config.yml" >>"$dir/log" 2>&1 & echo $! >"$dir/pid")
	for i in $(seq 200); do
		if curl -sk -o /dev/null "https://127.0.0.1:$port/v2/" ||
			curl -s -o /dev/null "http://127.0.0.1:$port/v2/"; then
			return 0
		fi
		sleep 0.05
	done
	echo "registry $name did not come up; its log:" >&2
	cat "$dir/log" >&2
	return 1
}

registry_kill() {
	local pid
	pid=$(cat "$REG_DIR/$1/pid" 2>/dev/null) || return 0
	kill -9 "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
	rm -f "$REG_DIR/$1/pid"
}

# The layers of the test image: busybox with a marker (so that no layer of
# the images berthd_setup_file loads is shared), a file in /etc, and a
# larger incompressible one, so that a download takes some time.
make_registry_layers() {
	local d=$REG_DIR/layers
	mkdir -p "$d/l2/etc" "$d/l3/data"
	make_rootfs "$d/l1"
	echo registry-base >"$d/l1/etc/registry-marker"
	tar -C "$d/l1" -cf "$d/l1.tar" .
	echo pulled-layer-two >"$d/l2/etc/greeting"
	tar -C "$d/l2" -cf "$d/l2.tar" .
	head -c 8M /dev/urandom >"$d/l3/data/blob"
	tar -C "$d/l3" -cf "$d/l3.tar" .
}

# push_image NAME:TAG [skopeo options]: the test image, as a docker-archive,
# into the TLS registry.
push_image() {
	local ref=$1
	shift
	[ -f "$REG_DIR/bb.tar" ] || make_docker_archive "$REG_DIR/bb.tar" "reg/bb:1" \
		"$REG_DIR/layers/l1.tar" "$REG_DIR/layers/l2.tar" "$REG_DIR/layers/l3.tar"
	skopeo copy -q --dest-creds "$REG_USER:$REG_PASS" --dest-cert-dir "$REG_DIR/pki/trust" \
		"$@" "docker-archive:$REG_DIR/bb.tar" "docker://$REG_MAIN_ADDR/$ref"
}

# The registry's file of a blob (sha256:HEX).
registry_blob() {
	local hex=${2#sha256:}
	echo "$REG_DIR/$1/storage/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data"
}

# Set-up for a file: the registry directory, then berthd with --certs-dir
# (and the plain registry named insecure when given).
registry_setup_file() {
	REG_DIR=$(mktemp -d /tmp/berth-registry.XXXXXX)
	export REG_DIR REG_CERTS=$REG_DIR/certs.d
	mkdir -p "$REG_CERTS"
	make_certs
	htpasswd -Bbn "$REG_USER" "$REG_PASS" >"$REG_DIR/htpasswd" 2>/dev/null
	registry_start main
	make_registry_layers
}

registry_teardown_file() {
	local d r
	for r in "$REG_DIR"/relay-*.pid; do
		[ -f "$r" ] && relay_stop "$(basename "$r" .pid | sed 's/^relay-//')"
	done
	for d in "$REG_DIR"/*/; do
		[ -f "$d/pid" ] && registry_kill "$(basename "$d")"
	done
	if [ -f "$REG_DIR/token.pid" ]; then
		kill -9 "$(cat "$REG_DIR/token.pid")" 2>/dev/null
	fi
	rm -rf "$REG_DIR"
}

# The token server of "token" registries (tests/helpers/token_server.py)
# on REG_TOKEN_PORT, signing with a key of its own, and its log of the
# tokens it gave ($REG_DIR/token.log).
token_start() {
	local d=$REG_DIR/pki i
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$d/token.key" -out "$d/token.crt" -days 2 -subj /CN=berth-test-token 2>/dev/null
	export REG_TOKEN_PORT
	REG_TOKEN_PORT=$(free_port)
	: >"$REG_DIR/token.log"
	(python3 "$REPO/tests/helpers/token_server.py" "$REG_TOKEN_PORT" "$d/server.crt" \
		"$d/server.key" "$d/token.crt" "$d/token.key" berth-test-issuer "$REG_USER" \
		"$REG_PASS" "$REG_DIR/token.log" >"$REG_DIR/token.out" 2>&1 &
		echo $! >"$REG_DIR/token.pid")
	for i in $(seq 100); do
		grep -q '^ready$' "$REG_DIR/token.out" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "the token server did not come up: $(cat "$REG_DIR/token.out")" >&2
	return 1
}

# relay_start NAME LISTEN_PORT TARGET_PORT [registry_relay.py options]: a
# relay in front of a registry (tests/helpers/registry_relay.py), its
# connections logged to $REG_DIR/relay-NAME.log.
relay_start() {
	local name=$1 listen=$2 target=$3 i
	shift 3
	: >"$REG_DIR/relay-$name.log"
	(python3 "$REPO/tests/helpers/registry_relay.py" "$listen" "$target" \
		"$REG_DIR/relay-$name.log" "$@" >"$REG_DIR/relay-$name.out" 2>&1 &
		echo $! >"$REG_DIR/relay-$name.pid")
	# It says when it listens (a probe connection would be one it counts).
	for i in $(seq 100); do
		grep -q '^ready$' "$REG_DIR/relay-$name.out" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "relay $name did not come up" >&2
	return 1
}

relay_stop() {
	local pid
	pid=$(cat "$REG_DIR/relay-$1.pid" 2>/dev/null) || return 0
	kill -9 "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
	rm -f "$REG_DIR/relay-$1.pid"
}
