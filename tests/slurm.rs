//! `make slurm` end to end, through make and the real binaries, on a Slurm
//! of three nodes (n1, n2, n3, each its own host name) that
//! scripts/test-slurm.sh starts for each test in a directory of its own and
//! a [`Cluster`] guard always stops. Where this machine cannot start Slurm
//! (not root, no `unshare`, the packages not installable) the tests say so
//! and return. Node death is not tested: Slurm holds a dead node's tasks
//! for minutes.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;

use common::{mode_dir, results};
use dp_testkit::{Make, Ran};
use tempfile::TempDir;

const NODES: usize = 3;

/// A test cluster, up while this lives.
struct Cluster {
    dir: TempDir,
}

impl Cluster {
    /// A cluster of NODES nodes, or `None` (said with `skip`) where this
    /// machine cannot run one; a cluster that should come up and does not
    /// fails the test.
    fn up(test: &str) -> Option<Self> {
        let dir = tempfile::tempdir().expect("a temporary directory");
        // munged wants every directory above its socket traversable.
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        let ran = Ran::of("scripts/test-slurm.sh up", Self::script("up", &dir));
        match ran.code {
            Some(0) => Some(Self { dir }),
            Some(2) if ran.stderr.contains("cannot start Slurm here") => {
                dp_testkit::skip(test, ran.stderr.trim());
                None
            }
            _ => {
                let _ = Self::script("down", &dir).status();
                ran.success();
                unreachable!()
            }
        }
    }

    fn script(action: &str, dir: &TempDir) -> Command {
        let mut command = Command::new(dp_testkit::repo().join("scripts/test-slurm.sh"));
        command
            .arg(action)
            .arg(dir.path().join("cluster"))
            .arg(NODES.to_string());
        command
    }

    fn conf(&self) -> PathBuf {
        self.dir.path().join("cluster/slurm.conf")
    }

    /// `make ARGS` as a client of this cluster.
    fn make(&self, make: &Make, args: &[&str]) -> Ran {
        let mut command = make.command(args);
        command.env("SLURM_CONF", self.conf());
        Ran::of(&format!("make {}", args.join(" ")), command)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Self::script("down", &self.dir).status();
    }
}

#[test]
fn compare_threads_and_slurm_over_three_nodes_gives_three_hosts_and_the_same_results() {
    let Some(cluster) = Cluster::up(
        "compare_threads_and_slurm_over_three_nodes_gives_three_hosts_and_the_same_results",
    ) else {
        return;
    };
    let make = Make::new(&["FILES=6", "JOBS=3", "DELAY=0.3"]);
    let ran = cluster.make(&make, &["compare", "MODES=threads slurm"]);
    ran.success()
        .stdout_has("Results identical across runs: yes")
        .stderr_has("records: 6 stats, 0 error, 0 missing");

    let records = results(&make, "slurm");
    assert_eq!(records.len(), 6, "{records:?}");
    let hosts: BTreeSet<&str> = records
        .values()
        .map(|record| record["host"].as_str().unwrap())
        .collect();
    assert_eq!(hosts, BTreeSet::from(["n1", "n2", "n3"]), "{records:?}");
    for record in records.values() {
        assert_eq!(record["run"], "slurm");
        // 3 nodes × 2 CPUs: six tasks of one file, six at once.
        assert_eq!(record["workers"], 6, "{record}");
    }

    // The list and the tasks' logs are dp's own: clean leaves nothing.
    let cleaned = cluster.make(&make, &["clean"]);
    cleaned.success();
    assert!(!make.data_dir.exists(), "{}", cleaned.stdout);
}

#[test]
fn a_bad_file_gives_its_error_record_to_dp_agg_and_is_tried_again_next_time() {
    let Some(cluster) =
        Cluster::up("a_bad_file_gives_its_error_record_to_dp_agg_and_is_tried_again_next_time")
    else {
        return;
    };
    let make = Make::new(&["FILES=4", "DELAY=0"]);
    make.ok(&["data"]);
    let bad = make.data_dir.join("data3.txt");
    fs::write(&bad, "1\nx\n3\n").unwrap();
    let bad_path = bad.to_str().unwrap();

    let ran = cluster.make(&make, &["run", "MODE=slurm", "DATA="]);
    ran.code_is(2) // make's, as dp-agg exited 1
        .stderr_has(&format!("{bad_path}:2: 'x' is not a finite number"))
        .stderr_has("records: 3 stats, 1 error, 0 missing")
        .stderr_has("dp-agg: run slurm: 1 of 4 files failed")
        .stdout_has("Failed files (1):");
    let result = fs::read_to_string(mode_dir(&make, "slurm").join("data3.txt.stats.json")).unwrap();
    let error = dp_testkit::records(&result);
    assert_eq!(error.len(), 1, "{result}");
    assert_eq!(error[0]["type"], "error");
    assert_eq!(error[0]["path"], bad_path);
    assert_eq!(error[0]["line"], 2);

    // dp-agg itself over the mode's results: exit 1, the file named.
    let paths: Vec<PathBuf> = (1..=4)
        .map(|i| mode_dir(&make, "slurm").join(format!("data{i}.txt.stats.json")))
        .collect();
    dp_testkit::dp("dp-agg")
        .args(&paths)
        .run()
        .code_is(1)
        .stdout_has(bad_path);

    // Fixed, the file alone runs again; the others keep their results.
    fs::write(&bad, "1\n2\n3\n").unwrap();
    let again = cluster.make(&make, &["slurm", "DATA="]);
    again
        .success()
        .stderr_has("job ")
        .stderr_has("records: 1 stats, 0 error, 0 missing");
    assert_eq!(results(&make, "slurm").len(), 4);
}

#[test]
fn a_job_slurm_refuses_is_a_clear_error_and_exit_2() {
    let Some(cluster) = Cluster::up("a_job_slurm_refuses_is_a_clear_error_and_exit_2") else {
        return;
    };
    let make = Make::new(&["FILES=2", "DELAY=0"]);
    cluster
        .make(&make, &["slurm", "SBATCH_ARGS=--partition=nope"])
        .code_is(2)
        .stderr_has("make slurm: Slurm refused the job: ")
        .stderr_has("Invalid partition name specified");
    assert!(results(&make, "slurm").is_empty());
}
