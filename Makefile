# tradelearn: one GNU Makefile.  make, make check, make check SAN=1,
# make check-dist, make check-report, make bench, make demo, make install PREFIX=... DESTDIR=...,
# make lint (lint-man: mandoc -Tlint, and groff renders each page whole;
# lint-includes: no #include cycle in lib/).

VERSION   = 0.1.0
PREFIX   ?= /usr/local
MANDIR   ?= $(PREFIX)/share/man
CC       ?= cc
PKGS      = jansson gsl zlib

ifeq ($(SAN),1)
BUILD    ?= build-san
SANFLAGS  = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT      ?= -O1 -g
else
BUILD    ?= build
SANFLAGS  =
OPT      ?= -O2 -g
endif

WARN      = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wvla
ifeq ($(WERROR),1)
WARN     += -Werror
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -ljansson -lgsl -lgslcblas -lz)
# libsqlite3 reads trading bots' trade databases (tl-ingest); kept apart
# from PKG_LIBS, which tl-bayesopt links statically below.
SQLITE_CFLAGS := $(shell pkg-config --cflags sqlite3 2>/dev/null)
SQLITE_LIBS   := $(shell pkg-config --libs sqlite3 2>/dev/null || echo -lsqlite3)

CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DTL_VERSION='"$(VERSION)"' -Ilib
CFLAGS   += -std=c11 $(OPT) $(WARN) $(SANFLAGS) -pthread -MMD -MP $(PKG_CFLAGS) \
            $(SQLITE_CFLAGS)
LDFLAGS  += $(SANFLAGS) -pthread
LDLIBS   += -lcsv $(PKG_LIBS) $(SQLITE_LIBS) -lm

