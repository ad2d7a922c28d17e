# dp's front door: `make help` lists the targets. Set any variable on the
# command line: `make data FILES=20 COUNT=100000 DATA_DIR=/tmp/big`.
# cargo decides what to rebuild; this file only runs the tools it built.

# make scaling's own defaults, where the user gave none: more files than
# the largest number of workers and a short delay, so that the curve shows
# the workers rather than the files (16 files of 0.5 s: 8 s at one worker).
ifneq ($(filter scaling locked-scaling,$(MAKECMDGOALS)),)
ifeq ($(origin FILES),undefined)
FILES := 16
endif
ifeq ($(origin DELAY),undefined)
DELAY := 0.5
endif
endif

FILES       ?= 5
COUNT       ?= 1000
DELAY       ?= 3
JOBS        ?= 5
SEED        ?= 42
DIST        ?= uniform
DATA_PREFIX ?= data
DATA_DIR    ?= /tmp/data_processing
OUT_DIR     ?= $(DATA_DIR)/results
# More dp-gen flags, e.g. GEN_ARGS='--mean 5 --stddev 2' with DIST=normal.
GEN_ARGS    ?=
# The data files' text compressed: none, gz, zst or xz (same file names).
COMPRESS    ?= none
# Artificial work per file: `sleep` idles (I/O-bound), `spin` burns a core.
DELAY_MODE  ?= sleep
# The modes `make compare` measures, and the one `make run` runs.
MODES       ?= sequential parallel
MODE        ?= parallel
# The modes make the data first, unless their caller (compare) just did.
DATA        ?= data
# make compare and make scaling run each mode RUNS times, interleaved;
# make scaling runs MODE once for each number of workers in WORKERS.
RUNS        ?= 1
WORKERS     ?= 1 2 4 8
# Set by compare and scaling for the mode they run (a user may too): the
# repeat it is (its results in MODE/r<k>/, each record with repeat k) and
# what its run label gets after the mode's name (-j4: parallel-j4/).
REPEAT      ?=
RUN_SUFFIX  ?=
# make ssh (scripts/ssh.sh): the hosts, a comma list of what ssh reaches
# (node1,alice@node2); files at once on each (JOBS unless given, so that
# make scaling MODE=ssh scales it); an ssh config for them; dp-stats' path
# on them where they have it (else it is shipped); SHARED_FS=1 where they
# see the same paths, DATA_DIR's and dp-stats' (nothing is shipped); and
# how many times a file whose host fails is redone on another.
HOSTS           ?=
SSH_JOBS        ?= $(JOBS)
SSH_CONFIG      ?=
REMOTE_DP_STATS ?=
SHARED_FS       ?= 0
RETRIES         ?= 2


CARGO ?= cargo
# `make test` installs the Debian packages some tests need
# (scripts/test-deps.sh); TEST_DEPS=no installs nothing and those tests skip.
TEST_DEPS ?= yes
# The binaries `make build` made, never whatever dp-* comes first on PATH.
BIN      ?= target/release
# Fuzzing (cargo-fuzz, libFuzzer) is not part of `make test`: each target
# runs FUZZ_S seconds; findings land in fuzz/artifacts/.
FUZZ_S   ?= 60

# ---- Values that reach the recipes ------------------------------------------
# make splits words at white space and reads `:`, `#`, `%`, `=`, `(`, `|`
# and `$` in a target as its own syntax; the recipes quote paths in '...'
# and pass numbers and names to the shell as they are. So a value that
# holds white space or one of SPECIAL is refused here, before anything runs
# or is written (exit 2), naming its variable. GEN_ARGS and CARGO are shell
# words by design and are not checked.
SPECIAL := ' " ` $$ \ \# : ; % * ? [ ] = ( ) | & < >
CHECKED := DATA_DIR OUT_DIR DATA_PREFIX BIN FILES COUNT DELAY DELAY_MODE JOBS SEED DIST \
           COMPRESS MODES MODE DATA RUNS WORKERS REPEAT RUN_SUFFIX TEST_DEPS FUZZ_S
