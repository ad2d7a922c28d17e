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
# `make test` installs the Debian packages some tests need
# (scripts/test-deps.sh); TEST_DEPS=no installs nothing and those tests skip.
TEST_DEPS ?= yes
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
# with +=; names, not globs): files, then directories, removed if left empty,
# and with them the `*.stats.json` results dp-stats wrote in those directories.
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
# No implicit rules: with thousands of per-file targets, make's search for
# them costs more than the work.
MAKEFLAGS += --no-builtin-rules
.SUFFIXES:

.PHONY: help build data verify test bench fuzz clean

help: ## list the targets and the variables
	@echo 'Usage: make TARGET [VARIABLE=value ...]'
	@echo
	@awk 'BEGIN { FS = ":.*## " } /^[a-z][a-z_-]*:.*## / { printf "  %-12s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)
	@echo
	@echo 'Variables (now):'
	@echo '  FILES=$(FILES) COUNT=$(COUNT) DIST=$(DIST) SEED=$(SEED) PREFIX=$(PREFIX) DELAY=$(DELAY) JOBS=$(JOBS)'
	@echo '  DATA_DIR=$(DATA_DIR) OUT_DIR=$(OUT_DIR)'

build: ## build the tools (release) into target/release
	@$(CARGO) build --release --quiet

data: build ## write FILES files of COUNT values into DATA_DIR (kept if already right)
	@MANIFEST='$(MANIFEST)' DATA_DIR='$(DATA_DIR)' FILES='$(FILES)' COUNT='$(COUNT)' DIST='$(DIST)' \
	    scripts/data.sh $(DP_GEN) $(GEN_FLAGS)

verify: build ## check that DATA_DIR holds exactly the data of SEED (exit 1 if not)
	@$(DP_GEN) --verify $(GEN_FLAGS) > /dev/null
	@echo 'verify: $(FILES) files in $(DATA_DIR) are intact'

test: ## every test and check: format, lints, unit and pipeline tests (what CI runs)
	TEST_DEPS='$(TEST_DEPS)' scripts/test.sh

bench: ## the performance benchmarks (scripts/bench-*.sh)
	scripts/bench.sh

# Fuzzing (cargo-fuzz, libFuzzer) is not part of `make test`: each target
# runs FUZZ_S seconds; findings land in fuzz/artifacts/.
FUZZ_S ?= 60
fuzz: ## run each fuzz target of fuzz/ for FUZZ_S seconds (not in CI)
	scripts/fuzz.sh $(FUZZ_S)

# ---- Execution modes (docs/reference.md, "Makefile") -----------------------
# Each mode runs dp-stats over the data with `--run <mode>` and writes one
# result per data file, atomically, as $(OUT_DIR)/<mode>/<file>.stats.json.
# Results are real file targets that depend on their data file and on the
# run parameters: an interrupted run resumes where it stopped, and a changed
# file or parameter is processed again.

# Artificial work per file: `sleep` idles (I/O-bound), `spin` burns a core.
DELAY_MODE ?= sleep
# The modes `make compare` measures, and the one `make run` runs.
MODES ?= sequential parallel
MODE  ?= parallel
ALL_MODES := sequential parallel xargs threads gnu-parallel
# The modes make the data first, unless their caller (compare) just did.
DATA ?= data

DATA_FILES := $(foreach i,$(shell seq 1 $(FILES)),$(DATA_DIR)/$(PREFIX)$(i).txt)
results     = $(patsubst $(DATA_DIR)/%,$(OUT_DIR)/$(1)/%.stats.json,$(DATA_FILES))
STATS_FLAGS = --delay $(DELAY) --delay-mode $(DELAY_MODE)
PARAMS     := $(OUT_DIR)/.params

RESULT_FILES += $(foreach m,$(ALL_MODES),$(OUT_DIR)/$(m).wall) \
                $(OUT_DIR)/gnu-parallel/joblog.tsv $(PARAMS) \
                $(addprefix $(OUT_DIR)/,comparison.txt comparison.md comparison.json \
                                        comparison.png timeline.png)
RESULT_DIRS  += $(addprefix $(OUT_DIR)/,$(ALL_MODES))

# The parameters a result depends on, rewritten only when they change.
$(PARAMS): FORCE
	@mkdir -p '$(@D)'
	@echo '$(STATS_FLAGS)' | cmp -s - '$@' || echo '$(STATS_FLAGS)' > '$@'

# One dp-stats process per file: what `sequential` runs in turn and
# `parallel` runs JOBS at a time (make -j). The goal results-MODE names the
# results, so that no command line lists them (it would outgrow exec's limit).
define per_file_rule
$(OUT_DIR)/$(1)/%.stats.json: $(DATA_DIR)/% $(PARAMS)
	@$(DP_STATS) $(STATS_FLAGS) --run $(1) --out-dir '$$(@D)' '$$<' > /dev/null
