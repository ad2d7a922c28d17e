#!/usr/bin/env python3
"""Writes the reference statistics that dp-core's tests check `summarize`
and `Moments` against, computed exactly with Python's `fractions` and
`statistics` (standard library only).

    python3 scripts/reference/stats_reference.py [OUT]

OUT defaults to crates/dp-core/tests/data/stats/reference.jsonl. Run it again
after changing a case; the output is deterministic.

One JSON object a line, one case each:

    {"name", "values": [decimal strings] | "generate": {...} | "parts": [[...]],
     "percentiles": [strings], "expected": {...}}

`generate` describes values both sides compute with the same IEEE-754
operations (so large cases need not be stored): a Lehmer generator
r <- r * 48271 mod (2^31 - 1) from `seed`, t = r / 2^31, then
  "offset": offset + t * spread    "power4": t*t*t*t * scale
  "ties":   r mod 7
`parts` are files whose concatenation the expected values describe (for
merging Moments).

Every expected float is a string (repr: the shortest that reads back
exactly) with an absolute tolerance beside it, [value, tol], decided here
before looking at any output of the Rust code:
  count, min, max, median, digest points   exact (0): order statistics, and
      statistics.median's own (a + b) / 2
  sum     1 ulp + 2 n u^2 sum|x|   (Neumaier's bound, u = 2^-53)
  mean    1 ulp + sum tol / n      (sum / n rounds once more)
  q1, q3, percentiles   exact rational interpolation; tol 4 u (|a| + |b|)
      + 2 u h |b - a| for the two neighbours a, b (3 roundings, and h
      computed in floats), 0 when h is whole
  variance, stddev      8 ulp      (compensated two-pass: a few roundings)
  merged variance       8 ulp + what the parts' rounded means allow:
      n (2 R e + e^2) / (n - 1), e = 4 u max|mean_i|, R = the spread of the
      parts' means (see `expected`)
"""

import json
import math
import statistics
import sys
from fractions import Fraction
from pathlib import Path

U = 2.0**-53
DIGEST_INTERVALS = 200

DEFAULT_OUT = (
    Path(__file__).resolve().parents[2] / "crates/dp-core/tests/data/stats/reference.jsonl"
)


def generate(spec):
    r = spec["seed"]
    values = []
    for _ in range(spec["count"]):
        r = r * 48271 % 2147483647
        t = r / 2.0**31
        kind = spec["kind"]
        if kind == "offset":
            values.append(spec["offset"] + t * spec["spread"])
        elif kind == "power4":
            values.append(t * t * t * t * spec["scale"])
        elif kind == "ties":
            values.append(float(r % 7))
        else:
            raise ValueError(kind)
    return values


def exact(value):
    """A float as an exact rational, None as None."""
    return None if value is None else Fraction(value)


def ulp(value):
    return math.ulp(value)


def pair(value, tol):
    return [repr(float(value)), repr(float(tol))]


def quantile(sorted_values, percent):
    """Linear interpolation between closest ranks, exactly: h = (n - 1) p."""
    n = len(sorted_values)
    h = (n - 1) * Fraction(percent) / 100
    lower = math.floor(h)
    fraction = h - lower
    a = sorted_values[lower]
    if fraction == 0:
        return pair(a, 0)
    b = sorted_values[lower + 1]
    value = Fraction(a) + fraction * (Fraction(b) - Fraction(a))
    # Three roundings in a + t (b - a), and h = (n - 1) p / 100 rounded twice.
    return pair(value, 4 * U * (abs(a) + abs(b)) + 2 * U * float(h) * abs(b - a))