LISTS       := MODES WORKERS
MAY_BE_EMPTY := MODES DATA REPEAT RUN_SUFFIX
# make slurm (scripts/slurm.sh): CHUNKS array tasks (empty: the cluster's
# CPUs / CPUS_PER_TASK), each with CPUS_PER_TASK CPUs for its dp-stats -j;
# SBATCH_ARGS, shell words like GEN_ARGS, go to sbatch as they are
# (SBATCH_ARGS='--partition=short --time=10').
CHUNKS        ?=
CPUS_PER_TASK ?= 1
SBATCH_ARGS   ?=
CHECKED       += CHUNKS CPUS_PER_TASK
MAY_BE_EMPTY  += CHUNKS
CHECKED      += HOSTS SSH_JOBS SSH_CONFIG REMOTE_DP_STATS SHARED_FS RETRIES
MAY_BE_EMPTY += HOSTS SSH_CONFIG REMOTE_DP_STATS
# A `$` given on the command line or in the environment is looked for
# before make expands it (`$(shell ...)` would run): first, on its own.
given     = $(filter command% environment%,$(origin $(1)))
dollar_in := $(firstword $(foreach v,$(CHECKED),$(if $(call given,$(v)),$(if $(findstring $$,$(value $(v))),$(v)))))
ifneq ($(dollar_in),)
$(error $(dollar_in) holds a $$, which make would expand: the Makefile takes no white space and none of $(SPECIAL) in $(dollar_in))
endif
# problem,NAME: what makes NAME's value unsafe, if anything (the first).
specials_in = $(sort $(foreach c,$(SPECIAL),$(findstring $(c),$($(1)))))
problem = $(strip $(or \
    $(if $(filter 0,$(words $($(1)))),$(if $(filter $(1),$(MAY_BE_EMPTY)),,is empty)), \
    $(if $(filter-out 0 1,$(words $($(1)))),$(if $(filter $(1),$(LISTS)),,holds white space)), \
    $(if $(call specials_in,$(1)),holds $(call specials_in,$(1)))))
unsafe := $(firstword $(foreach v,$(CHECKED),$(if $(call problem,$(v)),$(v))))
ifneq ($(unsafe),)
$(error $(unsafe) $(call problem,$(unsafe)), which the Makefile cannot pass on safely: it takes no white space and none of $(SPECIAL) in $(unsafe))
endif

# RUNS, each of WORKERS and REPEAT (if given) count: whole numbers from 1.
digits   = $(subst 0,,$(subst 1,,$(subst 2,,$(subst 3,,$(subst 4,,$(subst 5,,$(subst 6,,$(subst 7,,$(subst 8,,$(subst 9,,$(1)))))))))))
no_count = $(firstword $(foreach n,$(1),$(if $(or $(call digits,$(n)),$(filter 0%,$(n))),$(n))))
$(foreach v,RUNS WORKERS REPEAT,$(if $(call no_count,$($(v))),$(error $(v) holds $(call no_count,$($(v))), which is not a whole number from 1)))
$(if $(WORKERS),,$(error WORKERS is empty: make scaling needs at least one number of workers))
$(foreach v,CHUNKS CPUS_PER_TASK,$(if $(call no_count,$($(v))),$(error $(v) holds $(call no_count,$($(v))), which is not a whole number from 1)))

