# kesu: disk sanitization and the lifecycle of storage media.
#
#   make            build ./build/kesu
#   make check      install test dependencies, build, run every test (plain and ASan/UBSan)
#   make demo       run kesu on a scratch disk image attached as a loop device
#   make deps       install Debian build and test dependencies (idempotent)
#   make install    PREFIX=/usr/local DESTDIR=
#   make deb        build/kesu_VERSION_amd64.deb (dpkg-deb, lintian-clean)
#   make bench      kesu against dd/fio on the same loop devices
#
# Sources are found by wildcard: a new src/<layer>/<module>.c or tests/check_<module>.c
# needs no Makefile change.

VERSION    := 0.1.0
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
DATADIR    ?= $(PREFIX)/share/kesu
DESTDIR    ?=

# Quiet by default; `make V=1` shows the commands.
ifeq ($(V),1)
Q :=
else
Q := @
endif

CC         ?= cc
SAN        ?= 0
ifeq ($(SAN),1)
BUILD      ?= build-san
SANFLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
else
BUILD      ?= build
SANFLAGS   :=
endif

# pkg-config is asked when a recipe first needs the flags (then remembered),
# never while the Makefile is read: on a machine without the packages,
# `make demo` and `make check` install them (deps) before anything asks, and
# a plain `make` says to run `make deps` instead of failing on a missing header.
PKGS       := blkid libnvme openssl libgcrypt libqrencode jansson sqlite3 libpq pangocairo cairo-pdf cairo-svg cairo-png ncursesw
pkg_missing = $(error kesu: the build dependencies are not installed (pkg-config cannot \
	find: $(1)); run 'make deps' as root first (it installs the Debian packages), \
	or use 'make demo' / 'make check', which run it)
pkg_flags  = $(if $(shell pkg-config --exists $(2) 2>/dev/null && echo y),$(shell \
	pkg-config $(1) $(2) 2>/dev/null),$(call pkg_missing,$(2)))
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(call pkg_flags,--cflags,$(PKGS)))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $$(call pkg_flags,--libs,$(PKGS)))$(PKG_LIBS)
CHECK_CFLAGS = $(eval CHECK_CFLAGS := $$(call pkg_flags,--cflags,check))$(CHECK_CFLAGS)
CHECK_LIBS = $(eval CHECK_LIBS := $$(call pkg_flags,--libs,check))$(CHECK_LIBS)

WARN       := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral
CPPFLAGS   += -Iinclude -D_GNU_SOURCE -DKESU_VERSION='"$(VERSION)"' -DKESU_DATADIR='"$(DATADIR)"'
CFLAGS     ?= -O2 -g
CFLAGS     += -std=c11 $(WARN) -pthread $(SANFLAGS) $(PKG_CFLAGS)
LDFLAGS    += -pthread $(SANFLAGS)
LDLIBS     += $(PKG_LIBS) -lm

