//! `make ssh` over real sshd hosts on this machine, started by
//! scripts/test-hosts.sh (loopback addresses, each host its own user, keys
//! and host name) and always stopped (a guard's `Drop`): records from every
//! host, identical results, a host killed mid-run or down before it, a bad
//! file that is a result and not a failure, a login that wants a password.
//! Where the machine cannot start hosts (not root, no `unshare --uts`, the
//! packages not installable) each test says so and returns.
//!
//! Nothing here asserts how fast: scripts/bench-ssh.sh measures.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use common::{mode_dir, result_names, results};
use dp_testkit::{Make, Ran, bin_dir, dp, names_in, repo, skip};

/// `scripts/test-hosts.sh COMMAND DIR ARGS...`, run to its end.
fn test_hosts(dir: &Path, command: &str, args: &[&str]) -> Ran {
    let mut script = Command::new(repo().join("scripts/test-hosts.sh"));
    script.arg(command).arg(dir).args(args).stdin(Stdio::null());
    Ran::of(&format!("scripts/test-hosts.sh {command}"), script)
}

/// N test hosts, stopped (listeners, sessions, users) when dropped.
struct Hosts {
    dir: tempfile::TempDir,
    /// `dp-host1,dp-host2,...`, as HOSTS takes them.
    list: String,
}

impl Hosts {
    /// N hosts, or `None` (the test said why it skips) where this machine
    /// cannot start them.
    fn up(test: &str, count: usize) -> Option<Self> {
        let root = Command::new("id").arg("-u").output();
        if !root.is_ok_and(|out| out.stdout.starts_with(b"0\n")) {
            skip(test, "test hosts need root (useradd, sshd)");
            return None;
        }
        let dir = tempfile::tempdir().expect("a temporary directory");
        let ran = test_hosts(dir.path(), "up", &[&count.to_string()]);
        let cannot = [
            "cannot make a UTS namespace",
            "could not install",
            "needs root",
        ];
        if ran.code != Some(0) {
            if let Some(why) = cannot.iter().find(|why| ran.stderr.contains(*why)) {
                skip(
                    test,
                    &format!("this machine cannot start test hosts: {why}"),
                );
                return None;
            }
            panic!("scripts/test-hosts.sh up failed:\n{}", ran.stderr);
        }
        let list = ran.stdout.trim().to_owned();
        Some(Self { dir, list })
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("ssh_config")
    }

    /// The make variables that point `make ssh` at these hosts.
    fn vars(&self) -> Vec<String> {
        vec![
            format!("HOSTS={}", self.list),
            format!("SSH_CONFIG={}", self.config().display()),
        ]
    }

    /// Kills one host now, as a machine dies: its listener and sessions.
    fn kill(&self, host: &str) {
        self.script(&["kill", host]).success();
    }

    fn script(&self, args: &[&str]) -> Ran {
        test_hosts(self.dir.path(), args[0], &args[1..])
    }

    /// What test-hosts.sh recorded: each host's name, user, address, pid.
    fn table(&self) -> Vec<Vec<String>> {
        fs::read_to_string(self.dir.path().join("hosts"))
            .unwrap()
            .lines()
            .map(|line| line.split(' ').map(str::to_owned).collect())
            .collect()
    }

    /// Each host's home, where a job runs and what it ships goes.
    fn homes(&self) -> Vec<PathBuf> {
        let root = fs::read_to_string(self.dir.path().join("homes")).unwrap();
        self.table()
            .iter()
            .map(|host| Path::new(root.trim()).join(&host[0]))
            .collect()
    }
}

impl Drop for Hosts {
    fn drop(&mut self) {
        let ran = self.script(&["down"]);
        if ran.code != Some(0) {
            eprintln!("scripts/test-hosts.sh down failed:\n{}", ran.stderr);
        }
    }
}

/// A Make over the hosts with the test's own variables.
fn make_over(hosts: &Hosts, vars: &[&str]) -> Make {
    let mut all: Vec<String> = hosts.vars();
    all.extend(vars.iter().map(|v| v.to_string()));
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    Make::new(&all)
}

/// The distinct `host`s of a mode's records.
fn hosts_of(make: &Make, mode: &str) -> BTreeSet<String> {
    results(make, mode)
        .values()
        .map(|record| record["host"].as_str().unwrap().to_owned())
        .collect()
}

