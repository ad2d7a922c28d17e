"""A peer of dp's execution modes, for scripts/bench-modes.sh to compare.

    python3 scripts/bench/stats_sleep.py [--pool N] [--delay SECONDS] FILE...

For each FILE: reads its numbers, computes what dp-stats computes (count,
sum, min, max, mean, median, quartiles, sample variance and stddev, by the
same definitions) in plain Python, sleeps SECONDS (the artificial work dp's
--delay stands for), and prints one JSON line. With --pool N the files are
shared out among N worker processes (multiprocessing.Pool), as a Python
programmer would parallelise it; without, they are done in turn (the form
that xargs -P or GNU parallel run once per file).
"""

import argparse
import json
import math
import multiprocessing
import sys
import time


def quantile(ordered, p):
    """Linear interpolation between closest ranks (NumPy's default)."""
    position = p * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def file_stats(path, delay):
    started = time.time()
    with open(path, "rb") as data:
        values = sorted(float(token) for token in data.read().split())
    n = len(values)
    total = math.fsum(values)
    stats = {"type": "stats", "path": path, "count": n, "sum": total}
    if n:
        mean = total / n
        stats |= {
            "min": values[0],
            "max": values[-1],
            "mean": mean,
            "median": quantile(values, 0.5),
            "q1": quantile(values, 0.25),
            "q3": quantile(values, 0.75),
        }
        if n > 1:
            variance = math.fsum((x - mean) ** 2 for x in values) / (n - 1)
            stats |= {"variance": variance, "stddev": math.sqrt(variance)}
    time.sleep(delay)
    return stats | {"started_at": started, "finished_at": time.time()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool", type=int, default=0, metavar="N")
    parser.add_argument("--delay", type=float, default=0.0, metavar="SECONDS")
    parser.add_argument("files", nargs="+", metavar="FILE")
    args = parser.parse_args()
    jobs = [(path, args.delay) for path in args.files]
    if args.pool:
        with multiprocessing.Pool(args.pool) as pool:
            results = pool.starmap(file_stats, jobs, chunksize=max(1, len(jobs) // (4 * args.pool)))
    else:
        results = [file_stats(*job) for job in jobs]
    out = sys.stdout
    for stats in results:
        out.write(json.dumps(stats) + "\n")


if __name__ == "__main__":
    main()
