# SPDX-License-Identifier: MIT
# closer: closerd (the daemon) and closerctl (its client). GNU make.

# The version lives here only: closerd/closerctl --version, the man pages and
# `make dist` take it from here; debian/changelog is checked against it
# (`make deb`, tests/deb/test-deb.sh).
VERSION   = 0.2.0
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
LIBDIR   ?= $(PREFIX)/lib
PKGLIBDIR ?= $(LIBDIR)/closer
DATADIR  ?= $(PREFIX)/share
MANDIR   ?= $(DATADIR)/man
# Not under $(LIBDIR): a multiarch LIBDIR (/usr/lib/x86_64-linux-gnu) is no
# place systemd looks for user units.
USERUNITDIR   ?= $(PREFIX)/lib/systemd/user
DBUSSERVICEDIR ?= $(DATADIR)/dbus-1/services
DBUSIFACEDIR  ?= $(DATADIR)/dbus-1/interfaces
COMPLETIONDIR ?= $(DATADIR)/bash-completion/completions
DESTDIR  ?=

CC         ?= cc
PKG_CONFIG ?= pkg-config
INSTALL    ?= install
B          ?= build

PKGS = libsystemd sqlite3 libical json-c

# The user's CPPFLAGS/CFLAGS/LDFLAGS come last: appended to, never replaced.
# -Werror is for development and CI; WERROR=0 leaves it out (packagers,
# newer compilers).
CFLAGS ?= -O2 -g
WERROR ?= 1
WARNINGS = -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes \
           -Wstrict-prototypes -Wno-unused-parameter -Wvla
ifneq ($(WERROR),0)
WARNINGS += -Werror
endif
# A build without its libraries stops here, saying which; the goals that
# install them (deps, and check, which runs deps first) or need none go on.
NO_PKG_GOALS = deps deps-deb check valgrind bench run clean dist deb check-deb version lint lint-man layout
ifneq ($(filter-out $(NO_PKG_GOALS),$(or $(MAKECMDGOALS),all)),)
MISSING_PKGS := $(strip $(foreach p,$(PKGS),$(if $(shell $(PKG_CONFIG) --exists $(p) 2>/dev/null && echo y),,$(p))))
ifneq ($(MISSING_PKGS),)
$(error closer needs the pkg-config packages $(MISSING_PKGS): `make deps` installs them on Debian (as root), or install libsystemd-dev libsqlite3-dev libical-dev libjson-c-dev pkgconf)
endif
endif
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
# closerd itself links no libical: its iCalendar work runs in its helper,
# closerd-ical (daemon/icaljob.h); json-c reads and writes the member
# folder's files (daemon/sharefile.h).
CLOSERD_LIBS := $(shell $(PKG_CONFIG) --libs libsystemd sqlite3 json-c 2>/dev/null) -lm
ICAL_LIBS    := $(shell $(PKG_CONFIG) --libs libical 2>/dev/null)
CLIENT_LIBS  := $(shell $(PKG_CONFIG) --libs libsystemd json-c 2>/dev/null)
ALL_CFLAGS  = -std=gnu11 -D_GNU_SOURCE -DVERSION=\"$(VERSION)\" -DCLOSER_PKGLIBDIR=\"$(PKGLIBDIR)\" $(WARNINGS) \
              -fstack-protector-strong -MMD -MP -Icommon -Idaemon -Iical -Iclient $(PKG_CFLAGS) $(SAN_FLAGS) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN_FLAGS) $(LDFLAGS)
LIBS        = $(PKG_LIBS) -lm

ifdef SANITIZE
SAN_FLAGS = -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
endif

ifeq ($(V),1)
Q =
else
Q = @
endif