/// Nothing of the run is left on the hosts: what it shipped is gone.
fn assert_hosts_clean(hosts: &Hosts) {
    for home in hosts.homes() {
        assert!(
            !home.join(".dp-ssh").exists(),
            "{} still holds what make ssh shipped: {:?}",
            home.display(),
            names_in(&home.join(".dp-ssh"))
        );
    }
}

/// No ControlMaster outlives its run: a master renames itself
/// `ssh: SOCKET [mux]`, and its run removed SOCKET's directory when it
/// ended.
fn assert_no_master_left() {
    let left = || -> Vec<String> {
        fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter_map(|entry| {
                let title = fs::read(entry.path().join("cmdline")).ok()?;
                let title = String::from_utf8_lossy(&title).replace('\0', " ");
                let socket = title.strip_prefix("ssh: ")?.split(' ').next()?.to_owned();
                (!Path::new(&socket).parent()?.exists()).then(|| title.trim_end().to_owned())
            })
            .collect()
    };
    // A master closing as its run ends may outlive its directory by a
    // moment; one left behind is still there later.
    if !left().is_empty() {
        sleep(Duration::from_millis(500));
    }
    let left = left();
    assert!(
        left.is_empty(),
        "ssh masters left after their run: {left:?}"
    );
}

#[test]
fn make_compare_over_three_hosts_gives_three_hosts_and_identical_results() {
    let test = "make_compare_over_three_hosts_gives_three_hosts_and_identical_results";
    let Some(hosts) = Hosts::up(test, 3) else {
        return;
    };
    let make = make_over(&hosts, &["FILES=6", "DELAY=0.5", "SSH_JOBS=2"]);
    let stdout = make.ok(&["compare", "MODES=sequential ssh"]);
    assert!(
        stdout.contains("Results identical across runs: yes"),
        "{stdout}"
    );
    let ssh = results(&make, "ssh");
    assert_eq!(ssh.keys().cloned().collect::<Vec<_>>(), result_names(6));
    let sequential = results(&make, "sequential");
    for (name, record) in &ssh {
        // The record names the local file, as every other mode's does.
        assert_eq!(record["path"], sequential[name]["path"], "{name}");
        assert_eq!(record["run"], "ssh", "{name}");
        assert_eq!(record["workers"], 6, "{name}: 3 hosts x 2 slots");
    }
    assert_eq!(
        hosts_of(&make, "ssh"),
        ["dp-host1", "dp-host2", "dp-host3"]
            .map(str::to_owned)
            .into(),
        "each host has its own host name, and 6 slots took 6 files at once"
    );
    let joblog = fs::read_to_string(mode_dir(&make, "ssh").join("joblog.tsv")).unwrap();
    assert_eq!(joblog.lines().count(), 1 + 6, "{joblog}");
    assert_hosts_clean(&hosts);
    assert_no_master_left();

    // A result that is current is not sent again.
    let before = fs::metadata(mode_dir(&make, "ssh").join("data1.txt.stats.json"))
        .and_then(|meta| meta.modified())
        .unwrap();
    fs::remove_file(mode_dir(&make, "ssh").join("data2.txt.stats.json")).unwrap();
    make.ok(&["ssh"]);
    let joblog = fs::read_to_string(mode_dir(&make, "ssh").join("joblog.tsv")).unwrap();
    assert_eq!(
        joblog.lines().count(),
        1 + 1,
        "only data2.txt is redone: {joblog}"
    );
    let after = fs::metadata(mode_dir(&make, "ssh").join("data1.txt.stats.json"))
        .and_then(|meta| meta.modified())
        .unwrap();
    assert_eq!(before, after, "data1.txt's current result was rewritten");
    assert_eq!(results(&make, "ssh").len(), 6);

    // make clean removes the results, the joblog and the wall clock.
    make.ok(&["clean"]);
    assert!(!make.out_dir().exists(), "{:?}", names_in(&make.out_dir()));

    // down stops every process it started and removes its users.
    let table = hosts.table();
    hosts.script(&["down"]).success();
    for host in table {
        let user = Command::new("id").arg(&host[1]).output().unwrap();
        assert!(!user.status.success(), "user {} is still there", host[1]);
        let pid = Path::new("/proc").join(&host[3]);
        let cmdline = fs::read(pid.join("cmdline")).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&cmdline).contains("sshd"),
            "{}'s sshd {} still runs",
            host[0],
            host[3]
        );
    }
}