LIB_SRC  := $(sort $(wildcard lib/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
# builds and fuzz targets run one a core (JOBS: unless make was given -j)
NPROC    := $(shell nproc 2>/dev/null || echo 1)
JOBS      = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(NPROC))
# A tool is one file, cmd/tl-X.c, or a folder of parts, cmd/tl-X/*.c.
CMD_SRC  := $(sort $(wildcard cmd/tl-*.c))
CMD_DIRS := $(sort $(patsubst %/,%,$(dir $(wildcard cmd/tl-*/*.c))))
CMD_OBJ  := $(patsubst %.c,$(BUILD)/%.o,$(CMD_SRC) $(wildcard cmd/tl-*/*.c))
TOOLS    := $(sort $(CMD_SRC:cmd/%.c=%) $(CMD_DIRS:cmd/%=%))
BINS     := $(TOOLS:%=$(BUILD)/bin/%) $(BUILD)/bin/tl-nightly
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o)
MANS     := $(sort $(wildcard man/*.1 man/*.7))

.PHONY: all bins deps deps-tests check check-unit check-cli check-dist check-report update-cli bench demo \
        install uninstall clean lint lint-man lint-includes fmt-check
.DELETE_ON_ERROR:
.SECONDARY:

# The build packages first (scripts/setup installs them as root, or
# prints the line to run as root), so that a plain `make` on a fresh
# machine says what is missing instead of failing at the compiler.
all: deps
	@$(MAKE) --no-print-directory $(JOBS) bins

bins: $(BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/libtl.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# Link a tool: its objects, then libtl.a.
define link
@mkdir -p $(@D)
$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
endef

$(BUILD)/bin/%: $(BUILD)/cmd/%.o $(BUILD)/libtl.a
	$(link)

# A tool in parts links every cmd/tl-X/*.c.
define tool_in_parts
$(BUILD)/bin/$(notdir $(1)): $(patsubst %.c,$(BUILD)/%.o,$(wildcard $(1)/*.c)) $(BUILD)/libtl.a
	$$(link)
endef
$(foreach d,$(CMD_DIRS),$(eval $(call tool_in_parts,$(d))))

# tl-bayesopt answers one suggestion per process start, and the issue
# holds it to a tenth of Optuna's ask+tell (bench/bayesopt.sh): its
# third-party libraries are linked in statically when their archives are
# installed (the Debian -dev packages ship them), which spares the
# dynamic loader about 1 ms of a 9 ms suggestion.  STATIC_DEPS=0 links it
# like the other tools.
STATIC_DEPS ?= 1
DEP_ARCHIVES := libcsv.a libjansson.a libgsl.a libgslcblas.a libz.a
# (asked only when the compiler is there: on a fresh machine make deps
# runs before gcc is installed)
ifeq ($(STATIC_DEPS)$(if $(shell command -v $(CC) 2>/dev/null),1,0),11)
ifeq ($(words $(foreach a,$(DEP_ARCHIVES),$(filter /%,$(shell $(CC) -print-file-name=$(a))))),5)
$(BUILD)/bin/tl-bayesopt: LDLIBS := -Wl,-Bstatic -lcsv \
    $(filter-out -lm,$(PKG_LIBS)) -Wl,-Bdynamic $(SQLITE_LIBS) -lm
endif
endif

# The pipeline script sits beside the tools it runs, as once installed.
$(BUILD)/bin/tl-nightly: scripts/tl-nightly
	@mkdir -p $(@D)
	install -m 755 $< $@

$(BUILD)/tests/unit/unit: $(UNIT_OBJ) $(BUILD)/libtl.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ -lcriterion $(LDLIBS)

deps:
	@scripts/setup

# make check installs what its tests use too (jq, miller, the de_DE.UTF-8
# locale), so that it passes on a fresh Debian 12 as the README says.
deps-tests:
	@scripts/setup --tests

check: deps-tests
	@$(MAKE) --no-print-directory $(JOBS) bins $(BUILD)/tests/unit/unit
	@$(MAKE) --no-print-directory check-unit check-cli

check-unit: $(BUILD)/tests/unit/unit
	cd tests/unit && ASAN_OPTIONS=detect_leaks=1 ../../$(BUILD)/tests/unit/unit --jobs 2

check-cli: $(BINS)
	@tests/cli/run.sh $(BUILD)/bin

# The dispatch tests (tests/dist/README): a one-node Slurm cluster and
# sshd on localhost, started and taken down by the test, run trials as
# tl-bayesopt's engines will.  Not part of check: they need root (as
# another user every case is skipped, with the line to run as root).
check-dist:
	@if [ "$$(id -u)" -eq 0 ]; then scripts/setup --tests --dist; fi
	@$(MAKE) --no-print-directory $(BUILD)/bin/tl-bayesopt
	@tests/dist/run.sh $(BUILD)/bin

# The report and the history page in headless Chromium at 1280 and 390
# px, light and dark (tests/report/chromium.sh).  Not part of check: it
# installs a browser (as root; otherwise setup prints the line to run).
check-report: $(BINS)
	@scripts/setup --report
	@tests/report/chromium.sh $(BUILD)/bin $(BUILD)/report-shots

update-cli: $(BINS)
	@TL_UPDATE=1 tests/cli/run.sh $(BUILD)/bin

bench: all
	@bench/run.sh $(BUILD)/bin

demo: deps
	@$(MAKE) --no-print-directory $(JOBS) bins
	@scripts/demo $(BUILD)/bin

lint: lint-man lint-includes

lint-includes:
	@scripts/lint-includes lib

lint-man:
	@for m in $(MANS); do mandoc -Tlint -Wwarning $$m || exit 1; done; echo "man pages: $(words $(MANS)) clean"
	@scripts/lint-groff $(MANS)

fmt-check:
	clang-format --dry-run --Werror lib/*.[ch] $(wildcard cmd/*.c cmd/*/*.[ch])

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(filter %.1,$(MANS)) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(filter %.7,$(MANS)) $(DESTDIR)$(MANDIR)/man7/
	install -d $(DESTDIR)$(PREFIX)/share/tradelearn/maps
	install -m 644 $(filter-out etc/maps,$(wildcard etc/*)) \
	    $(DESTDIR)$(PREFIX)/share/tradelearn/
	install -m 644 etc/maps/*.json $(DESTDIR)$(PREFIX)/share/tradelearn/maps/
	@# the examples name the installed files
	sed -i 's|/usr/local/|$(PREFIX)/|g' \
	    $(addprefix $(DESTDIR)$(PREFIX)/share/tradelearn/,nightly.conf crontab tl-nightly.service)

uninstall:
	rm -f $(BINS:$(BUILD)/bin/%=$(DESTDIR)$(PREFIX)/bin/%)
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(filter %.1,$(MANS))))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(filter %.7,$(MANS))))
	rm -rf $(DESTDIR)$(PREFIX)/share/tradelearn

clean:
	rm -rf build build-san build-fuzz

-include $(LIB_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(CMD_OBJ:.o=.d)

# Coverage-guided fuzzing with clang's libFuzzer (not part of check; on
# Debian 12 it needs the packages clang and libclang-rt-14-dev).
#   make fuzz                      every target FUZZ_SECONDS (60) each
#   make fuzz-forest FUZZ_SECONDS=600    one target
#   make fuzz-ci                   every target 60 s, one a core, for CI
# lib/ is built once with clang into build-fuzz/; each target's corpus
# (build-fuzz/corpus-NAME) starts from its seeds and grows run to run;
# a finding is written to build-fuzz/NAME-crash-* and fails the target.
FUZZ_TARGETS  = jv csv forest bandit calib regime policy prevw zip
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_BUILD    = build-fuzz
FUZZ_FLAGS    = -g -O1 -fno-omit-frame-pointer -Ilib \
                -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
                -DTL_VERSION='"$(VERSION)"' $(PKG_CFLAGS)
FUZZ_SAN      = address,undefined
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_BUILD)/%.o)
# seeds and options per target
FUZZ_SEEDS_jv     = testdata/bad/*.jsonl
FUZZ_SEEDS_csv    = testdata/bad/*.csv
FUZZ_SEEDS_forest = testdata/tl-train-forest/*.model \
                    testdata/tl-train-forest/bad-models/*.model
FUZZ_SEEDS_bandit = testdata/tl-bandit/*.json
FUZZ_SEEDS_calib  = tests/fuzz/seeds/calib/*.json
FUZZ_SEEDS_regime = tests/fuzz/seeds/regime/*.json
FUZZ_SEEDS_policy = tests/fuzz/seeds/policy/*.bin
FUZZ_SEEDS_prevw  = tests/fuzz/seeds/prevw/*.jsonl
FUZZ_SEEDS_zip    = tests/fuzz/seeds/zip/*.zip
FUZZ_OPTS_jv      = -max_len=4096
FUZZ_OPTS_csv     = -max_len=2048 -timeout=5
FUZZ_OPTS_forest  = -max_len=16384
FUZZ_OPTS_bandit  = -max_len=4096
FUZZ_OPTS_calib   = -max_len=4096
FUZZ_OPTS_regime  = -max_len=4096
FUZZ_OPTS_policy  = -max_len=8192 -timeout=10
FUZZ_OPTS_prevw   = -max_len=4096
FUZZ_OPTS_zip     = -max_len=4096

.PHONY: fuzz fuzz-ci fuzz-build $(FUZZ_TARGETS:%=fuzz-%)

$(FUZZ_BUILD)/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) -c -o $@ $<

$(FUZZ_BUILD)/libtl.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h $(FUZZ_BUILD)/libtl.a
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer,$(FUZZ_SAN) -o $@ $< \
	    $(FUZZ_BUILD)/libtl.a -lcsv $(PKG_LIBS) $(SQLITE_LIBS) -lm

fuzz-build: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)

$(FUZZ_TARGETS:%=fuzz-%): fuzz-%: $(FUZZ_BUILD)/fuzz_%
	@mkdir -p $(FUZZ_BUILD)/corpus-$*
	@cp $(FUZZ_SEEDS_$*) $(FUZZ_BUILD)/corpus-$*/
	$(FUZZ_BUILD)/fuzz_$* -max_total_time=$(FUZZ_SECONDS) \
	    -artifact_prefix=$(FUZZ_BUILD)/$*- -print_final_stats=1 \
	    $(FUZZ_OPTS_$*) $(FUZZ_BUILD)/corpus-$*

fuzz: $(FUZZ_TARGETS:%=fuzz-%)

fuzz-ci:
	@$(MAKE) --no-print-directory $(JOBS) fuzz-build
	@$(MAKE) --no-print-directory $(JOBS) fuzz FUZZ_SECONDS=60
