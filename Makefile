# berth: an OCI container runtime (berth) and its daemon (berthd).
#
#   make deps      install build and test dependencies (Debian packages)
#   make           build berth and berthd
#   make demo      build, then run a container on a busybox rootfs
#   make check     every test: unit (plain and sanitized), fuzz harnesses (briefly), bats on this
#                  host, bats in a cgroup v2 VM
#   make bench     berth against crun and runc on this host (bench-vm: in the cgroup v2 VM)
#   make fuzz      build the libFuzzer harnesses (tests/fuzz) with clang, ASan and UBSan
#   make install   install into $(DESTDIR)$(PREFIX)

PREFIX ?= /usr/local
BUILD ?= build
CC ?= gcc

CFLAGS ?= -O2 -g
# override: a CFLAGS given on the command line (unit-sanitize does that)
# replaces the optimisation flags, not the language, warnings and includes.
override CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wshadow -Wformat=2 -Wstrict-prototypes -D_GNU_SOURCE -I.
LDLIBS = -lseccomp -lcap -lyajl -lcgroup -lnettle

# Debian packages the build and the tests need (uidmap's newuidmap and
# newgidmap and passwd's useradd for the rootless tests' user).
DEPS_BUILD = gcc libc6-dev musl-tools make pkg-config libseccomp-dev libcap-dev libyajl-dev \
	libcmocka-dev libmicrohttpd-dev libarchive-dev libcgroup-dev nettle-dev libcurl4-openssl-dev
DEPS_TEST = bats busybox-static iproute2 util-linux bsdutils procps psmisc jq curl docker.io docker-compose tini \
	containerd podman conmon python3-grpcio python3-docker \
	libcap2-bin python3 socat strace uidmap passwd systemd man-db
# berthd's networks: the standard CNI plugins (bridge, host-local, portmap,
# loopback, firewall in /usr/lib/cni) and the iptables they run; compose
# (v1) for the test of a project's network; slirp4netns, a rootless
# berthd's default network.
DEPS_NET = containernetworking-plugins iptables docker-compose slirp4netns
# The registry tests: Debian's registry, skopeo to fill it, a test CA,
# htpasswd files and the token server's signatures.
DEPS_REGISTRY = docker-registry skopeo openssl apache2-utils python3-cryptography
DEPS_VM = qemu-system-x86 linux-image-amd64 kmod cpio
DEPS_BENCH = crun runc gnuplot-nox
# libFuzzer's runtime (libclang_rt.fuzzer) is in libclang-rt-dev;
# llvm brings llvm-symbolizer for readable sanitizer reports.
DEPS_FUZZ = clang libclang-rt-dev llvm
DEPS = $(DEPS_BUILD) $(DEPS_TEST) $(DEPS_NET) $(DEPS_REGISTRY) $(DEPS_VM) $(DEPS_BENCH) $(DEPS_FUZZ)