#[test]
fn a_host_killed_mid_run_has_its_files_redone_on_the_others() {
    let test = "a_host_killed_mid_run_has_its_files_redone_on_the_others";
    let Some(hosts) = Hosts::up(test, 3) else {
        return;
    };
    let make = make_over(&hosts, &["FILES=12", "DELAY=1", "SSH_JOBS=2"]);
    make.ok(&["data"]);
    let mut run = make.command(&["ssh"]);
    let child = run
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once the first file is back, the second round of files is going out,
    // some of them to dp-host2: it dies then.
    let dir = mode_dir(&make, "ssh");
    let start = Instant::now();
    while !names_in(&dir)
        .iter()
        .any(|name| name.ends_with(".stats.json"))
    {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no result after 60 s"
        );
        sleep(Duration::from_millis(20));
    }
    hosts.kill("dp-host2");
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "make ssh failed:\n{stderr}");
    assert!(
        stderr.contains("host dp-host2 failed during the run"),
        "the run does not name the host that failed:\n{stderr}"
    );
    // Exactly one result per file, each a whole stats record.
    let ssh = results(&make, "ssh");
    assert_eq!(ssh.keys().cloned().collect::<Vec<_>>(), result_names(12));
    let joblog = fs::read_to_string(dir.join("joblog.tsv")).unwrap();
    assert_eq!(joblog.lines().count(), 1 + 12, "{joblog}");
    assert!(
        hosts_of(&make, "ssh").is_subset(
            &["dp-host1", "dp-host2", "dp-host3"]
                .map(str::to_owned)
                .into()
        )
    );
    assert_no_master_left();
}

#[test]
fn ctrl_c_while_the_masters_log_in_or_later_leaves_nothing_behind() {
    use std::os::unix::process::CommandExt;
    let test = "ctrl_c_while_the_masters_log_in_or_later_leaves_nothing_behind";
    let Some(hosts) = Hosts::up(test, 3) else {
        return;
    };
    let make = make_over(&hosts, &["FILES=3", "DELAY=1", "SSH_JOBS=1"]);
    make.ok(&["data"]);
    // Ctrl-C goes to the terminal's foreground process group: make, the
    // script and its ssh logins alike. 50 ms is within the logins; later
    // ones are within the run.
    for after_ms in [50, 150, 400, 1500] {
        let child = make
            .command(&["ssh"])
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        sleep(Duration::from_millis(after_ms));
        let group = format!("-{}", child.id());
        let killed = Command::new("kill").args(["-INT", "--", &group]).status();
        assert!(killed.unwrap().success(), "cannot signal {group}");
        let output = child.wait_with_output().unwrap();
        assert!(
            !output.status.success(),
            "make ssh was not interrupted at {after_ms} ms"
        );
        // A master still logging in when the run closed would come up
        // after it and outlive it.
        sleep(Duration::from_millis(500));
        assert_no_master_left();
        assert_hosts_clean(&hosts);
        make.ok(&["clean"]);
    }
}

#[test]
fn a_bad_file_is_a_result_tried_once_and_reaches_dp_agg() {
    let test = "a_bad_file_is_a_result_tried_once_and_reaches_dp_agg";
    let Some(hosts) = Hosts::up(test, 2) else {
        return;
    };
    let make = make_over(&hosts, &["FILES=4", "DELAY=0", "SSH_JOBS=1", "DATA="]);
    make.ok(&["data"]);
    let bad = make.data_dir.join("data2.txt");
    fs::write(&bad, "1\n2\nabc\n").unwrap();
    let ran = make.run(&["ssh"]);
    ran.success();
    // dp-stats said so once: not retried on the other host.
    assert_eq!(
        ran.stderr.matches("'abc' is not a finite number").count(),
        1,
        "{}",
        ran.stderr
    );
    let dir = mode_dir(&make, "ssh");
    let joblog = fs::read_to_string(dir.join("joblog.tsv")).unwrap();
    assert_eq!(joblog.lines().count(), 1 + 4, "{joblog}");
    // Its result is its error record, naming the local file and the line.
    let text = fs::read_to_string(dir.join("data2.txt.stats.json")).unwrap();
    let error = &dp_testkit::records(&text)[0];
    assert_eq!(error["type"], "error", "{text}");
    assert_eq!(error["path"], bad.display().to_string(), "{text}");
    assert_eq!(error["line"], 3, "{text}");
    // dp-agg reports it and exits 1, the others counted.
    let files: Vec<PathBuf> = result_names(4).iter().map(|name| dir.join(name)).collect();
    let agg = dp("dp-agg").args(&files).run();
    agg.code_is(1)
        .stderr_has("1 of 4 files failed")
        .stdout_has("3 files, 1 failed")
        .stdout_has(&format!("{}", bad.display()));
    // make run MODE=ssh gives the report and fails.
    let ran = make.run(&["run", "MODE=ssh"]);
    assert_ne!(ran.code, Some(0), "{}", ran.stdout);
    ran.stdout_has(&format!("{}", bad.display()))
        .stderr_has("1 of 4 files failed");
}

