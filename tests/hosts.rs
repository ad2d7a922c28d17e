//! Records of several hosts through the real tools (docs/reference.md,
//! "Runs": "Hosts", "Overhead of an engine"): dp-stats names the host
//! `DP_HOST` gives, dp-agg reports files and busy time per host and what a
//! remote engine cost per file, dp-plot colours the timeline by host.

use std::fs;
use std::path::Path;

use dp_testkit::{dp, shell};
use serde_json::Value;

/// Data files `data1.txt` … `data6.txt` in `dir`.
fn data(dir: &Path) {
    shell(
        "dp-gen --files 6 --count 100 --seed 3 --dir data > /dev/null",
        dir,
    )
    .success();
}

/// Real dp-stats records of run `run`, files 1–6 shared among `hosts`
/// (via DP_HOST), their times then fixed so that the run is known
/// exactly: each file takes 1 s, three at a time, the second round of
/// three starting `gap` s after the first ended. Its engine's cost per
/// file is then (T·c − Σ elapsed_s)/files = ((2 + gap)·3 − 6)/6 = gap/2.
fn records(dir: &Path, run: &str, hosts: &[&str], start: f64, gap: f64) -> Vec<Value> {
    let per_host = 6 / hosts.len();
    let mut records = Vec::new();
    for (h, host) in hosts.iter().enumerate() {
        let files: Vec<String> = (1..=per_host)
            .map(|i| format!("data/data{}.txt", h * per_host + i))
            .collect();
        let ran = dp("dp-stats")
            .current_dir(dir)
            .args(["--run", run])
            .args(&files)
            .env("DP_HOST", host)
            .run();
        ran.success();
        records.extend(ran.records());
    }
    for (i, record) in records.iter_mut().enumerate() {
        let at = start + (i / 3) as f64 * (1.0 + gap);
        record["started_at"] = at.into();
        record["finished_at"] = (at + 1.0).into();
        record["elapsed_s"] = 1.0.into();
    }
    records
}

fn write_jsonl(path: &Path, records: &[Value]) {
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    fs::write(path, text).unwrap();
}

#[test]
fn dp_host_or_host_names_the_host_and_an_empty_one_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    data(dir.path());
    let host = |value: Option<&str>| {
        let mut cmd = dp("dp-stats").current_dir(dir.path()).arg("data/data1.txt");
        if let Some(value) = value {
            cmd = cmd.env("DP_HOST", value);
        }
        let ran = cmd.run();
        ran.success();
        ran.record()["host"].as_str().unwrap().to_owned()
    };
    assert_eq!(host(Some("node7")), "node7");
    let machine = host(None);
    assert!(!machine.is_empty());
    assert_eq!(host(Some("")), machine);
    let ran = dp("dp-stats")
        .current_dir(dir.path())
        .args(["--host", "node8", "data/data1.txt"])
        .env("DP_HOST", "node7")
        .run();
    ran.success();
    assert_eq!(ran.record()["host"], "node8", "the flag wins");
}

#[test]
fn dp_agg_lists_files_and_busy_time_per_host() {
    let dir = tempfile::tempdir().unwrap();
    data(dir.path());
    let path = dir.path().join("ssh.jsonl");
    write_jsonl(
        &path,
        &records(dir.path(), "ssh", &["h1", "h2", "h3"], 1000.0, 0.3),
    );
    let text = dp("dp-agg").current_dir(dir.path()).arg(&path).run();
    text.success();
    for host in ["h1", "h2", "h3"] {
        text.stdout_has(&format!("  host {host:<13} 2 files, 2.00 s busy\n"));
    }
    let json = dp("dp-agg")
        .current_dir(dir.path())
        .args(["--format", "json"])
        .arg(&path)
        .run();
    json.success();
    let summary = json.record();
    assert_eq!(
        summary["hosts"],
        serde_json::json!([
            {"host": "h1", "files": 2, "busy_s": 2.0},
            {"host": "h2", "files": 2, "busy_s": 2.0},
            {"host": "h3", "files": 2, "busy_s": 2.0},
        ])
    );
    let csv = dp("dp-agg")
        .current_dir(dir.path())
        .args(["--format", "csv"])
        .arg(&path)
        .run();
    csv.success();
    let mut lines = csv.stdout.lines();
    assert!(lines.next().unwrap().ends_with(",repeat,host"));
    assert!(
        lines.all(|line| line.ends_with(",h1") || line.ends_with(",h2") || line.ends_with(",h3"))
    );

    // One host: no host lines, no `hosts`, no `host` column.
    let one = dir.path().join("one.jsonl");
    write_jsonl(&one, &records(dir.path(), "ssh", &["h1"], 1000.0, 0.3));
    let text = dp("dp-agg").current_dir(dir.path()).arg(&one).run();
    text.success();
    assert!(!text.stdout.contains("  host "), "{}", text.stdout);
    let json = dp("dp-agg")
        .current_dir(dir.path())
        .args(["--format", "json"])
        .arg(&one)
        .run();
    assert!(json.record().get("hosts").is_none());
    let csv = dp("dp-agg")
        .current_dir(dir.path())
        .args(["--format", "csv"])
        .arg(&one)
        .run();
    assert!(csv.stdout.lines().next().unwrap().ends_with(",repeat"));
}