# ---- Installing (docs/reference.md, "Install") ------------------------------
# GNU's directory variables: `make install prefix=/usr DESTDIR=/tmp/stage`
# puts the tools in /tmp/stage/usr/bin, for a package to ship as /usr/bin.
prefix      ?= /usr/local
exec_prefix ?= $(prefix)
bindir      ?= $(exec_prefix)/bin
datarootdir ?= $(prefix)/share
mandir      ?= $(datarootdir)/man
DESTDIR     ?=
# Refused as the values above are, before anything runs.
INSTALL_VARS := DESTDIR prefix exec_prefix bindir datarootdir mandir
MAY_BE_EMPTY += DESTDIR
dollar_in := $(firstword $(foreach v,$(INSTALL_VARS),$(if $(call given,$(v)),$(if $(findstring $$,$(value $(v))),$(v)))))
ifneq ($(dollar_in),)
$(error $(dollar_in) holds a $$, which make would expand: the Makefile takes no white space and none of $(SPECIAL) in $(dollar_in))
endif
unsafe := $(firstword $(foreach v,$(INSTALL_VARS),$(if $(call problem,$(v)),$(v))))
ifneq ($(unsafe),)
$(error $(unsafe) $(call problem,$(unsafe)), which the Makefile cannot pass on safely: it takes no white space and none of $(SPECIAL) in $(unsafe))
endif
INSTALL_ENV = BIN='$(BIN)' DESTDIR='$(DESTDIR)' prefix='$(prefix)' bindir='$(bindir)' \
              mandir='$(mandir)' datarootdir='$(datarootdir)'
# make ssh's: SSH_JOBS counts from 1, RETRIES from 0, SHARED_FS is 0 or 1,
# and HOSTS is given wherever ssh runs, before any other mode has run.
$(if $(call no_count,$(SSH_JOBS)),$(error SSH_JOBS holds $(SSH_JOBS), which is not a whole number from 1))
$(if $(or $(call digits,$(RETRIES)),$(filter-out 0,$(filter 0%,$(RETRIES)))),$(error RETRIES holds $(RETRIES), which is not a whole number from 0))
$(if $(filter-out 0 1,$(SHARED_FS)),$(error SHARED_FS is $(SHARED_FS): 0 ships the data files, 1 says the hosts see them at the same paths))
ssh_runs := $(or $(filter ssh locked-ssh,$(MAKECMDGOALS)),$(and $(filter compare,$(MAKECMDGOALS)),$(filter ssh,$(MODES))),$(and $(filter run scaling,$(MAKECMDGOALS)),$(filter ssh,$(MODE))))
$(if $(ssh_runs),$(if $(HOSTS),,$(error HOSTS is empty: make ssh needs the hosts as ssh reaches them, e.g. HOSTS=node1,alice@node2)))

DP_GEN   := $(BIN)/dp-gen
DP_STATS := $(BIN)/dp-stats
DP_AGG   := $(BIN)/dp-agg
DP_PLOT  := $(BIN)/dp-plot

GEN_FLAGS = --files $(FILES) --count $(COUNT) --seed $(SEED) --dist $(DIST) \
            --prefix '$(DATA_PREFIX)' --dir '$(DATA_DIR)' --compress $(COMPRESS) $(GEN_ARGS)

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
	@echo '  FILES=$(FILES) COUNT=$(COUNT) DIST=$(DIST) SEED=$(SEED) DATA_PREFIX=$(DATA_PREFIX) DELAY=$(DELAY) JOBS=$(JOBS)'
	@echo '  MODES=$(MODES) MODE=$(MODE) RUNS=$(RUNS) WORKERS=$(WORKERS)'
	@echo '  DATA_DIR=$(DATA_DIR) OUT_DIR=$(OUT_DIR)'
	@echo '  HOSTS=$(HOSTS) SSH_JOBS=$(SSH_JOBS) SSH_CONFIG=$(SSH_CONFIG) SHARED_FS=$(SHARED_FS) RETRIES=$(RETRIES)'
	@echo '  (make scaling: FILES=16 DELAY=0.5 unless given)'

# cargo shows its progress on a terminal, once: the makes that a target
# runs inside it (data, verify, the modes) find the tools built and say
# nothing; a log gets a quiet build.
ifeq ($(origin DP_MAKE_INSIDE),environment)
CARGO_QUIET := --quiet
else
CARGO_QUIET = $(shell [ -t 2 ] || echo --quiet)
endif
export DP_MAKE_INSIDE := yes

