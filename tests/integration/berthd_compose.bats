#!/usr/bin/env bats
# docker-compose (Debian's 1.29) against berthd: a project with a bind, a
# named volume and an anonymous one.  Its services use network_mode none:
# compose's project networks need berthd's network API.

load berthd_helpers

berthd_file_hooks

compose() {
	docker-compose --project-directory "$BERTHD_DIR/proj" -p proj \
		-f "$BERTHD_DIR/proj/docker-compose.yml" --no-ansi "$@"
}

@test "berthd compose: binds and volumes; the named volume survives down, down -v leaves nothing" {
	command -v docker-compose >/dev/null || fail "docker-compose is missing (make deps installs it)"
	mkdir -p "$BERTHD_DIR/proj/src"
	echo from-bind >"$BERTHD_DIR/proj/src/f"
	cat >"$BERTHD_DIR/proj/docker-compose.yml" <<-'YAML'
	version: "3"
	services:
	  app:
	    image: berthd-test/bb:1
	    network_mode: none
	    command: sh -c 'cat /src/f; echo run >>/data/log; wc -l </data/log; echo x >>/anon/x; wc -l </anon/x; echo $$STEP'
	    environment:
	      STEP: one
	    volumes:
	      - ./src:/src:ro
	      - appdata:/data
	      - /anon
	volumes:
	  appdata:
	YAML
	run compose up
	assert_success
	assert_output_contains "app_1  | from-bind"
	assert_equal "$(echo "$output" | grep -c 'app_1  | 1$')" "2"
	assert_equal "$(dk volume ls -q | grep -c .)" "2"
	# A changed service is recreated (rename, then create with the old
	# container's anonymous volume): both volumes keep their content.
	sed -i 's/STEP: one/STEP: two/' "$BERTHD_DIR/proj/docker-compose.yml"
	run compose up
	assert_success
	assert_output_contains "app_1  | two"
	assert_equal "$(echo "$output" | grep -c 'app_1  | 2$')" "2"
	assert_equal "$(dk ps -a --format '{{.Names}}')" "proj_app_1"
	# down keeps the volumes (the anonymous one dangling, as with
	# dockerd); down -v removes the named one and the new anonymous one.
	local anon
	anon=$(dk inspect -f '{{range .Mounts}}{{if eq .Destination "/anon"}}{{.Name}}{{end}}{{end}}' proj_app_1)
	run compose down
	assert_success
	assert_equal "$(dk ps -aq)" ""
	assert_equal "$(dk volume ls -q | sort | tr '\n' ' ')" "$(printf '%s\n' "$anon" proj_appdata | sort | tr '\n' ' ')"
	run compose up
	assert_output_contains "app_1  | 3"
	run compose down -v
	assert_success
	assert_equal "$(dk ps -aq)" ""
	assert_equal "$(dk volume ls -q)" "$anon"
	dk volume prune -f >/dev/null
	assert_equal "$(ls -A "$BERTHD_DATA/volumes")" ""
	if grep -q "$BERTHD_DATA" /proc/self/mountinfo; then
		fail "mounts are left: $(grep "$BERTHD_DATA" /proc/self/mountinfo)"
	fi
	[ -f "$BERTHD_DIR/proj/src/f" ]
}

@test "berthd compose: depends_on waits for a healthy service; logs, ps, exec" {
	command -v docker-compose >/dev/null || fail "docker-compose is missing (make deps installs it)"
	mkdir -p "$BERTHD_DIR/proj"
	cat >"$BERTHD_DIR/proj/docker-compose.yml" <<-'YAML'
	version: "2.4"
	services:
	  db:
	    image: berthd-test/bb:1
	    network_mode: none
	    command: sh -c 'sleep 1; touch /tmp/up; exec sleep 1000'
	    healthcheck:
	      test: ["CMD", "test", "-e", "/tmp/up"]
	      interval: 200ms
	      retries: 20
	  app:
	    image: berthd-test/bb:1
	    network_mode: none
	    command: sh -c 'echo app-started; exec sleep 1000'
	    depends_on:
	      db:
	        condition: service_healthy
	YAML
	local since
	since=$(($(date +%s) - 1))
	run compose up -d
	assert_success
	# app started only once db was healthy.
	assert_equal "$(dk inspect -f '{{.State.Health.Status}}' proj_db_1)" "healthy"
	# These two containers' events (by id: the first test's proj_app_1
	# may have started within the same second).
	run dk events --since "$since" --until "$(($(date +%s) + 1))" \
		--filter container="$(dk inspect -f '{{.Id}}' proj_db_1)" \
		--filter container="$(dk inspect -f '{{.Id}}' proj_app_1)" \
		--format '{{.Actor.Attributes.name}} {{.Action}}'
	assert_equal "$(echo "$output" | grep -E '^proj_db_1 health_status: healthy$|^proj_app_1 start$' | head -2)" \
		"proj_db_1 health_status: healthy
proj_app_1 start"
	run compose ps
	assert_success
	assert_output_contains "proj_db_1"
	assert_output_contains "Up (healthy)"
	run compose logs app
	assert_output_contains "app-started"
	run compose exec -T db cat /proc/1/cmdline
	assert_success
	assert_output_contains "sleep"
	run compose down -v
	assert_success
	assert_equal "$(dk ps -aq)" ""
	assert_equal "$(ls -A "$BERTHD_DATA/volumes" 2>/dev/null)" ""
}