#[test]
fn a_remote_run_says_what_its_engine_cost_per_file_over_local() {
    let dir = tempfile::tempdir().unwrap();
    data(dir.path());
    let local = records(dir.path(), "parallel", &["here"], 1000.0, 0.06);
    let ssh = records(dir.path(), "ssh", &["h1", "h2", "h3"], 2000.0, 0.3);
    let path = dir.path().join("both.jsonl");
    write_jsonl(&path, &[local.clone(), ssh].concat());
    let text = dp("dp-agg").current_dir(dir.path()).arg(&path).run();
    text.success();
    // gap / 2 each (see `records`).
    let (local_s, ssh_s) = (0.03, 0.15);
    text.stdout_has(
        "ssh: 0.12 s per file over local (parallel: 0.03 s, ssh: 0.15 s of slot time \
         outside dp-stats per file)\n",
    );
    let comparison = dp("dp-agg")
        .current_dir(dir.path())
        .args(["--format", "json"])
        .arg(&path)
        .run()
        .records()
        .into_iter()
        .find(|r| r["type"] == "comparison")
        .unwrap();
    let ssh_run = &comparison["runs"][1];
    assert_eq!(ssh_run["run"], "ssh");
    let number = |v: &Value| v.as_f64().unwrap();
    assert!((number(&ssh_run["overhead_per_file_s"]) - ssh_s).abs() < 1e-6);
    assert!((number(&ssh_run["overhead_over_local_s"]) - (ssh_s - local_s)).abs() < 1e-6);
    assert!(comparison["runs"][0].get("overhead_per_file_s").is_none());

    // Local runs alone get no such line.
    let seq = records(dir.path(), "sequential", &["here"], 500.0, 0.0);
    let path = dir.path().join("local.jsonl");
    write_jsonl(&path, &[seq, local].concat());
    let text = dp("dp-agg").current_dir(dir.path()).arg(&path).run();
    text.success();
    assert!(
        !text.stdout.contains("per file over local"),
        "{}",
        text.stdout
    );
    assert!(!text.stdout.contains("outside dp-stats"), "{}", text.stdout);
}

/// The text of every `<text>` element of an SVG.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|part| {
            let start = part.find('>')? + 1;
            let end = part.find("</text>")?;
            Some(part[start..end].trim().to_owned())
        })
        .collect()
}

#[test]
fn dp_plot_colours_the_timeline_by_host_in_every_panel() {
    let dir = tempfile::tempdir().unwrap();
    data(dir.path());
    let records = [
        records(dir.path(), "ssh", &["h1", "h2", "h3"], 1000.0, 0.3),
        records(dir.path(), "slurm", &["n1", "n2", "n3"], 2000.0, 0.1),
    ]
    .concat();
    let path = dir.path().join("hosts.jsonl");
    write_jsonl(&path, &records);
    // A joblog of three ssh hosts, as GNU parallel writes it.
    let joblog = dir.path().join("gnu-ssh.tsv");
    let mut log =
        String::from("Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n");
    for i in 0..6 {
        let host = ["h1", "h2", ":"][i % 3];
        let start = 3000.0 + (i / 3) as f64 * 1.2;
        log.push_str(&format!(
            "{}\t{host}\t{start:.3}\t1.000\t0\t0\t0\t0\tdp-stats data{}.txt\n",
            i + 1,
            i + 1
        ));
    }
    fs::write(&joblog, log).unwrap();
    for out in ["hosts.svg", "hosts.png"] {
        let out = dir.path().join(out);
        dp("dp-plot")
            .args(["--kind", "timeline", "--color-by", "host", "-o"])
            .arg(&out)
            .arg(&path)
            .arg("--joblog")
            .arg(&joblog)
            .run()
            .success();
    }
    let texts = svg_texts(&fs::read_to_string(dir.path().join("hosts.svg")).unwrap());
    let count = |text: &str| texts.iter().filter(|t| *t == text).count();
    // Named in the legend and in the header of each panel it worked in.
    for host in ["h1", "h2"] {
        assert_eq!(count(host), 3, "{host} in {texts:?}");
    }
    for host in ["h3", "n1", "n2", "n3", "local"] {
        assert_eq!(count(host), 2, "{host} in {texts:?}");
    }
}
