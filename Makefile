# tradelearn: one GNU Makefile.  make, make check, make check SAN=1,
# make bench, make demo, make install PREFIX=... DESTDIR=..., make lint-man.

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
CMD_SRC  := $(sort $(wildcard cmd/tl-*.c))
BINS     := $(CMD_SRC:cmd/%.c=$(BUILD)/bin/%) $(BUILD)/bin/tl-nightly
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o)
MANS     := $(sort $(wildcard man/*.1 man/*.7))

.PHONY: all deps deps-tests check check-unit check-cli update-cli bench demo install \
        uninstall clean lint-man fmt-check
.DELETE_ON_ERROR:
.SECONDARY:

all: $(BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/libtl.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/cmd/%.o $(BUILD)/libtl.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

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
	@$(MAKE) --no-print-directory all $(BUILD)/tests/unit/unit
	@$(MAKE) --no-print-directory check-unit check-cli

check-unit: $(BUILD)/tests/unit/unit
	cd tests/unit && ASAN_OPTIONS=detect_leaks=1 ../../$(BUILD)/tests/unit/unit --jobs 2

check-cli: $(BINS)
	@tests/cli/run.sh $(BUILD)/bin

update-cli: $(BINS)
	@TL_UPDATE=1 tests/cli/run.sh $(BUILD)/bin

bench: all
	@bench/run.sh $(BUILD)/bin

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo $(BUILD)/bin

lint-man:
	@for m in $(MANS); do mandoc -Tlint -Wwarning $$m || exit 1; done; echo "man pages: $(words $(MANS)) clean"

fmt-check:
	clang-format --dry-run --Werror lib/*.[ch] cmd/*.c

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

-include $(LIB_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(CMD_SRC:cmd/%.c=$(BUILD)/cmd/%.d)

# Coverage-guided fuzzing with clang's libFuzzer (not part of check):
# make fuzz FUZZ_SECONDS=300.  Seeds are the bad corpus.
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS   = -g -O1 -fsanitize=fuzzer,address,undefined -Ilib \
                -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(PKG_CFLAGS)
.PHONY: fuzz
fuzz:
	@mkdir -p build-fuzz/corpus-jv build-fuzz/corpus-csv
	cp testdata/bad/*.jsonl build-fuzz/corpus-jv/ 2>/dev/null || true
	cp testdata/bad/*.csv build-fuzz/corpus-csv/ 2>/dev/null || true
	clang $(FUZZ_CFLAGS) -o build-fuzz/fuzz_jv tests/fuzz/fuzz_jv.c $(LIB_SRC) -lcsv $(PKG_LIBS) $(SQLITE_LIBS) -lm
	clang $(FUZZ_CFLAGS) -o build-fuzz/fuzz_csv tests/fuzz/fuzz_csv.c $(LIB_SRC) -lcsv $(PKG_LIBS) $(SQLITE_LIBS) -lm
	build-fuzz/fuzz_jv -max_total_time=$(FUZZ_SECONDS) -max_len=4096 build-fuzz/corpus-jv
	build-fuzz/fuzz_csv -max_total_time=$(FUZZ_SECONDS) -max_len=2048 -timeout=5 build-fuzz/corpus-csv