build: ## build the tools (release) into target/release
	@$(CARGO) build --release $(CARGO_QUIET)

data: build ## write FILES files of COUNT values into DATA_DIR (kept if already right)
	@DATA_DIR='$(DATA_DIR)' FILES='$(FILES)' COUNT='$(COUNT)' DIST='$(DIST)' \
	    scripts/data.sh $(DP_GEN) $(GEN_FLAGS)

verify: build ## check that DATA_DIR holds exactly the data of SEED (exit 1 if not)
	@$(DP_GEN) --verify $(GEN_FLAGS) > /dev/null
	@echo 'verify: $(FILES) files in $(DATA_DIR) are intact'

test: ## every test and check: format, lints, unit and pipeline tests (what CI runs)
	TEST_DEPS='$(TEST_DEPS)' scripts/test.sh

bench: ## the performance benchmarks (scripts/bench-*.sh)
	scripts/bench.sh

fuzz: ## run each fuzz target of fuzz/ for FUZZ_S seconds (not in CI)
	scripts/fuzz.sh $(FUZZ_S)

# ---- Execution modes (docs/reference.md, "Makefile") -----------------------
# Each mode runs dp-stats over the data with `--run <mode>` and writes one
# result per data file, atomically, as $(OUT_DIR)/<mode>/<file>.stats.json.
# Results are real file targets that depend on their data file and on the
# run parameters: an interrupted run resumes where it stopped, and a changed
# file or parameter is processed again. With RUN_SUFFIX the run label and
# its directory are <mode><suffix> (parallel-j4); with REPEAT=k the results
# go one level down, in <label>/r<k>/, and each record has repeat k.

ALL_MODES := sequential parallel xargs threads gnu-parallel
ALL_MODES += slurm
ALL_MODES += ssh

# label,MODE: MODE's run label; dir_of,MODE: its results' directory under
# OUT_DIR (parallel, parallel/r2, parallel-j4/r2).
label  = $(1)$(RUN_SUFFIX)
dir_of = $(call label,$(1))$(if $(REPEAT),/r$(REPEAT))
# The repeats compare and scaling run: none named for RUNS=1, whose results
# stay where a mode alone puts them.
REPEATS = $(if $(filter 1,$(RUNS)),,$(shell seq 1 $(RUNS)))
# run_dirs,LABELS: the results directories of LABELS over RUNS, label by label.
run_dirs = $(foreach l,$(1),$(if $(REPEATS),$(addprefix $(l)/r,$(REPEATS)),$(l)))

DATA_FILES := $(foreach i,$(shell seq 1 $(FILES)),$(DATA_DIR)/$(DATA_PREFIX)$(i).txt)
results     = $(patsubst $(DATA_DIR)/%,$(OUT_DIR)/$(call dir_of,$(1))/%.stats.json,$(DATA_FILES))
STATS_FLAGS = --delay $(DELAY) --delay-mode $(DELAY_MODE)
# stats_env,WORKERS: dp-stats' environment: how many files its run can
# process at once (its record's `workers`) and the repeat, if any. Passed as
# variables, which a dp-stats that does not know them yet ignores. Only the
# recipes set them: none comes from make's own environment.
stats_env = DP_WORKERS=$(1)$(if $(REPEAT), DP_REPEAT=$(REPEAT))
repeat_env = env $(if $(REPEAT),DP_REPEAT=$(REPEAT))
unexport DP_WORKERS DP_REPEAT
PARAMS     := $(OUT_DIR)/.params
JOBLOG      = $(OUT_DIR)/$(call dir_of,gnu-parallel)/joblog.tsv
# What `make compare` and `make scaling` save in OUT_DIR, in the order they
# say so.
REPORTS    := comparison.txt comparison.md comparison.json comparison.png timeline.png comparison.html
SCALING_REPORTS := scaling.txt scaling.md scaling.json scaling.png scaling.html
# settings,NAMES: the variables NAMES, then those of PLACES the user gave,
# each a shell word NAME=VALUE: what the HTML report shows among its
# parameters and in the make command that repeats the measurement.
PLACES   := DATA_DIR OUT_DIR DATA_PREFIX GEN_ARGS
settings = $(foreach v,$(1) $(foreach p,$(PLACES),$(if $(and $(call given,$(p)),$($(p))),$(p))), \
               '$(v)=$(subst ','\'',$($(v)))')

