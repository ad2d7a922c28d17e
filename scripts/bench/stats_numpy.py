"""dp-stats' statistics with NumPy, for scripts/bench-stats.sh to compare.

    python3 scripts/bench/stats_numpy.py FILE

Reads one number a line with np.loadtxt and prints the statistics of
docs/reference.md, "Values and statistics" (sample variance, quartiles by
linear interpolation: NumPy's default).
"""

import sys

import numpy as np

values = np.loadtxt(sys.argv[1], dtype=np.float64, ndmin=1)
q1, median, q3 = np.percentile(values, [25, 50, 75])
print(
    f"count {values.size} sum {values.sum()} min {values.min()} max {values.max()} "
    f"mean {values.mean()} median {median} q1 {q1} q3 {q3} "
    f"variance {values.var(ddof=1)} stddev {values.std(ddof=1)}"
)