.PHONY: results-$(1)
results-$(1): $(call results,$(1))
endef
$(foreach m,sequential parallel,$(eval $(call per_file_rule,$(m))))

# stale,MODE: the data files whose result in MODE is missing or out of date,
# for the modes that hand a list of files to one command. It counts to FILES
# rather than list them: a list outgrows exec's limit on a command, and bash
# takes quadratic time over a `for` of literal words.
stale = for i in $$(seq 1 $(FILES)); do f='$(DATA_DIR)/$(PREFIX)'"$$i.txt"; \
            r='$(OUT_DIR)/$(1)/$(PREFIX)'"$$i.txt.stats.json"; \
            [ "$$r" -nt "$$f" ] && [ "$$r" -nt '$(PARAMS)' ] || echo "$$f"; done

# timed,MODE COMMAND: runs COMMAND (reading stdin) and keeps its wall clock,
# measured outside dp, in $(OUT_DIR)/MODE.wall; under `make -n` only runs it.
timed = scripts/timed.sh '$(OUT_DIR)' $(1)

# result_paths,MODES: the result files of MODES, mode by mode, each in file
# order, one a line; made in the shell, as thousands would not fit one command.
result_paths = for m in $(1); do for i in $$(seq 1 $(FILES)); do \
                   printf '%s\n' '$(OUT_DIR)/'"$$m/$(PREFIX)$$i.txt.stats.json"; done; done
records = $(call result_paths,$(1)) | xargs -d '\n' cat

.PHONY: $(ALL_MODES) run compare FORCE

sequential: $(DATA) $(PARAMS) ## one dp-stats process per file, one after another
	@$(call timed,sequential) $(MAKE) --no-print-directory -j1 results-sequential

parallel: $(DATA) $(PARAMS) ## the same per-file targets, JOBS at once (make -j)
	@$(call timed,parallel) $(MAKE) --no-print-directory -j$(JOBS) results-parallel

xargs: $(DATA) $(PARAMS) ## one dp-stats process per file, JOBS at once (xargs -P)
	@$(call stale,xargs) | $(call timed,xargs) xargs -r -P$(JOBS) -n1 \
	    $(DP_STATS) $(STATS_FLAGS) --run xargs --out-dir '$(OUT_DIR)/xargs' > /dev/null

threads: $(DATA) $(PARAMS) ## one dp-stats process, JOBS files at once on threads
	@$(call stale,threads) | $(call timed,threads) \
	    $(DP_STATS) -j $(JOBS) $(STATS_FLAGS) --run threads --out-dir '$(OUT_DIR)/threads' > /dev/null

gnu-parallel: $(DATA) $(PARAMS) ## one dp-stats process per file, JOBS at once (GNU parallel)
	@command -v parallel > /dev/null || { \
	    echo 'make gnu-parallel: GNU parallel is not installed (e.g. apt-get install parallel)' >&2; exit 2; }
	@$(call stale,gnu-parallel) | $(call timed,gnu-parallel) parallel --will-cite -j$(JOBS) \
	    --joblog '$(OUT_DIR)/gnu-parallel/joblog.tsv' \
	    $(DP_STATS) $(STATS_FLAGS) --run gnu-parallel --out-dir '$(OUT_DIR)/gnu-parallel' > /dev/null

run: ## one MODE (parallel), then its report
	@$(MAKE) --no-print-directory $(MODE)
	@$(call records,$(MODE)) | $(DP_AGG)

# A comparison is a measurement: every mode of MODES runs afresh.
compare: data verify ## run MODES afresh, print and save the comparison, draw the charts
	@$(call result_paths,$(MODES)) | xargs -d '\n' rm -f
	@for mode in $(MODES); do $(MAKE) --no-print-directory $$mode DATA= || exit; done
	@$(call result_paths,$(MODES)) | \
	    DP_AGG='$(DP_AGG)' DP_PLOT='$(DP_PLOT)' OUT_DIR='$(OUT_DIR)' MODES='$(MODES)' scripts/compare.sh

FORCE:

clean: ## remove the files dp wrote in DATA_DIR and OUT_DIR, nothing else
	@MANIFEST='$(MANIFEST)' DATA_DIR='$(DATA_DIR)' OUT_DIR='$(OUT_DIR)' scripts/clean.sh \
	    $(foreach f,$(RESULT_FILES),'$(f)') -- $(foreach d,$(RESULT_DIRS),'$(d)')