# Layers, bottom up. Lower layers never include or call upper ones.
LIB_SRCS   := $(wildcard src/util/*.c src/dev/*.c src/erase/*.c src/evidence/*.c)
CLI_SRCS   := $(wildcard src/cli/*.c)
TUI_SRCS   := $(wildcard src/tui/*.c)
SIM_SRCS   := $(wildcard tests/sim/*.c)
TLIB_SRCS  := $(wildcard tests/lib/*.c)
TEST_SRCS  := $(wildcard tests/check_*.c)
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)
MANPAGES   := $(wildcard src/man/*.8)

LIB_OBJS   := $(LIB_SRCS:%.c=$(BUILD)/%.o)
# The ledger server's roles (src/evidence/ledger-server.sql), built into kesu as a C string.
SQL_GEN    := $(BUILD)/gen/ledger_server_sql.c
LIB_OBJS   += $(SQL_GEN:.c=.o)
CLI_OBJS   := $(CLI_SRCS:%.c=$(BUILD)/%.o) $(TUI_SRCS:%.c=$(BUILD)/%.o)
TLIB_OBJS  := $(TLIB_SRCS:%.c=$(BUILD)/%.o)
TEST_BINS  := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
LIBKESU    := $(BUILD)/libkesu.a
KESU       := $(BUILD)/kesu
SIMLIB     := $(BUILD)/libkesusim.so

.SECONDARY:
.PHONY: all check check-plain check-san check-clang deps demo install clean bench fuzz fuzz-build tests
all: $(KESU)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIBKESU): $(LIB_OBJS)
	@rm -f $@
	@$(if $(Q),echo "  AR      $@")
	$(Q)$(AR) rcs $@ $^

$(KESU): $(CLI_OBJS) $(LIBKESU)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJS) $(LIBKESU) $(LDLIBS)

# The drive simulator: preloaded into kesu by tests, it answers SG_IO and NVMe
# admin ioctls on chosen descriptors (tests/sim/README.md).
$(BUILD)/tests/sim/%.o: tests/sim/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -fPIC -MMD -MP -c -o $@ $<

$(SIMLIB): $(SIM_SRCS:%.c=$(BUILD)/%.o)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -shared -o $@ $^ -ldl $(call pkg_flags,--libs,jansson)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TLIB_OBJS) $(LIBKESU)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(TLIB_OBJS) $(LIBKESU) $(CHECK_LIBS) $(LDLIBS)

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CPPFLAGS) -Itests $(CFLAGS) $(CHECK_CFLAGS) -MMD -MP -c -o $@ $<

tests: $(KESU) $(SIMLIB) $(TEST_BINS)

$(SQL_GEN): src/evidence/ledger-server.sql
	@mkdir -p $(dir $@)
	$(Q){ echo 'extern const char lg_server_sql[];'; echo 'const char lg_server_sql[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$$/\\n"/' $<; echo ';'; } >$@

$(SQL_GEN:.c=.o): $(SQL_GEN)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

deps:
	@sh tests/deps.sh

# The README's test command. Plain build, a clang -Werror build, then the whole
# suite twice: once plain, once under AddressSanitizer + UndefinedBehaviorSanitizer,
# then a short run of every fuzz target, the .deb installed into a clean root,
# then the boot image booted in QEMU.
check: deps
	$(MAKE) check-clang
	$(MAKE) check-plain
	$(MAKE) check-san
	$(MAKE) fuzz
	$(MAKE) check-deb
	$(MAKE) check-iso

check-plain: tests
	@sh tests/run.sh $(BUILD)

check-san:
	$(MAKE) SAN=1 tests
	@sh tests/run.sh build-san

check-clang:
	$(MAKE) CC=clang BUILD=build-clang all tests

# libFuzzer targets (tests/fuzz/fuzz_*.c), built with clang against an
# instrumented libkesu. `make fuzz` runs each for FUZZ_SECONDS.
FUZZ_SECONDS ?= 20
FUZZ_BINS  := $(FUZZ_SRCS:tests/fuzz/%.c=build-fuzz/%)
fuzz-build:
	$(MAKE) CC=clang BUILD=build-fuzz SANFLAGS='-fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer' build-fuzz/libkesu.a
	$(MAKE) CC=clang BUILD=build-fuzz $(FUZZ_BINS)

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c build-fuzz/libkesu.a
	@echo "  FUZZ    $@"
	$(Q)clang $(CPPFLAGS) -Itests -std=c11 -g -O1 -fsanitize=address,undefined,fuzzer $(PKG_CFLAGS) -o $@ $< build-fuzz/libkesu.a $(LDLIBS)

fuzz: fuzz-build
	@for f in $(FUZZ_BINS); do \
		name=$$(basename $$f); mkdir -p build-fuzz/corpus-$$name; \
		cp -n tests/fuzz/corpus-$${name#fuzz_}/* build-fuzz/corpus-$$name/ 2>/dev/null; \
		echo "fuzz: $$name for $(FUZZ_SECONDS) s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 build-fuzz/corpus-$$name >build-fuzz/$$name.log 2>&1 \
			|| { tail -40 build-fuzz/$$name.log; echo "fuzz: $$name FAILED"; exit 1; }; \
		echo "fuzz: $$name ok ($$(grep -c . build-fuzz/$$name.log) log lines)"; \
	done

# deps first, then the build in a new make (it reads the flags of what deps installed).
demo: deps
	@$(MAKE) --no-print-directory all
	@sh tests/demo.sh $(KESU)

bench: deps
	@$(MAKE) --no-print-directory all
	@sh tests/bench.sh $(KESU)

install: $(KESU)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DATADIR)/labels $(DESTDIR)$(DATADIR)/reports
	install -m 0755 $(KESU) $(DESTDIR)$(SBINDIR)/kesu
	$(if $(MANPAGES),install -m 0644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man8/)
	$(if $(wildcard labels/*),install -m 0644 $(wildcard labels/*) $(DESTDIR)$(DATADIR)/labels/)
	$(if $(wildcard reports/*),install -m 0644 $(wildcard reports/*) $(DESTDIR)$(DATADIR)/reports/)
	install -m 0644 src/evidence/ledger-server.sql $(DESTDIR)$(DATADIR)/

clean:
	rm -rf build build-san build-clang build-fuzz

# The Debian package (iso/mkdeb.sh): kesu built for /usr in its own build
# directory, installed into a staging root under build/deb/, packaged with
# dpkg-deb; lintian must report no errors. check-deb installs it into a root
# holding only its declared dependencies and runs it there (iso/deb-test.sh).
.PHONY: deb check-deb
DEB_BUILD := build/deb
deb:
	@rm -rf $(DEB_BUILD)/root
	$(Q)$(MAKE) --no-print-directory BUILD=$(DEB_BUILD)/obj PREFIX=/usr DESTDIR=$(CURDIR)/$(DEB_BUILD)/root install >/dev/null
	@sh iso/mkdeb.sh -r $(DEB_BUILD)/root -v $(VERSION) -o build

check-deb: deb
	@sh iso/deb-test.sh build/kesu_$(VERSION)_$$(dpkg --print-architecture).deb

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# The bootable image (iso/mkiso.sh, README "Boot image") and its QEMU test.
.PHONY: iso iso-test check-iso
# make iso reports the image's size, and its boot time measured in QEMU when
# QEMU is there (KVM if this machine has it).
iso: $(KESU)
	@sh iso/mkiso.sh -k $(KESU) -o $(BUILD)/kesu.iso
	@sh iso/iso-test.sh -i $(BUILD)/kesu.iso -k $(KESU) -o $(BUILD)/iso-test boottime || true

iso-test: iso
	@sh iso/iso-test.sh -i $(BUILD)/kesu.iso -k $(KESU) -o $(BUILD)/iso-test

# What a PXE server hands out (iso/mknetboot.sh, README "Many machines"):
# build/netboot/ with the kernel, the initramfs, boot.ipxe, iPXE, a sample
# dnsmasq.conf. NETBOOT_OPTS replaces the kesu options of the kernel command line.
.PHONY: netboot netboot-test
netboot: $(KESU)
	@sh iso/mkiso.sh -k $(KESU) -N $(BUILD)/netboot
	@sh iso/mknetboot.sh -d $(BUILD)/netboot $(if $(NETBOOT_OPTS),-c '$(NETBOOT_OPTS)')

# The test's time server (answers SNTP on 127.0.0.1 with the host's clock).
NTP_ANSWER := $(BUILD)/tests/qemu/ntp-answer
$(NTP_ANSWER): tests/qemu/ntp-answer.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $<

netboot-test: netboot $(NTP_ANSWER)
	@sh iso/netboot-test.sh -n $(BUILD)/netboot -k $(KESU) -t $(NTP_ANSWER) -o $(BUILD)/netboot-test

# make check's part: the same, but a machine without QEMU or without the
# Debian packages the image is made of (exit 77) prints SKIP and passes.
check-iso: $(KESU) $(NTP_ANSWER)
	@rc=0; sh iso/mkiso.sh -k $(KESU) -o $(BUILD)/kesu.iso -N $(BUILD)/netboot || rc=$$?; \
	if [ $$rc -eq 0 ]; then sh iso/iso-test.sh -i $(BUILD)/kesu.iso -k $(KESU) -o $(BUILD)/iso-test || rc=$$?; fi; \
	if [ $$rc -eq 0 ]; then sh iso/netboot-test.sh -n $(BUILD)/netboot -k $(KESU) -t $(NTP_ANSWER) -o $(BUILD)/netboot-test || rc=$$?; fi; \
	if [ $$rc -eq 77 ]; then echo "iso-test: SKIP: the boot image cannot be built or booted here (see above)"; rc=0; fi; \
	exit $$rc