# One run at a time in an OUT_DIR: each of these holds OUT_DIR's lock from
# its first step to its last (scripts/locked.sh), so that a second run into
# the same OUT_DIR is refused at once instead of mixing its files into the
# first's measurement. TARGET's steps are locked-TARGET, run by a make of
# its own under the lock.
LOCKING := $(ALL_MODES) run compare scaling
.PHONY: $(LOCKING) $(addprefix locked-,$(LOCKING)) FORCE
$(LOCKING): build
	@mkdir -p -- '$(OUT_DIR)'
	@DP_GEN='$(DP_GEN)' scripts/locked.sh 'make $@' '$(OUT_DIR)' \
	    $(MAKE) --no-print-directory locked-$@

sequential: ## one dp-stats process per file, one after another
parallel: ## the same per-file targets, JOBS at once (make -j)
xargs: ## one dp-stats process per file, JOBS at once (xargs -P)
threads: ## one dp-stats process, JOBS files at once on threads
gnu-parallel: ## one dp-stats process per file, JOBS at once (GNU parallel)
slurm: ## the files as one Slurm job array in CHUNKS tasks, each a dp-stats -j CPUS_PER_TASK
ssh: ## one dp-stats process per file on HOSTS, SSH_JOBS at once on each (GNU parallel over ssh)
run: ## one MODE (parallel), then its report
compare: ## run MODES afresh (RUNS times, interleaved), print and save the comparison, draw the charts
scaling: ## run MODE at each of WORKERS (RUNS times, interleaved), print and save the scaling table, draw its chart

# The parameters a result depends on, rewritten only when they change.
$(PARAMS): FORCE
	@mkdir -p -- '$(@D)'
	@echo '$(STATS_FLAGS)' | cmp -s - '$@' || \
	    { echo '$(STATS_FLAGS)' > '$@' && $(DP_GEN) --adopt '$@'; }

# One dp-stats process per file: what `sequential` runs in turn and
# `parallel` runs JOBS at a time (make -j). The goal results-MODE names the
# results, so that no command line lists them (it would outgrow exec's limit).
# per_file_rule,MODE,WORKERS
# Its recipe runs in sh rather than bash: bash takes 3-4 ms more to start,
# which make -j pays one file after another (16 files: 5% of a 0.5 s run).
# A result is precious: dp-stats writes it whole or not at all, so one that
# exists when Ctrl-C comes is finished, and make must not delete it (as it
# would a target whose recipe was still running).
define per_file_rule
.PRECIOUS: $(OUT_DIR)/$(call dir_of,$(1))/%.stats.json
$(OUT_DIR)/$(call dir_of,$(1))/%.stats.json: private SHELL := /bin/sh
$(OUT_DIR)/$(call dir_of,$(1))/%.stats.json: private .SHELLFLAGS := -c
$(OUT_DIR)/$(call dir_of,$(1))/%.stats.json: $(DATA_DIR)/% $(PARAMS)
	@$(call stats_env,$(2)) $(DP_STATS) $(STATS_FLAGS) --run $(call label,$(1)) --out-dir '$$(@D)' '$$<' > /dev/null
.PHONY: results-$(1)
results-$(1): $(call results,$(1))
endef
$(eval $(call per_file_rule,sequential,1))
$(eval $(call per_file_rule,parallel,$(JOBS)))

# stale,MODE: the data files whose result in MODE is missing or out of date,
# for the modes that hand a list of files to one command. It counts to FILES
# rather than list them: a list outgrows exec's limit on a command, and bash
# takes quadratic time over a `for` of literal words.
stale = for i in $$(seq 1 $(FILES)); do f='$(DATA_DIR)/$(DATA_PREFIX)'"$$i.txt"; \
            r='$(OUT_DIR)/$(call dir_of,$(1))/$(DATA_PREFIX)'"$$i.txt.stats.json"; \
            [ "$$r" -nt "$$f" ] && [ "$$r" -nt '$(PARAMS)' ] || echo "$$f"; done

# `$(call timed,MODE) [FILE...] -- COMMAND`: runs COMMAND (reading stdin)
# and keeps its wall clock, measured outside dp, beside MODE's results
# directory: $(OUT_DIR)/MODE.wall, or MODE/r<k>.wall for a repeat. FILEs are
# what COMMAND writes besides its results, recorded with the wall clock in
# their manifests. It also says on stderr how the mode is doing: its
# results of FILES, its repeat of RUNS. Under `make -n` only runs COMMAND.
timed = DP_GEN='$(DP_GEN)' FILES=$(FILES) RUNS=$(RUNS) scripts/timed.sh '$(OUT_DIR)' $(call dir_of,$(1))

# result_paths,DIRS: the result files in DIRS (under OUT_DIR), directory by
# directory, each in file order, one a line; made in the shell, as
# thousands would not fit one command.
result_paths = for d in $(1); do for i in $$(seq 1 $(FILES)); do \
                   printf '%s\n' '$(OUT_DIR)/'"$$d/$(DATA_PREFIX)$$i.txt.stats.json"; done; done
records = $(call result_paths,$(1)) | xargs -d '\n' cat
# dirs_of,DIRS: each of DIRS (under OUT_DIR; shell patterns, as clean
# gives) and the repeats in it, r<k>/, those that exist, one a line: what a
# measurement clears first, whatever RUNS made them.
dirs_of = for d in $(foreach d,$(1),'$(OUT_DIR)'/$(d) '$(OUT_DIR)'/$(d)/r[0-9]*); do \
              [ ! -d "$$d" ] || printf '%s\n' "$$d"; done
# in_the_way,NAME,DIRS: stops NAME if a file is where a result of DIRS goes.
in_the_way = $(call result_paths,$(2)) | while IFS= read -r result; do [ ! -e "$$result" ] || { \
    echo "make $(1): $$result is in the way (dp did not write it, or it changed since):" \
         "move it away, or choose another OUT_DIR" >&2; exit 2; }; done

locked-sequential: $(DATA) $(PARAMS)
	@$(call timed,sequential) -- $(MAKE) --no-print-directory -j1 results-sequential

locked-parallel: $(DATA) $(PARAMS)
	@$(call timed,parallel) -- $(MAKE) --no-print-directory -j$(JOBS) results-parallel

locked-xargs: $(DATA) $(PARAMS)
	@$(call stale,xargs) | $(call timed,xargs) -- env $(call stats_env,$(JOBS)) \
	    xargs -r -P$(JOBS) -n1 $(DP_STATS) $(STATS_FLAGS) --run $(call label,xargs) \
	    --out-dir '$(OUT_DIR)/$(call dir_of,xargs)' > /dev/null

# dp-stats -j says its workers itself.
locked-threads: $(DATA) $(PARAMS)
	@$(call stale,threads) | $(call timed,threads) -- $(repeat_env) \
	    $(DP_STATS) -j $(JOBS) $(STATS_FLAGS) --run $(call label,threads) \
	    --out-dir '$(OUT_DIR)/$(call dir_of,threads)' > /dev/null

locked-gnu-parallel: $(DATA) $(PARAMS)
	@command -v parallel > /dev/null || { \
	    echo 'make gnu-parallel: GNU parallel is not installed (e.g. apt-get install parallel)' >&2; exit 2; }
	@$(call stale,gnu-parallel) | $(call timed,gnu-parallel) '$(JOBLOG)' -- env $(call stats_env,$(JOBS)) \
	    parallel --will-cite -j$(JOBS) --joblog '$(JOBLOG)' \
	    $(DP_STATS) $(STATS_FLAGS) --run $(call label,gnu-parallel) \
	    --out-dir '$(OUT_DIR)/$(call dir_of,gnu-parallel)' > /dev/null

# Slurm: the stale files as one job array, each task a dp-stats -j over
# its chunk on its node; the job is waited for, its records checked and
# its failures named by scripts/slurm.sh.
locked-slurm: $(DATA) $(PARAMS)
	@$(call stale,slurm) | $(call timed,slurm) -- $(repeat_env) DP_GEN='$(DP_GEN)' \
	    CHUNKS='$(CHUNKS)' CPUS_PER_TASK='$(CPUS_PER_TASK)' scripts/slurm.sh \
	    '$(OUT_DIR)/$(call dir_of,slurm)' $(call label,slurm) $(SBATCH_ARGS) -- \
	    $(DP_STATS) $(STATS_FLAGS) --run $(call label,slurm) --out-dir '$(OUT_DIR)/$(call dir_of,slurm)'
# Over ssh (scripts/ssh.sh, which the README's "More than one machine"
# explains): each stale file to a host, its record back into MODE's
# results; GNU parallel's joblog beside them.
SSH_JOBLOG = $(OUT_DIR)/$(call dir_of,ssh)/joblog.tsv
locked-ssh: $(DATA) $(PARAMS)
	@$(call stale,ssh) | $(call timed,ssh) '$(SSH_JOBLOG)' -- $(repeat_env) \
	    HOSTS='$(HOSTS)' SSH_JOBS='$(SSH_JOBS)' SSH_CONFIG='$(SSH_CONFIG)' \
	    REMOTE_DP_STATS='$(REMOTE_DP_STATS)' SHARED_FS='$(SHARED_FS)' RETRIES='$(RETRIES)' \
	    DP_GEN='$(DP_GEN)' scripts/ssh.sh '$(DP_STATS)' '$(OUT_DIR)/$(call dir_of,ssh)' '$(SSH_JOBLOG)' \
	    $(STATS_FLAGS) --run $(call label,ssh)

locked-run:
	@$(MAKE) --no-print-directory locked-$(MODE)
	@$(call records,$(call dir_of,$(MODE))) | $(DP_AGG)

# A comparison is a measurement: every mode of MODES runs afresh, RUNS
# times, interleaved (sequential 1, parallel 1, sequential 2, ...) so that
# a drift in the machine's speed hits every mode alike. Before anything,
# each report it will replace must be dp's own; then the data is made and
# verified, in that order even under make -j; then the results dp wrote go
# (by their manifests), and a file still where a result goes is not dp's:
# it stops the comparison rather than be measured.
COMPARED := $(call run_dirs,$(MODES))
locked-compare:
	@$(DP_GEN) --may-replace $(foreach f,$(REPORTS),'$(OUT_DIR)/$(f)')
	@$(MAKE) --no-print-directory data
	@$(MAKE) --no-print-directory verify
	@$(if $(MODES),$(call dirs_of,$(MODES)) | xargs -r -d '\n' $(DP_GEN) --clean > /dev/null)
	@$(call in_the_way,compare,$(COMPARED))
	@for repeat in $(or $(REPEATS),''); do for mode in $(MODES); do \
	    $(MAKE) --no-print-directory locked-$$mode DATA= REPEAT=$$repeat || exit; done; done
	@$(call result_paths,$(COMPARED)) | \
	    DP_AGG='$(DP_AGG)' DP_PLOT='$(DP_PLOT)' OUT_DIR='$(OUT_DIR)' LABELS='$(MODES)' \
	    RUNS='$(RUNS)' REPORTS='$(REPORTS)' scripts/compare.sh compare \
	    $(call settings,FILES COUNT DIST SEED DELAY DELAY_MODE JOBS RUNS MODES)

# Scaling: MODE at each number of workers p of WORKERS (JOBS=p), RUNS times,
# interleaved (p = 1, 2, 4, 8, then again), each run labelled MODE-j<p> in
# its own directory, afresh as a comparison is; then dp-agg's scaling table.
SCALED := $(foreach p,$(WORKERS),$(MODE)-j$(p))
locked-scaling:
	@case ' $(ALL_MODES) ' in *' $(MODE) '*) ;; *) \
	    echo 'make scaling: there is no mode $(MODE): MODE is one of $(ALL_MODES)' >&2; exit 2;; esac
	@[ '$(MODE)' != sequential ] || { echo 'make scaling: MODE=sequential runs one file at a time' \
	    '(whatever its workers): choose parallel, xargs, threads or gnu-parallel' >&2; exit 2; }
	@most=$$(printf '%s\n' $(WORKERS) | sort -n | tail -n 1); [ $(FILES) -ge "$$most" ] || \
	    echo "make scaling: FILES=$(FILES) is fewer than the $$most workers of the largest run:" \
	         'some of them have no file' >&2
	@$(DP_GEN) --may-replace $(foreach f,$(SCALING_REPORTS),'$(OUT_DIR)/$(f)')
	@$(MAKE) --no-print-directory data FILES=$(FILES) DELAY=$(DELAY)
	@$(MAKE) --no-print-directory verify FILES=$(FILES) DELAY=$(DELAY)
	@$(call dirs_of,$(SCALED)) | xargs -r -d '\n' $(DP_GEN) --clean > /dev/null
	@$(call in_the_way,scaling,$(call run_dirs,$(SCALED)))
	@for repeat in $(or $(REPEATS),''); do for p in $(WORKERS); do \
	    $(MAKE) --no-print-directory locked-$(MODE) DATA= FILES=$(FILES) DELAY=$(DELAY) \
	        JOBS=$$p RUN_SUFFIX=-j$$p REPEAT=$$repeat || exit; done; done
	@$(call result_paths,$(call run_dirs,$(SCALED))) | \
	    DP_AGG='$(DP_AGG)' DP_PLOT='$(DP_PLOT)' OUT_DIR='$(OUT_DIR)' LABELS='$(SCALED)' \
	    RUNS='$(RUNS)' REPORTS='$(SCALING_REPORTS)' scripts/compare.sh scaling \
	    $(call settings,FILES COUNT DIST SEED DELAY DELAY_MODE MODE WORKERS RUNS)

FORCE:

# Every file dp writes is recorded, by its identity, in its directory's
# manifest: the tools record their own, and the Makefile's (a mode's .wall,
# .params, the joblog, the lock) are adopted once written. clean removes a
# listed file only while it is still that very file, and the directories
# dp wrote in once empty: DATA_DIR, OUT_DIR and every results directory,
# whatever RUNS and WORKERS made them (MODE/, MODE/r<k>/, MODE-j<p>/,
# MODE-j<p>/r<k>/).
clean: build ## remove the files dp wrote in DATA_DIR and OUT_DIR, nothing else
	@{ printf '%s\n' '$(DATA_DIR)' '$(OUT_DIR)'; \
	   $(call dirs_of,$(ALL_MODES) $(foreach m,$(ALL_MODES),$(m)-j[0-9]*)); } | \
	    DP_GEN='$(DP_GEN)' scripts/locked.sh --present 'make clean' '$(OUT_DIR)' \
	    xargs -d '\n' $(DP_GEN) --clean

.PHONY: install uninstall
install: build ## install the tools, their man pages and completions under prefix (/usr/local)
	@$(INSTALL_ENV) scripts/install.sh install

uninstall: ## remove exactly what make install wrote (its list, datarootdir/dp/installed)
	@$(INSTALL_ENV) scripts/install.sh uninstall