# libical is used in these files only; they go into closerd-ical (with its
# main, the encoding both ends speak, item.c and io.c) and, for the tests,
# libcloser-ical.a. closerd links the encoding (ical/icalwire.c), no libical.
ICAL_SRCS   = ical/ics.c ical/listfile.c ical/listfile-scan.c ical/icalutil.c
WIRE_SRCS   = ical/icalwire.c
HELPER_SRCS = ical/closerd-ical.c $(ICAL_SRCS) $(WIRE_SRCS) daemon/item.c common/io.c
COMMON_SRCS = common/calendar.c common/echo.c common/io.c
# closerd: the D-Bus layer (bus*.c), the core, the store, the clock and the
# run queue, the helper's jobs (see README, Architecture).
DAEMON_SRCS = \
        daemon/bus.c daemon/bus-dict.c daemon/bus-items.c daemon/bus-partner.c daemon/bus-status.c \
        daemon/bus-practice.c daemon/bus-promise.c daemon/bus-datenight.c daemon/bus-stats.c \
        daemon/bus-signals.c daemon/bus-share.c \
        daemon/manager.c daemon/schedule.c daemon/notify.c daemon/today.c \
        daemon/mylist.c daemon/partner.c daemon/daily.c daemon/datenight.c daemon/datenight-share.c daemon/dncal.c daemon/dnvdir.c \
        daemon/promise.c daemon/stats.c daemon/history.c daemon/ideas.c daemon/settings.c \
        daemon/item.c daemon/listtext.c daemon/pick.c daemon/plan.c daemon/when.c daemon/timeutil.c \
        daemon/log.c \
        daemon/store.c daemon/store-items.c daemon/store-practice.c daemon/store-promise.c \
        daemon/store-datenight.c daemon/store-stats.c daemon/store-history.c daemon/store-share.c \
        daemon/share.c daemon/share-publish.c daemon/share-receive.c daemon/sharefile.c daemon/follow.c \
        daemon/shareplan.c \
        daemon/icaljob.c $(WIRE_SRCS) $(COMMON_SRCS)
# In libcloserd.a for the tests, tools and fuzzers only (closerd itself
# never waits for its helper, and never links this).
TESTLIB_SRCS = daemon/icaljob-sync.c
CLIENT_SRCS = \
        client/closerctl.c client/bus-client.c client/replies.c client/helpers.c client/output.c \
        client/verbs-items.c client/verbs-partner.c client/verbs-practice.c client/verbs-promise.c \
        client/verbs-datenight.c client/verbs-stats.c client/verbs-monitor.c client/verbs-share.c client/verbs-calendar.c $(COMMON_SRCS)
