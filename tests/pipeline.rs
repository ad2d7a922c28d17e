//! The tools together, as users chain them: `dp-gen | dp-stats`, and many
//! dp-stats processes sharing one pipe through `xargs -P`.

use std::collections::BTreeSet;

use dp_core::record::Record;
use dp_testkit::shell;

#[test]
fn dp_gen_lists_the_files_dp_stats_reads() {
    let dir = tempfile::tempdir().unwrap();
    let ran = shell(
        "dp-gen --files 5 --count 1000 --seed 42 --dir data | dp-stats -j 2 --run piped",
        dir.path(),
    );
    ran.success();
    assert_eq!(ran.stderr, "");
    let stats = ran.records();
    assert_eq!(stats.len(), 5, "{}", ran.stdout);
    for (i, record) in stats.iter().enumerate() {
        assert_eq!(record["type"], "stats", "{record}");
        assert_eq!(record["run"], "piped");
        assert_eq!(record["count"], 1000, "{record}");
        let path = record["path"].as_str().unwrap();
        assert!(path.ends_with(&format!("data{}.txt", i + 1)), "{path}");
        // The default uniform distribution lies in 0..100.
        let (min, max) = (
            record["min"].as_f64().unwrap(),
            record["max"].as_f64().unwrap(),
        );
        assert!(
            (0.0..=100.0).contains(&min) && min < max && max <= 100.0,
            "{record}"
        );
    }
}

#[test]
fn many_processes_sharing_one_pipe_never_tear_a_record() {
    let dir = tempfile::tempdir().unwrap();
    let ran = shell(
        "dp-gen --files 200 --count 3000 --seed 7 --dir data > /dev/null",
        dir.path(),
    );
    ran.success();
    assert_eq!(ran.stderr, "");
    let ran = shell(
        "ls data/*.txt | xargs -P8 -n1 dp-stats --run xargs | cat",
        dir.path(),
    );
    ran.success();
    assert_eq!(ran.stderr, "");
    let lines: Vec<&str> = ran.stdout.lines().collect();
    assert_eq!(lines.len(), 200);
    let mut paths = BTreeSet::new();
    let mut biggest = 0;
    for line in lines {
        biggest = biggest.max(line.len() + 1);
        match dp_core::io::parse_record(line.as_bytes()) {
            Ok(Record::Stats(stats)) => {
                assert_eq!(stats.count, 3000, "{line}");
                paths.insert(stats.path);
            }
            other => panic!("a torn or wrong record ({other:?}): {line}"),
        }
    }
    assert_eq!(paths.len(), 200, "every file exactly once");
    // Records near PIPE_BUF are the ones that would tear with several writes.
    assert!(biggest > 1024, "records of {biggest} bytes test little");
    assert!(biggest <= dp_core::io::PIPE_BUF);
}
