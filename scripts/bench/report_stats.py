"""The report of scripts/bench-stats.sh: times, ratios and PASS/FAIL.

    python3 scripts/bench/report_stats.py RESULTS_DIR PEAK_KIB VALUES

RESULTS_DIR holds hyperfine's single.json (one big file, commands named
dp-stats, numpy, datamash, ...), jobs.json (dp-stats -j 1 and -j 2 on many
files) and onefile.json (the same on the one big file); and, unless the
huge file was skipped, huge-memory.{json,time} and huge-bounded.{json,time}
(its record and GNU time's report, in memory and with --max-memory 64M).
Targets are judged on each command's best run: the machine may be shared,
and the best run is what is left when other programs did not get in the way.
Exits 1 if a target fails.
"""

import json
import math
import os
import sys


def load(results, name):
    with open(f"{results}/{name}.json") as f:
        return {r["command"]: r for r in json.load(f)["results"]}


def mean_ratio(slow, fast):
    """slow/fast of the means, with its spread as hyperfine computes it."""
    a, sa = slow["mean"], slow["stddev"] or 0.0
    b, sb = fast["mean"], fast["stddev"] or 0.0
    r = a / b
    return r, r * math.sqrt((sa / a) ** 2 + (sb / b) ** 2)


def best_ratio(slow, fast):
    return slow["min"] / fast["min"]


def main():
    results, peak_kib, values = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    single, jobs = load(results, "single"), load(results, "jobs")
    base = single["dp-stats"]

    print(f"{'command':<14} {'mean ± σ (s)':>17} {'best (s)':>9} {'runs':>5}   "
          "time / dp-stats' (mean; best)")
    for name, r in single.items():
        if name == "dp-stats":
            note = "baseline"
        else:
            m, ms = mean_ratio(r, base)
            note = f"{m:.2f} ± {ms:.2f}×; {best_ratio(r, base):.2f}×"
        print(f"{name:<14} {r['mean']:>8.3f} ± {r['stddev'] or 0:<6.3f} {r['min']:>9.3f} "
              f"{len(r['times']):>5}   {note}")

    checks = []

    def target(label, ok, detail):
        checks.append(ok)
        print(f"{'PASS' if ok else 'FAIL'}  {label}: {detail}")

    print("\nTargets (judged on best runs; the machine may be shared):")
    for other, factor in (("numpy", 2), ("datamash", 10)):
        m, ms = mean_ratio(single[other], base)
        best = best_ratio(single[other], base)
        target(f"dp-stats ≤ 1/{factor} of {other}'s time", best >= factor,
               f"{best:.2f}× faster (means: {m:.2f} ± {ms:.2f}×)")
    for other in ("duckdb", "polars"):
        if other in single:
            best = best_ratio(single[other], single["dp-stats -j 2"])
            target(f"dp-stats -j 2 ≤ 1/10 of {other}'s time", best >= 10,
                   f"{best:.2f}× faster ({single[other]['min']:.3f} s → "
                   f"{single['dp-stats -j 2']['min']:.3f} s)")
    limit = 8.5 * values + 16 * 2**20
    peak = peak_kib * 1024
    target("peak memory ≤ 8.5 B/value + 16 MiB", peak <= limit,
           f"{peak / 2**20:.1f} MiB = {peak / values:.2f} B/value "
           f"(limit {limit / 2**20:.1f} MiB)")
    j1, j2 = jobs["dp-stats -j 1"], jobs["dp-stats -j 2"]
    m, ms = mean_ratio(j1, j2)
    best = best_ratio(j1, j2)
    target("-j 2 ≥ 1.7× faster than -j 1 (20 files of 1 M values)", best >= 1.7,
           f"{best:.2f}× ({j1['min']:.3f} s → {j2['min']:.3f} s; "
           f"means: {m:.2f} ± {ms:.2f}×)")
    one1, one2 = load(results, "onefile")["dp-stats -j 1"], load(results, "onefile")["dp-stats -j 2"]
    best = best_ratio(one1, one2)
    target("-j 2 faster than -j 1 on one file of 10 M values", best > 1.2,
           f"{best:.2f}× ({one1['min']:.3f} s → {one2['min']:.3f} s)")
    if os.path.exists(f"{results}/huge-bounded.json"):
        huge(results, target)
    return 0 if all(checks) else 1


def gnu_time(path):
    """(wall seconds, peak KiB) from GNU time -v's report."""
    wall = peak = None
    with open(path) as f:
        for line in f:
            key, _, value = line.strip().rpartition(": ")
            if key.startswith("Elapsed (wall clock) time"):
                parts = [float(p) for p in value.split(":")]
                wall = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
            elif key == "Maximum resident set size (kbytes)":
                peak = int(value)
    return wall, peak


def huge(results, target):
    records = {}
    for run in ("memory", "bounded"):
        with open(f"{results}/huge-{run}.json") as f:
            records[run] = json.loads(f.readline())
    memory, bounded = records["memory"], records["bounded"]
    (wall_m, peak_m), (wall_b, peak_b) = (gnu_time(f"{results}/huge-{r}.time")
                                          for r in ("memory", "bounded"))
    count = memory["count"]
    print(f"\nHuge file, {count} values: in memory {wall_m:.1f} s, {peak_m / 1024:.0f} MiB; "
          f"--max-memory 64M {wall_b:.1f} s, {peak_b / 1024:.1f} MiB, {bounded['passes']} passes")
    timing = {"started_at", "finished_at", "elapsed_s", "cpu_s", "max_rss_kib", "pid",
              "passes"}
    same = all(memory[k] == bounded[k] for k in memory if k not in timing)
    target("--max-memory 64M: the in-memory record (median, quartiles, all)", same,
           f"median {bounded['median']} q1 {bounded['q1']} q3 {bounded['q3']}")
    target("--max-memory 64M: peak RSS ≤ 64 MiB + 10 MiB", peak_b <= 74 * 1024,
           f"{peak_b / 1024:.1f} MiB")
    target("--max-memory 64M: wall ≤ 2.5× the in-memory run", wall_b <= 2.5 * wall_m,
           f"{wall_b / wall_m:.2f}× ({wall_m:.1f} s → {wall_b:.1f} s)")


if __name__ == "__main__":
    sys.exit(main())
