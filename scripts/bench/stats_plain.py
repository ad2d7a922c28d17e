"""dp-stats' statistics in plain Python, for scripts/bench-stats.sh to compare.

    python3 scripts/bench/stats_plain.py FILE

No libraries: float() per token, math.fsum for the accurate sum, a sort for
the median and quartiles (linear interpolation between closest ranks).
"""

import math
import sys


def quantile(ordered, p):
    position = p * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


with open(sys.argv[1], "rb") as data:
    values = [float(token) for token in data.read().split()]
n = len(values)
total = math.fsum(values)
mean = total / n
variance = math.fsum((x - mean) ** 2 for x in values) / (n - 1)
values.sort()
print(
    f"count {n} sum {total} min {values[0]} max {values[-1]} mean {mean} "
    f"median {quantile(values, 0.5)} q1 {quantile(values, 0.25)} "
    f"q3 {quantile(values, 0.75)} variance {variance} stddev {math.sqrt(variance)}"
)