# Three libraries, one per room (see runtime/README.md): the OCI lifecycle
# library that berth and the shim link (with isolation/, spec/ and the base
# below them), berthd's engine, and its image store.  berth links only the
# first, so it cannot carry daemon code.
LIB_SRCS = $(wildcard spec/base/*.c) $(wildcard spec/*.c) $(wildcard isolation/*.c) $(wildcard runtime/*.c)
ENGINE_SRCS = $(wildcard runtime/engine/*.c)
IMAGES_SRCS = $(wildcard runtime/images/*.c)
NETWORK_SRCS = $(wildcard runtime/network/*.c)
BERTH_SRCS = $(wildcard cmd/berth/*.c)
BERTHD_SRCS = $(wildcard cmd/berthd/*.c)
UNIT_SRCS = $(wildcard tests/unit/test_*.c)

LIB_OBJS = $(LIB_SRCS:%.c=$(BUILD)/%.o)
ENGINE_OBJS = $(ENGINE_SRCS:%.c=$(BUILD)/%.o)
IMAGES_OBJS = $(IMAGES_SRCS:%.c=$(BUILD)/%.o)
NETWORK_OBJS = $(NETWORK_SRCS:%.c=$(BUILD)/%.o)
LIBBERTH = $(BUILD)/libberth.a
LIBENGINE = $(BUILD)/libberth-engine.a
LIBIMAGES = $(BUILD)/libberth-images.a
LIBNETWORK = $(BUILD)/libberth-network.a
BERTH_OBJS = $(BERTH_SRCS:%.c=$(BUILD)/%.o)
BERTHD_OBJS = $(BERTHD_SRCS:%.c=$(BUILD)/%.o)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
# Small programs the bats tests use (a console socket, a seccomp agent, a
# static syscall probe to copy into test rootfs).
HELPER_SRCS = $(wildcard tests/helpers/*.c)
HELPER_BINS = $(HELPER_SRCS:tests/helpers/%.c=$(BUILD)/tests/helpers/%)

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
# version.h changes only when the version or commit does, so that what
# includes it is rebuilt then, and only then.
VERSION_H = $(BUILD)/gen/version.h
override CFLAGS += -I$(BUILD)/gen

.PHONY: FORCE all deps demo check unit unit-sanitize integration vm install clean bench bench-vm \
	fuzz fuzz-bins

# berthd and its helpers: the per-container shim (set-up, then the small
# monitor it becomes for the container's life) and the image unpacker,
# which also pulls and pushes (kept out of the daemon so that it links no
# archive library, no HTTP client and no TLS for them).
BERTHD_BINS = $(BUILD)/berthd $(BUILD)/berthd-shim $(BUILD)/berthd-monitor $(BUILD)/berthd-unpack

all: $(BUILD)/berth $(BERTHD_BINS) $(HELPER_BINS)

# Quiet by default; make V=1 shows the commands.
Q = $(if $(V),,@)

$(VERSION_H): FORCE
	@mkdir -p $(dir $@)
	@printf '#define BERTH_VERSION "%s"\n#define BERTH_COMMIT "%s"\n' '$(VERSION)' '$(COMMIT)' >$@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv -f $@.tmp $@

FORCE:

$(BUILD)/%.o: %.c | $(VERSION_H)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIBBERTH): $(LIB_OBJS)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(LIBENGINE): $(ENGINE_OBJS)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(LIBIMAGES): $(IMAGES_OBJS)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(LIBNETWORK): $(NETWORK_OBJS)
	@rm -f $@
	$(Q)ar rcs $@ $^

# berth is linked statically, as a position-independent executable (so
# ASLR still applies): no dynamic loader, relocations or lazy binding in a
# command that lives a few milliseconds (a run's CPU time -15%, its peak
# RSS 2.7 -> 1.5 MiB).  berth resolves no user or host names, so glibc's
# NSS is never needed at run time.  berthd-shim, which berthd starts for
# every container before it can run, is linked the same way for the same
# reason.  STATIC=0 links them like the others.
STATIC ?= 1
BERTH_LDLIBS = $(if $(filter 1,$(STATIC)),-static-pie $(subst -lyajl,-lyajl_s,$(LDLIBS)),$(LDLIBS))

# Only libcgroup's unused user-lookup functions draw glibc's warning about
# NSS in static programs; anything else is shown.
define link_static
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(BERTH_LDLIBS) 2>$@.ldwarn || { cat $@.ldwarn >&2; exit 1; }
	@grep -v -e "in statically linked applications requires" -e "in function" $@.ldwarn >&2 || true
	@rm -f $@.ldwarn
endef

# On x86_64 berth and berthd-shim enter at isolation/selfexe_entry.c,
# which takes the read-only view of the binary before glibc starts, so that
# a command that makes a container starts glibc once, not twice (each
# program says which of its command lines do: early_wants_seal).
BERTH_ENTRY_x86_64 = -Wl,-u,selfexe_entry -Wl,-e,selfexe_entry
BERTH_ENTRY = $(BERTH_ENTRY_$(firstword $(subst -, ,$(shell $(CC) -dumpmachine))))

$(BUILD)/berth $(BUILD)/berthd-shim: LDFLAGS += $(BERTH_ENTRY)
$(BUILD)/berth: $(BERTH_OBJS) $(LIBBERTH)
	$(link_static)

# berthd links Debian's shared libmicrohttpd, and with it the GnuTLS that
# Debian builds it with (no security library's functions are stubbed):
# its idle RSS grows from 2.8 to 5.1 MiB, most of it shared library pages.
# A static libmicrohttpd.a with GnuTLS's static archives saves only 0.2
# MiB of that (p11-kit and libunistring exist only as shared libraries)
# and is not worth a link line of its own.  Registry traffic (libcurl and
# its TLS) stays out of the daemon, in berthd-unpack.
$(BUILD)/berthd: $(BERTHD_OBJS) $(LIBENGINE) $(LIBIMAGES) $(LIBNETWORK) $(LIBBERTH) Makefile
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter-out Makefile,$^) -lmicrohttpd $(LDLIBS) -lpthread

$(BUILD)/berthd-shim: $(BUILD)/cmd/berthd/helpers/shim.o $(LIBENGINE) $(LIBIMAGES) $(LIBNETWORK) $(LIBBERTH)
	$(link_static)

# The shim's monitor lives as long as its container, once per container:
# what counts is the memory its start dirties, not its code (shared by
# every monitor).  Built with musl's static libc where musl-gcc is
# installed (musl-tools in DEPS_BUILD): 20 kB of private pages against
# glibc's 48 (glibc's static start-up writes five pages of its data, its
# TLS on the heap and its relocated GOT), from its own sources only, so
# that no library built for glibc goes in.  Without musl-gcc it is linked
# with glibc, static and not position-independent (no relocation of its
# data pages at start).
MONITOR_SRCS = cmd/berthd/helpers/monitor.c runtime/engine/shim_monitor.c \
	runtime/engine/shim_exec.c runtime/engine/shim_io.c runtime/engine/shim_log.c \
	runtime/engine/shim_args.c runtime/engine/shim_remove.c runtime/engine/log.c \
	runtime/engine/exit_write.c \
	spec/base/timestamp.c spec/base/err.c spec/base/fsutil.c
MUSL_CC ?= $(shell command -v musl-gcc 2>/dev/null)
ifneq ($(MUSL_CC),)
MONITOR_OBJS = $(MONITOR_SRCS:%.c=$(BUILD)/musl/%.o)
$(BUILD)/musl/%.o: %.c | $(VERSION_H)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC      $< (musl)")
	$(Q)$(MUSL_CC) $(CFLAGS) -MMD -MP -c -o $@ $<
$(BUILD)/berthd-monitor: $(MONITOR_OBJS)
	@$(if $(V),,echo "  LD      $@ (musl)")
	$(Q)$(MUSL_CC) $(CFLAGS) $(LDFLAGS) -static -o $@ $^
-include $(MONITOR_OBJS:.o=.d)
else
$(BUILD)/berthd-monitor: $(BUILD)/cmd/berthd/helpers/monitor.o $(LIBENGINE) $(LIBBERTH)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(if $(filter 1,$(STATIC)),-static -no-pie) -o $@ $^ $(if $(filter 1,$(STATIC)),$(subst -lyajl,-lyajl_s,$(LDLIBS)),$(LDLIBS))
endif

$(BUILD)/berthd-unpack: $(BUILD)/cmd/berthd/helpers/unpack.o $(LIBIMAGES) $(LIBBERTH)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) -larchive -lcurl -lpthread

# Static: they run inside test containers whose rootfs has no libc.
$(HELPER_BINS): $(BUILD)/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -static -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIBENGINE) $(LIBIMAGES) $(LIBNETWORK) $(LIBBERTH)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) -larchive -lcmocka

# The benchmark's stopwatch; it links nothing of berth's.
$(BUILD)/tests/benchtime: tests/bench/benchtime.c
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

# Installs only what is missing, so repeated runs cost one dpkg query.
deps:
	@missing=$$(for p in $(DEPS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

demo: deps all
	tests/demo.sh $(BUILD)/berth

unit: $(UNIT_BINS)
	@tests/unit/run.sh $(UNIT_BINS)

# The same unit tests under AddressSanitizer and UndefinedBehaviorSanitizer.
unit-sanitize:
	$(MAKE) BUILD=$(BUILD)/san CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" LDFLAGS="-fsanitize=address,undefined" unit

# The fuzz harnesses (README.md, "Fuzzing"): the libraries built again with
# clang, coverage-instrumented and sanitized, in a build directory of their
# own so that the gcc build is untouched.
FUZZ_CC ?= clang
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_SRCS = $(wildcard tests/fuzz/fuzz_*.c)
# Named for the inner make, whose BUILD is $(BUILD)/fuzz: build/fuzz/fuzz_config...
FUZZ_BINS = $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/%)
# berthd's handlers, over a fake engine (tests/fuzz/fake_engine.c) that
# starts nothing, with the engine's real log-record reader; http.c comes in
# through the harness itself.
FUZZ_API_SRCS = $(filter-out cmd/berthd/main.c cmd/berthd/http.c,$(BERTHD_SRCS)) \
	tests/fuzz/fake_engine.c tests/fuzz/sandbox.c runtime/engine/log.c \
	runtime/engine/values.c runtime/engine/volume_lines.c runtime/engine/net_entries.c
FUZZ_API_OBJS = $(FUZZ_API_SRCS:%.c=$(BUILD)/%.o)

fuzz:
	$(MAKE) BUILD=$(BUILD)/fuzz CC=$(FUZZ_CC) \
		CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $(FUZZ_SAN)" \
		LDFLAGS="-fsanitize=fuzzer $(FUZZ_SAN)" fuzz-bins

fuzz-bins: $(FUZZ_BINS)

$(BUILD)/fuzz_http: $(BUILD)/tests/fuzz/fuzz_http.o $(FUZZ_API_OBJS) $(LIBIMAGES) $(LIBBERTH)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lmicrohttpd $(LDLIBS) -lpthread

$(filter-out %/fuzz_http,$(FUZZ_BINS)): $(BUILD)/%: $(BUILD)/tests/fuzz/%.o \
		$(BUILD)/tests/fuzz/sandbox.o $(LIBIMAGES) $(LIBBERTH)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) -larchive

check: deps all
	tests/check.sh

# BENCH_ARGS passes options to tests/bench/bench.sh (see tests/bench/README.md).
bench: deps all $(BUILD)/tests/benchtime
	tests/bench/bench.sh $(BENCH_ARGS)

bench-vm: deps all $(BUILD)/tests/benchtime
	tests/bench/bench.sh --vm $(BENCH_ARGS)

install: all
	install -D -m 0755 $(BUILD)/berth $(DESTDIR)$(PREFIX)/bin/berth
	install -D -m 0755 $(BUILD)/berthd $(DESTDIR)$(PREFIX)/bin/berthd
	install -D -m 0755 $(BUILD)/berthd-shim $(DESTDIR)$(PREFIX)/libexec/berth/berthd-shim
	install -D -m 0755 $(BUILD)/berthd-monitor $(DESTDIR)$(PREFIX)/libexec/berth/berthd-monitor
	install -D -m 0755 $(BUILD)/berthd-unpack $(DESTDIR)$(PREFIX)/libexec/berth/berthd-unpack
	install -D -m 0644 contrib/berthd.service $(DESTDIR)$(PREFIX)/lib/systemd/system/berthd.service
	install -D -m 0644 contrib/berth.8 $(DESTDIR)$(PREFIX)/share/man/man8/berth.8
	install -D -m 0644 contrib/berthd.8 $(DESTDIR)$(PREFIX)/share/man/man8/berthd.8
	install -D -m 0644 contrib/berth.bash-completion \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/berth

# contrib/seccomp.json is berth's default profile, written by berth itself
# (test_contrib_copy in tests/unit/test_seccomp.c fails when they differ).
contrib/seccomp.json: $(BUILD)/berth
	$(BUILD)/berth seccomp-profile >$@

clean:
	rm -rf $(BUILD)

-include $(LIB_OBJS:.o=.d) $(ENGINE_OBJS:.o=.d) $(IMAGES_OBJS:.o=.d) $(BERTH_OBJS:.o=.d) $(BERTHD_OBJS:.o=.d) \
	$(BUILD)/cmd/berthd/helpers/shim.d $(BUILD)/cmd/berthd/helpers/monitor.d $(BUILD)/cmd/berthd/helpers/unpack.d \
	$(FUZZ_SRCS:%.c=$(BUILD)/%.d) $(FUZZ_API_OBJS:.o=.d) $(BUILD)/tests/fuzz/sandbox.d