#[test]
fn a_host_down_before_the_run_is_left_out_and_a_refused_login_stops_it() {
    let test = "a_host_down_before_the_run_is_left_out_and_a_refused_login_stops_it";
    let Some(hosts) = Hosts::up(test, 3) else {
        return;
    };
    hosts.kill("dp-host3");
    // The hosts' users read the data, and run dp-stats, in place
    // (SHARED_FS=1): nothing is shipped.
    let make = make_over(&hosts, &["FILES=4", "DELAY=0", "SSH_JOBS=2", "SHARED_FS=1"]);
    let opened = Command::new("chmod")
        .arg("go+rx")
        .arg(make.scratch())
        .status();
    assert!(opened.is_ok_and(|status| status.success()));
    let binaries = |dir: &str, mode: &str| {
        let dir = make.scratch().join(dir);
        fs::create_dir(&dir).unwrap();
        for tool in ["dp-gen", "dp-stats", "dp-agg", "dp-plot"] {
            fs::copy(bin_dir().join(tool), dir.join(tool)).unwrap();
        }
        let set = Command::new("chmod").arg(mode).arg(&dir).status();
        assert!(set.is_ok_and(|status| status.success()));
        dir
    };
    // Where the hosts cannot see this dp-stats, the run stops before
    // anything is sent, and says so.
    let private = binaries("private", "700");
    let private_stats = private.join("dp-stats");
    let stopped = make.run(&["ssh", &format!("BIN={}", private.display())]);
    stopped
        .code_is(2)
        .stderr_has(&format!("dp-host1 has no {}", private_stats.display()))
        .stderr_has("REMOTE_DP_STATS=/path names theirs");
    assert!(results(&make, "ssh").is_empty());
    let seen = binaries("bin", "755");
    let ran = make.run(&["ssh", &format!("BIN={}", seen.display())]);
    assert_hosts_clean(&hosts);
    ran.success()
        .stderr_has("host dp-host3 is down")
        .stderr_has("its files go to the other hosts");
    assert_eq!(
        results(&make, "ssh").keys().cloned().collect::<Vec<_>>(),
        result_names(4)
    );
    assert_eq!(
        hosts_of(&make, "ssh"),
        ["dp-host1", "dp-host2"].map(str::to_owned).into()
    );
    for record in results(&make, "ssh").values() {
        assert_eq!(record["workers"], 4, "2 hosts reached x 2 slots");
    }

    // A key the hosts do not know: BatchMode refuses to ask for a
    // password, and the run stops before anything is sent.
    let config = fs::read_to_string(hosts.config()).unwrap();
    let key = make.scratch().join("unknown_key");
    let keygen = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(keygen.success());
    let refused = make.scratch().join("refused_config");
    let config: String = config
        .lines()
        .map(
            |line| match line.trim_start().starts_with("IdentityFile ") {
                true => format!("    IdentityFile {}\n", key.display()),
                false => format!("{line}\n"),
            },
        )
        .collect();
    fs::write(&refused, config).unwrap();
    fs::remove_dir_all(make.out_dir().join("ssh")).unwrap();
    let ran = make.run(&[
        "ssh",
        "HOSTS=dp-host1,dp-host2",
        &format!("SSH_CONFIG={}", refused.display()),
    ]);
    ran.code_is(2)
        .stderr_has("Permission denied")
        .stderr_has("refused a login without a password");
    // A host that lacks what a job needs is named, with what it lacks.
    let ran = make.run(&["ssh", "HOSTS=dp-host1", "REMOTE_DP_STATS=/nowhere/dp-stats"]);
    ran.code_is(2)
        .stderr_has("dp-host1 has no /nowhere/dp-stats")
        .stderr_has("a host needs sh, perl, rsync");
    let left = names_in(&make.out_dir().join("ssh"));
    assert!(
        !left.iter().any(|name| name.ends_with(".stats.json")),
        "nothing is sent after a refusal: {left:?}"
    );
}
