# dp's front door: `make help` lists the targets. Set any variable on the
# command line: `make data FILES=20 COUNT=100000 DATA_DIR=/tmp/big`.
# cargo decides what to rebuild; this file only runs the tools it built.

FILES    ?= 5
COUNT    ?= 1000
DELAY    ?= 3
JOBS     ?= 5
SEED     ?= 42
DIST     ?= uniform
PREFIX   ?= data
DATA_DIR ?= /tmp/data_processing
OUT_DIR  ?= $(DATA_DIR)/results
# More dp-gen flags, e.g. GEN_ARGS='--mean 5 --stddev 2' with DIST=normal.
GEN_ARGS ?=

CARGO ?= cargo
# The binaries `make build` made, never whatever dp-* comes first on PATH.
BIN      ?= target/release
DP_GEN   := $(BIN)/dp-gen
DP_STATS := $(BIN)/dp-stats
DP_AGG   := $(BIN)/dp-agg
DP_PLOT  := $(BIN)/dp-plot

# dp-gen's records of the data it wrote into DATA_DIR: `make clean` removes
# exactly the files listed there, so it never touches a file dp did not write.
MANIFEST := $(DATA_DIR)/.dp-gen.jsonl
# What later targets write under OUT_DIR, for `make clean` to remove (append
# with +=; names, not globs): files, then directories, removed if left empty.
RESULT_FILES :=
RESULT_DIRS  :=

GEN_FLAGS = --files $(FILES) --count $(COUNT) --seed $(SEED) --dist $(DIST) \
            --prefix '$(PREFIX)' --dir '$(DATA_DIR)' $(GEN_ARGS)

# bash for pipefail: a failing tool fails its pipeline, not only the last
# command. Recipes handle their own errors (no -e).
SHELL := bash
.SHELLFLAGS := -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

.PHONY: help build data verify test bench clean

help: ## list the targets and the variables
	@echo 'Usage: make TARGET [VARIABLE=value ...]'
	@echo
	@awk 'BEGIN { FS = ":.*## " } /^[a-z][a-z_-]*:.*## / { printf "  %-12s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)
	@echo
	@echo 'Variables (now):'
	@echo '  FILES=$(FILES) COUNT=$(COUNT) DIST=$(DIST) SEED=$(SEED) PREFIX=$(PREFIX) DELAY=$(DELAY) JOBS=$(JOBS)'
	@echo '  DATA_DIR=$(DATA_DIR) OUT_DIR=$(OUT_DIR)'

build: ## build the tools (release) into target/release
	$(CARGO) build --release

# Rewriting identical data would only bump file times and make later
# per-file targets redo their work: if the data verifies, leave it be.
data: build ## write FILES files of COUNT values into DATA_DIR (kept if already right)
	@if [ -f '$(MANIFEST)' ] && $(DP_GEN) --verify $(GEN_FLAGS) > /dev/null 2>&1; then \
	    echo 'data: $(DATA_DIR) already holds these $(FILES) files'; \
	else \
	    records=$$(mktemp); \
	    status=0; \
	    $(DP_GEN) $(GEN_FLAGS) > "$$records" || status=$$?; \
	    if [ -s "$$records" ]; then cat "$$records" >> '$(MANIFEST)'; fi; \
	    rm -f "$$records"; \
	    if [ "$$status" -eq 0 ]; then \
	        echo 'data: wrote $(FILES) files of $(COUNT) values ($(DIST)) into $(DATA_DIR)'; \
	    fi; \
	    exit "$$status"; \
	fi

verify: build ## check that DATA_DIR holds exactly the data of SEED (exit 1 if not)
	@$(DP_GEN) --verify $(GEN_FLAGS) > /dev/null
	@echo 'verify: $(FILES) files in $(DATA_DIR) are intact'

test: ## every test and check: format, lints, unit and pipeline tests (what CI runs)
	scripts/test.sh

bench: ## the performance benchmarks (scripts/bench-*.sh)
	scripts/bench.sh

# Removes only what dp wrote: the RESULT_FILES, the files in the manifest,
# then RESULT_DIRS, OUT_DIR and DATA_DIR if that left them empty. A user's own files,
# even one named data1.txt, stay.
clean: ## remove the files dp wrote in DATA_DIR and OUT_DIR, nothing else
	@removed=0; \
	for path in $(foreach f,$(RESULT_FILES),'$(f)'); do \
	    if [ -f "$$path" ]; then rm -f -- "$$path"; removed=$$((removed + 1)); fi; \
	done; \
	if [ "$$removed" -gt 0 ]; then \
	    rmdir -- $(foreach d,$(RESULT_DIRS) $(OUT_DIR),'$(d)') 2> /dev/null || true; \
	fi; \
	if [ -f '$(MANIFEST)' ]; then \
	    while IFS= read -r path; do \
	        if [ -f "$$path" ]; then rm -f -- "$$path"; removed=$$((removed + 1)); fi; \
	    done < <(sed -n 's/^{"type":"file","path":"\([^"\\]*\)".*/\1/p' '$(MANIFEST)' | sort -u); \
	    rm -f -- '$(MANIFEST)'; \
	    rmdir -- '$(DATA_DIR)' 2> /dev/null || true; \
	fi; \
	echo "clean: removed $$removed files that dp wrote"
