"""dp-stats' statistics with Polars, for scripts/bench-stats.sh to compare.

    python scripts/bench/stats_polars.py FILE

Reads one number a line (Polars' CSV reader, one Float64 column, its own
threads) and prints the statistics of docs/reference.md, "Values and
statistics" (sample variance; quartiles by linear interpolation).
"""

import sys

import polars as pl

v = pl.col("v")
row = (
    pl.read_csv(sys.argv[1], has_header=False, new_columns=["v"], schema={"v": pl.Float64})
    .select(
        v.count().alias("count"), v.sum().alias("sum"), v.min().alias("min"),
        v.max().alias("max"), v.mean().alias("mean"),
        v.quantile(0.5, "linear").alias("median"), v.quantile(0.25, "linear").alias("q1"),
        v.quantile(0.75, "linear").alias("q3"), v.var(ddof=1).alias("variance"),
        v.std(ddof=1).alias("stddev"),
    )
    .row(0, named=True)
)
print(" ".join(f"{name} {value}" for name, value in row.items()))