def digest_points(sorted_values):
    n = len(sorted_values)
    if n <= DIGEST_INTERVALS + 1:
        return [repr(x) for x in sorted_values]
    k = DIGEST_INTERVALS
    # round(j (n - 1) / K), halves up, in integers.
    return [repr(sorted_values[(2 * j * (n - 1) + k) // (2 * k)]) for j in range(k + 1)]


def expected(values, percentiles, parts=None):
    n = len(values)
    if n == 0:
        return {"count": 0, "sum": pair(0, 0), "digest": []}
    ordered = sorted(values)
    rationals = [Fraction(x) for x in values]
    total = sum(rationals)
    sum_abs = sum(abs(x) for x in rationals)
    sum_tol = ulp(float(total)) + 2 * n * U * U * float(sum_abs)
    mean = total / n
    out = {
        "count": n,
        "sum": pair(total, sum_tol),
        "min": pair(ordered[0], 0),
        "max": pair(ordered[-1], 0),
        "mean": pair(mean, ulp(float(mean)) + sum_tol / n),
        "median": pair(statistics.median(values), 0),
        "q1": quantile(ordered, 25),
        "q3": quantile(ordered, 75),
        "percentiles": [[p] + quantile(ordered, Fraction(float(p))) for p in percentiles],
        "digest": digest_points(ordered),
    }
    if n >= 2:
        variance = sum((x - mean) ** 2 for x in rationals) / (n - 1)
        tol = 8 * ulp(float(variance))
        if parts is not None:
            # Merging k parts weighs k - 1 squared differences of means
            # δ with total weight ≤ n; each mean is sum / count of a rounded
            # sum, off by e ≤ 2 u |mean|, so δ is off by ≤ 4 u M and δ² by
            # ≤ 2 R (4 u M) + (4 u M)², with R the spread of the parts' means
            # and M their largest magnitude.
            means = [Fraction(sum(Fraction(x) for x in p), len(p)) for p in parts if p]
            spread = float(max(means) - min(means))
            e = 4 * U * float(max(abs(m) for m in means))
            tol += n * (2 * spread * e + e * e) / (n - 1)
        stddev = math.sqrt(float(variance))
        out["variance"] = pair(variance, tol)
        out["stddev"] = pair(stddev, 8 * ulp(stddev) + tol / (2 * stddev) if stddev else 0)
        # The library documents statistics' definitions: check them here.
        assert abs(float(variance) - statistics.variance(values)) <= 2 * ulp(float(variance))
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive") if n >= 2 else (0, 0, 0)
        for got, want in ((q1, out["q1"]), (q3, out["q3"])):
            assert abs(got - float(want[0])) <= 4 * U * abs(got) + float(want[1]), (got, want)
    return out


def case(name, values=None, percentiles=(), generate_spec=None, parts=None):
    record = {"name": name}
    if generate_spec is not None:
        record["generate"] = generate_spec
        floats = generate(generate_spec)
    elif parts is not None:
        record["parts"] = [[repr(float(x)) for x in part] for part in parts]
        floats = [float(x) for part in parts for x in part]
    else:
        record["values"] = list(values)
        floats = [float(x) for x in values]
    record["percentiles"] = list(percentiles)
    part_floats = None if parts is None else [[float(x) for x in part] for part in parts]
    record["expected"] = expected(floats, list(percentiles), part_floats)
    return record


def lehmer(seed, count):
    r = seed
    for _ in range(count):
        r = r * 48271 % 2147483647
        yield r


def cases():
    yield case("empty", [])
    yield case("one", ["42.5"], ["0", "50", "100"])
    yield case("two", ["2", "1"], ["10", "90"])
    yield case("odd", ["3", "1", "4", "1", "5", "9", "2"])
    yield case("even", ["3", "1", "4", "1", "5", "9", "2", "6"])
    yield case("duplicates", ["7"] * 40 + ["1", "7", "9", "7.5"] + ["7"] * 9)
    yield case("all_equal", ["2.5"] * 300)
    yield case("negatives", ["-3.5", "-1", "-10", "-.25", "-7", "-1e-3"], ["5", "95"])
    yield case("cancellation", ["1e16", "1", "-1e16"])
    yield case("cancellation_long", ["1e16", "1", "-1e16"] * 33 + ["3.5e-2", "1e15", "-1e15"])
    yield case(
        "mixed_magnitudes",
        ["1e-200", "1e150", "-1e150", "3.5", "1e-5", "123456789.123", "-2.5e-8", "7e100"],
        ["0", "12.5", "87.5", "100"],
    )
    yield case(
        "large_offset",
        [f"{1e9 + (r % 1000000) / 1e6:.6f}" for r in lehmer(11, 1001)],
        ["1", "99"],
    )
    yield case(
        "percentiles",
        [f"{(r % 100000000) / 1e6:.6f}" for r in lehmer(5, 1000)],
        ["0", "1", "10", "33.3", "50", "66.6", "90", "99", "99.9", "100"],
    )
    yield case("digest_non_exact", [f"{(r % 2000000) / 1e3 - 1000:.3f}" for r in lehmer(3, 4567)])
    yield case("digest_exact_201", [f"{r % 1000}" for r in lehmer(9, 201)])
    yield case("digest_just_over", [f"{r % 1000}" for r in lehmer(8, 202)])
    spec = {"kind": "offset", "seed": 42, "count": 100000, "offset": 1e9, "spread": 2.0}
    yield case("generated_large_offset_100k", generate_spec=spec, percentiles=["0.1", "99.9"])
    spec = {"kind": "power4", "seed": 7, "count": 100000, "scale": 1000.0}
    yield case("generated_skewed_100k", generate_spec=spec, percentiles=["1", "50", "99"])
    spec = {"kind": "ties", "seed": 99, "count": 80000}
    yield case("generated_ties_80k", generate_spec=spec, percentiles=["1", "50", "99"])
    # Files of very different sizes and levels: a mean of means (or of
    # variances) is far off here.
    small = [1e6 + r % 1000 for r in lehmer(1, 3)]
    medium = [(r % 100000) / 100 for r in lehmer(2, 500)]
    large = [-1e3 + (r % 1000) / 1000 for r in lehmer(3, 20000)]
    yield case("parts_sizes_and_levels", parts=[small, [], medium, [42.0], large])
    offsets = [[1e9 + (r % 2000000) / 1e6 for r in lehmer(seed, size)] for seed, size in
               ((4, 1000), (5, 17), (6, 5000), (7, 2))]
    yield case("parts_large_offset", parts=offsets)
    yield case("parts_cancellation", parts=[[1e16], [1.0, 2.0], [-1e16]])


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(record, separators=(",", ":")) for record in cases()]
    out.write_text("\n".join(lines) + "\n")
    print(f"{out}: {len(lines)} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