DAEMON_OBJS = $(DAEMON_SRCS:%.c=$(B)/%.o) $(TESTLIB_SRCS:%.c=$(B)/%.o)
LIBS_ALL    = $(B)/libcloser-ical.a $(B)/libcloserd.a
UNIT_TESTS  = $(patsubst tests/%.c,$(B)/tests/%,$(wildcard tests/test-*.c))
FUZZ_SRCS   = $(wildcard fuzz/fuzz-*.c)
FUZZ_REPLAY = $(patsubst fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRCS))
PROGRAMS    = $(B)/closerd $(B)/closerd-ical $(B)/closerctl
TEST_TOOLS  = $(patsubst tests/tools/%.c,$(B)/tests/%,$(wildcard tests/tools/*.c))

.PHONY: all check check-unit check-integration run install uninstall deps deps-deb clean lint lint-man layout \
        fuzz bench valgrind version dist deb check-deb
.DEFAULT_GOAL := all

all: $(PROGRAMS)

$(B)/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/libcloserd.a: $(DAEMON_OBJS)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(B)/libcloser-ical.a: $(ICAL_SRCS:%.c=$(B)/%.o)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(B)/closerd: $(B)/daemon/closerd.o $(B)/libcloserd.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -Wl,--as-needed $^ $(CLOSERD_LIBS) -o $@

$(B)/closerd-ical: $(HELPER_SRCS:%.c=$(B)/%.o)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -Wl,--as-needed $^ $(ICAL_LIBS) -o $@

$(B)/closerctl: $(CLIENT_SRCS:%.c=$(B)/%.o)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -Wl,--as-needed $^ $(CLIENT_LIBS) -o $@

$(B)/tests/test-%: $(B)/tests/test-%.o $(LIBS_ALL)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(LIBS) -lcmocka -o $@

$(B)/tests/%: $(B)/tests/tools/%.o $(LIBS_ALL)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(LIBS) -o $@

# Fuzz targets linked with a replay main: make check runs their corpora
# without libFuzzer. `make fuzz` builds the real fuzzers with clang.
$(B)/fuzz/fuzz-%: $(B)/fuzz/fuzz-%.o $(B)/fuzz/replay.o $(LIBS_ALL)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(LIBS) -o $@


FUZZ_CC ?= clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -std=gnu11 -D_GNU_SOURCE -DVERSION=\"$(VERSION)\" -Icommon -Idaemon -Iical $(PKG_CFLAGS)
fuzz: $(B)/closerd-ical $(patsubst fuzz/%.c,$(B)/libfuzzer/%,$(FUZZ_SRCS))
$(B)/libfuzzer/fuzz-%: fuzz/fuzz-%.c $(DAEMON_SRCS) $(TESTLIB_SRCS) $(ICAL_SRCS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $^ $(LIBS) -o $@

deps:
	@tools/deps.sh

deps-deb:
	@tools/deps.sh deb

check: deps
	@$(MAKE) --no-print-directory all $(UNIT_TESTS) $(FUZZ_REPLAY) $(TEST_TOOLS)
	@B=$(B) tests/run.sh $(UNIT_TESTS) $(FUZZ_REPLAY) $(wildcard tests/test-*.sh)

check-unit: all $(UNIT_TESTS) $(FUZZ_REPLAY)
	@B=$(B) tests/run.sh $(UNIT_TESTS) $(FUZZ_REPLAY)

check-integration: all $(TEST_TOOLS)
	@B=$(B) tests/run.sh $(wildcard tests/test-*.sh)

# closerd under valgrind memcheck in the integration tests (VALGRIND_TESTS to
# choose them); the unit tests run under valgrind themselves.
VALGRIND_TESTS ?= $(wildcard tests/test-*.sh)
valgrind: deps
	@$(MAKE) --no-print-directory all $(UNIT_TESTS) $(TEST_TOOLS)
	@B=$(B) CLOSER_VALGRIND=1 tests/run.sh $(UNIT_TESTS) $(VALGRIND_TESTS)

run: deps
	@$(MAKE) --no-print-directory all
	@B=$(B) tools/run.sh

bench: deps
	@$(MAKE) --no-print-directory all $(TEST_TOOLS)
	@B=$(B) bench/run.sh

# The installed unit, activation file and man pages get the paths and the version.
SUBST = sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@VERSION@|$(VERSION)|g'
install: all
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PKGLIBDIR) $(DESTDIR)$(USERUNITDIR) $(DESTDIR)$(DBUSSERVICEDIR) \
		$(DESTDIR)$(DBUSIFACEDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(COMPLETIONDIR)
	$(INSTALL) -m 0755 $(B)/closerd $(B)/closerctl $(DESTDIR)$(BINDIR)/
	$(INSTALL) -m 0755 $(B)/closerd-ical $(DESTDIR)$(PKGLIBDIR)/
	$(SUBST) systemd/closerd.service >$(DESTDIR)$(USERUNITDIR)/closerd.service
	$(SUBST) dbus/io.github.closer.Closer1.service >$(DESTDIR)$(DBUSSERVICEDIR)/io.github.closer.Closer1.service
	$(SUBST) man/closerctl.1 >$(DESTDIR)$(MANDIR)/man1/closerctl.1
	$(SUBST) man/closerd.8 >$(DESTDIR)$(MANDIR)/man8/closerd.8
	chmod 0644 $(DESTDIR)$(USERUNITDIR)/closerd.service $(DESTDIR)$(DBUSSERVICEDIR)/io.github.closer.Closer1.service \
		$(DESTDIR)$(MANDIR)/man1/closerctl.1 $(DESTDIR)$(MANDIR)/man8/closerd.8
	$(INSTALL) -m 0644 dbus/io.github.closer.Closer1.xml $(DESTDIR)$(DBUSIFACEDIR)/
	$(INSTALL) -m 0644 completion/closerctl $(DESTDIR)$(COMPLETIONDIR)/closerctl

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/closerd $(DESTDIR)$(BINDIR)/closerctl \
		$(DESTDIR)$(PKGLIBDIR)/closerd-ical \
		$(DESTDIR)$(USERUNITDIR)/closerd.service \
		$(DESTDIR)$(DBUSSERVICEDIR)/io.github.closer.Closer1.service \
		$(DESTDIR)$(DBUSIFACEDIR)/io.github.closer.Closer1.xml \
		$(DESTDIR)$(MANDIR)/man1/closerctl.1 $(DESTDIR)$(MANDIR)/man8/closerd.8 \
		$(DESTDIR)$(COMPLETIONDIR)/closerctl
	-rmdir $(DESTDIR)$(PKGLIBDIR) 2>/dev/null

version:
	@echo $(VERSION)

# closer-VERSION.tar.gz: everything needed to build (git archive of the
# tracked files, uncommitted changes included; tar outside a git checkout).
DIST = closer-$(VERSION)
dist:
	@tools/dist.sh $(DIST)

# The package, built from the unpacked `make dist` tarball (a clean tree) with
# the distribution's flags, none of this make's variables (B, SANITIZE,
# WERROR, ... travel in MAKEFLAGS); the .deb and .changes land in $(DEB_DIR).
DEB_DIR = $(B)/deb
deb: dist
	@v=$$(dpkg-parsechangelog -l debian/changelog -S Version) && [ "$$v" = "$(VERSION)" ] || \
		{ echo "deb: debian/changelog is at $$v, the Makefile's VERSION is $(VERSION)" >&2; exit 1; }
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)
	tar -xzf $(DIST).tar.gz -C $(DEB_DIR)
	cd $(DEB_DIR)/$(DIST) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL dpkg-buildpackage -us -uc -b
	@echo "deb: $(DEB_DIR)/closer_$(VERSION)_$$(dpkg --print-architecture).deb"

# Builds the package and tests it (lintian, the file list, install and
# removal under a real systemd); not part of `make check`.
check-deb: deps-deb
	@$(MAKE) --no-print-directory all
	@B=$(B) TAP_OUT=1 tests/run.sh tests/deb/test-deb.sh

LINT_SRCS = $(sort daemon/closerd.c $(DAEMON_SRCS) $(TESTLIB_SRCS) $(CLIENT_SRCS) $(HELPER_SRCS))
MAN_PAGES = man/closerctl.1 man/closerd.8
# The shape of the tree: no include cycle between modules, no source file
# over 900 lines (tests/test-layout.sh runs the same in make check).
layout:
	@tools/include-graph >/dev/null
	@tools/file-sizes

lint: deps lint-man layout
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr --suppress=missingIncludeSystem -D_GNU_SOURCE -Icommon -Idaemon -Iical -Iclient $(LINT_SRCS)
	clang-tidy --quiet $(LINT_SRCS) -- -std=gnu11 -D_GNU_SOURCE -DVERSION=\"$(VERSION)\" -Icommon -Idaemon -Iical -Iclient $(PKG_CFLAGS)

# Man pages: mandoc warnings fail; groff only prints, so any output fails.
lint-man:
	mandoc -T lint -W warning $(MAN_PAGES)
	@for p in $(MAN_PAGES); do out=$$(groff -ww -z -man $$p 2>&1); \
		if [ -n "$$out" ]; then printf '%s\n' "$$out"; exit 1; fi; done

clean:
	rm -rf $(B) $(DIST).tar.gz

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# Keep objects of tests and fuzz targets between runs.
.SECONDARY:
