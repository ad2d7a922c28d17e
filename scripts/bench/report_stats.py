"""The report of scripts/bench-stats.sh: times, ratios and PASS/FAIL.

    python3 scripts/bench/report_stats.py RESULTS_DIR PEAK_KIB VALUES

RESULTS_DIR holds hyperfine's single.json (one big file, commands named
dp-stats, numpy, datamash, ...) and jobs.json (dp-stats -j 1 and -j 2).
Targets are judged on each command's best run: the machine may be shared,
and the best run is what is left when other programs did not get in the way.
Exits 1 if a target fails.
"""

import json
import math
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

    print(f"{'command':<10} {'mean ± σ (s)':>17} {'best (s)':>9} {'runs':>5}   "
          "time / dp-stats' (mean; best)")
    for name, r in single.items():
        if name == "dp-stats":
            note = "baseline"
        else:
            m, ms = mean_ratio(r, base)
            note = f"{m:.2f} ± {ms:.2f}×; {best_ratio(r, base):.2f}×"
        print(f"{name:<10} {r['mean']:>8.3f} ± {r['stddev'] or 0:<6.3f} {r['min']:>9.3f} "
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
    return 0 if all(checks) else 1


if __name__ == "__main__":
    sys.exit(main())
