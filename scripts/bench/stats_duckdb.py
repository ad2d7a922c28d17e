"""dp-stats' statistics with DuckDB, for scripts/bench-stats.sh to compare.

    python scripts/bench/stats_duckdb.py FILE

Reads one number a line (DuckDB's CSV reader, one DOUBLE column, every
thread DuckDB wants) and prints the statistics of docs/reference.md,
"Values and statistics" (sample variance; quartiles by linear
interpolation: quantile_cont).
"""

import sys

import duckdb

row = duckdb.connect().execute(
    "SELECT count(v), sum(v), min(v), max(v), avg(v), quantile_cont(v, 0.5), "
    "quantile_cont(v, 0.25), quantile_cont(v, 0.75), var_samp(v), stddev_samp(v) "
    "FROM read_csv(?, header = false, columns = {'v': 'DOUBLE'})",
    [sys.argv[1]],
).fetchone()
names = "count sum min max mean median q1 q3 variance stddev".split()
print(" ".join(f"{name} {value}" for name, value in zip(names, row)))
