//! dp-agg's exact quantiles within `--max-memory`: a run whose values do
//! not fit is read again as many times as needed, and gives the quantiles
//! of a run without a limit; a file changed since is still refused.

use dp_testkit::shell;
use serde_json::Value;

fn summary(script: &str, dir: &std::path::Path) -> Value {
    let ran = shell(script, dir);
    ran.success();
    ran.records()[0].clone()
}

#[test]
fn a_run_beyond_the_limit_is_read_again_and_stays_exact() {
    let dir = tempfile::tempdir().unwrap();
    let prepare = "dp-gen --files 3 --count 20000 --seed 5 --dir data > /dev/null && \
                   printf '3\\n3\\n3\\n-0\\n' > data/ties.txt && \
                   dp-stats data/*.txt > stats.jsonl";
    shell(prepare, dir.path()).success();
    let unlimited = summary("dp-agg --format json --exact stats.jsonl", dir.path());
    assert_eq!(unlimited["quantiles"], "exact", "{unlimited}");
    for limit in ["1K", "64K", "1M"] {
        let limited = summary(
            &format!("dp-agg --format json --exact --max-memory {limit} stats.jsonl"),
            dir.path(),
        );
        for field in [
            "count",
            "median",
            "q1",
            "q3",
            "quantiles",
            "min",
            "max",
            "sum",
        ] {
            assert_eq!(
                limited[field], unlimited[field],
                "{field} with --max-memory {limit}"
            );
        }
    }
}

#[test]
fn a_file_changed_since_is_refused_within_the_limit_too() {
    let dir = tempfile::tempdir().unwrap();
    let ran = shell(
        "seq 1 30001 > d.txt && dp-stats d.txt > d.jsonl && \
         awk '{ print $1 == 500 ? 499 : $1 == 501 ? 502 : $1 }' d.txt > new.txt && \
         mv new.txt d.txt && dp-agg --format json --max-memory 1K d.jsonl",
        dir.path(),
    );
    ran.success();
    assert_eq!(ran.records()[0]["quantiles"], "digest", "{}", ran.stdout);
    assert!(
        ran.stderr.contains("the checksum differs"),
        "{}",
        ran.stderr
    );
}
