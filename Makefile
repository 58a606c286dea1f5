# wattpipe: one Makefile, one pattern rule per kind of target.
#   make            build bin/*, refresh completions/
#   make check      unit and CLI tests (TAP, prove)
#   make sanitize   the same suite built with ASan+UBSan under build/san
#   make demo       a real pipeline against bundled data and local fakes
#   make bench      benchmarks as ratios against anchors run alongside
#   make install PREFIX=/usr/local

VERSION  = 0.1.0
PREFIX  ?= /usr/local
BUILD   ?= build
BIN     ?= bin

CC      ?= cc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes
CPPFLAGS += -D_GNU_SOURCE -DWP_VERSION='"$(VERSION)"' -Ilib -iquote lib/core -I/usr/include/suitesparse
LDFLAGS += -Wl,--as-needed
LDLIBS  += -lcurl -ljq -lcsv -lgsl -lgslcblas -lsqlite3 -lklu -lumfpack -lamd -lcolamd \
	   -lbtf -lcholmod -lsuitesparseconfig -lglpk -lqpid-proton -lm

LIB_SRC  := $(wildcard lib/*/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB_A    := $(BUILD)/libwattpipe.a
CMDS     := $(patsubst cmd/%.c,$(BIN)/%,$(wildcard cmd/*.c))
UNITS    := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/*.c))
HEADERS  := $(wildcard lib/*/*.h)

all: $(CMDS) $(UNITS) completions

$(BUILD)/%.o: %.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(LIB_A): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN)/%: $(BUILD)/cmd/%.o $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_A) $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_A) $(LDLIBS)

# Completions are generated from each program's option table and
# committed, so a stale file shows up in `git diff`.
completions: $(CMDS) scripts/gen-completions
	@scripts/gen-completions $(BIN) completions

deps:
	@scripts/install-deps

check: deps all
	@WP_BIN=$(abspath $(BIN)) WP_UNIT=$(abspath $(BUILD)/tests) \
	  prove -j2 --exec '' $(UNITS) tests/cli/*.t

sanitize:
	@$(MAKE) --no-print-directory check BUILD=build/san BIN=build/san/bin \
	  CFLAGS='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined' \
	  LDFLAGS='-fsanitize=address,undefined'

demo: deps all
	@scripts/demo

bench: deps all
	@scripts/bench

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 $(CMDS) $(DESTDIR)$(PREFIX)/bin
	install -m 644 $(wildcard man/*.1) $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 $(wildcard man/*.5) $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 644 $(wildcard man/*.7) $(DESTDIR)$(PREFIX)/share/man/man7
	install -d $(DESTDIR)$(PREFIX)/share/wattpipe
	install -m 644 $(wildcard share/wattpipe/*) $(DESTDIR)$(PREFIX)/share/wattpipe
	install -m 644 $(wildcard completions/bash/*) $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 $(wildcard completions/zsh/*) $(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 644 $(wildcard completions/fish/*) $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d

clean:
	rm -rf build bin

.PHONY: all completions deps check sanitize demo bench install clean
# Keep every intermediate object, so a rebuild recompiles only what changed.
.SECONDARY:
