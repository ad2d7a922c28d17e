"""The report of scripts/bench-modes.sh: tables, speedups and PASS/FAIL.

    python3 scripts/bench/report_modes.py RESULTS_DIR CORES

RESULTS_DIR holds what the parts that ran left: hyperfine's part1.json,
part2-fast.json and part2-slow.json, dp-agg's part1-agg.jsonl, and the
comparison.json of `make compare` as part3-sleep.jsonl and part3-spin.jsonl.
Targets are judged on each command's best run: the machine may be shared,
and the best run is what is left when other programs did not get in the way.
Exits 1 if a target fails.
"""

import json
import os
import sys

FILES_MANY = 2000
PEERS_1 = ("python Pool(5)", "xargs -P5 python", "GNU parallel python")
PEERS_2 = ("datamash (one stream)", "python Pool(2)", "GNU parallel + datamash")

verdicts = []


def check(ok, text):
    verdicts.append(ok)
    print(f"{'PASS' if ok else 'FAIL'}  {text}")


def hyperfine(results, name):
    path = os.path.join(results, f"{name}.json")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return {r["command"]: r for r in json.load(f)["results"]}


def jsonl(results, name):
    path = os.path.join(results, name)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def speedups(records):
    """Speedup of each run over the baseline, from dp-agg's comparison record."""
    for record in records:
        if record.get("type") == "comparison":
            return {run["run"]: run["speedup"] for run in record["runs"]}
    return {}


def table(rows, extra_heading="", extra=lambda r: ""):
    print(f"{'command':<28} {'mean ± σ (s)':>17} {'best (s)':>9}  {extra_heading}")
    for name, r in rows.items():
        spread = f"{r['mean']:.3f} ± {r['stddev'] or 0:.3f}"
        print(f"{name:<28} {spread:>17} {r['min']:>9.3f}  {extra(r)}")


def part1(results):
    rows = hyperfine(results, "part1")
    if not rows:
        return
    print("== 1. 5 files x 1000 values, DELAY=3 s (sleep), JOBS=5: wall clock, 3 runs each")
    table(rows)
    agg = speedups(jsonl(results, "part1-agg.jsonl"))
    if agg:
        shown = ", ".join(f"{run} {s:.2f}x" for run, s in agg.items() if run != "sequential")
        print(f"dp-agg, speedup over sequential (records of the last runs): {shown}")
    print()
    for mode, limit in (("threads", 3.05), ("parallel", 3.10), ("xargs", 3.10)):
        best = rows[f"make {mode}"]["min"]
        check(best <= limit, f"make {mode}: {best:.3f} s <= {limit:.2f} s")
    if "parallel" in agg:
        check(agg["parallel"] >= 4.9, f"dp-agg speedup of parallel: {agg['parallel']:.2f}x >= 4.9x")
    peers = {name: rows[name]["min"] for name in PEERS_1 if name in rows}
    if peers:
        fastest = min(peers, key=peers.get)
        for mode in ("threads", "parallel", "xargs"):
            best = rows[f"make {mode}"]["min"]
            check(best < peers[fastest],
                  f"make {mode} ({best:.3f} s) beats every peer, fastest {fastest} ({peers[fastest]:.3f} s)")
    if "make gnu-parallel" in rows and "GNU parallel python" in rows:
        dp, peer = rows["make gnu-parallel"]["min"], rows["GNU parallel python"]["min"]
        check(dp < peer, f"make gnu-parallel ({dp:.3f} s) beats GNU parallel python ({peer:.3f} s)")
    print()


def part2(results):
    rows = hyperfine(results, "part2-fast") | hyperfine(results, "part2-slow")
    if not rows:
        return
    print(f"== 2. {FILES_MANY:,} files x 1000 values, no delay, JOBS=2: throughput")
    table(rows, "files/s (mean; best)",
          lambda r: f"{FILES_MANY / r['mean']:>8,.0f}; {FILES_MANY / r['min']:,.0f}")
    print()
    best = rows["make threads"]["min"]
    check(FILES_MANY / best >= 10_000, f"make threads: {FILES_MANY / best:,.0f} files/s >= 10,000")
    for peer in PEERS_2:
        if peer in rows:
            check(best < rows[peer]["min"],
                  f"make threads ({best:.3f} s) beats {peer} ({rows[peer]['min']:.3f} s)")
    print()


def part3(results, cores):
    runs = {mode: speedups(jsonl(results, f"part3-{mode}.jsonl")) for mode in ("sleep", "spin")}
    if not any(runs.values()):
        return
    print(f"== 3. make compare, DELAY=1, 5 files, JOBS=5, {cores} cores: speedup of parallel")
    for mode, by_run in runs.items():
        if "parallel" in by_run:
            print(f"DELAY_MODE={mode:<5} {by_run['parallel']:.2f}x")
    print(f"(bounds: sleep 5 files; spin min(files, cores) = {min(5, cores)})")
    print()


def main():
    results, cores = sys.argv[1], int(sys.argv[2])
    part1(results)
    part2(results)
    part3(results, cores)
    if verdicts:
        failed = verdicts.count(False)
        print(f"bench-modes: {'FAIL' if failed else 'PASS'} ({len(verdicts) - failed} of {len(verdicts)} targets met)")
    sys.exit(1 if False in verdicts else 0)


if __name__ == "__main__":
    main()
