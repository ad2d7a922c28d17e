//! The HTML report in a real browser: headless Chromium (Debian's
//! `chromium`, which scripts/test-deps.sh installs) opens the page that
//! `make compare`, `make scaling` and `dp-agg --format html` write, with
//! the network cut off (`unshare -n`, where the test may), and the test
//! asserts what a reader relies on: no console message and no request
//! leaving the file (Chromium's own NetLog, every request it made, read
//! back), the speedup and every file name in the DOM once the scripts ran,
//! charts of a real size, and a click on a column's header sorting the rows.
//!
//! Screenshots land in the test's temporary directory, or in
//! `DP_SCREENSHOTS=DIR` to look at them:
//!
//!   DP_SCREENSHOTS=/tmp/shots cargo test --test html
//!
//! (docs/report.png, the README's, is a plain `make compare`'s page, taken
//! the same way at 1280 px: the README says how.)

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use dp_testkit::{Make, dp, names_in, skip};
use serde_json::Value;

/// Headless Chromium, as these tests drive it.
struct Browser {
    program: PathBuf,
    /// Whether it runs in a network namespace of its own (root, and a
    /// kernel that lets us), where no request can reach anything.
    isolated: bool,
    scratch: tempfile::TempDir,
}

/// What one visit of a page left: the DOM after its scripts ran (for
/// `dump`), its console messages, and the requests it made.
struct Visit {
    dom: String,
    console: Vec<String>,
    requests: Vec<String>,
}

impl Browser {
    /// The browser, or `None` (the test says it skips) when it is missing.
    fn find(test: &str) -> Option<Self> {
        if !dp_testkit::installed("chromium") {
            skip(
                test,
                "chromium is not installed (scripts/test-deps.sh installs it)",
            );
            return None;
        }
        let isolated = Command::new("unshare")
            .args(["-n", "true"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        Some(Browser {
            program: PathBuf::from("chromium"),
            isolated,
            scratch: tempfile::tempdir().unwrap(),
        })
    }

    /// Opens `page` (with `fragment`, e.g. `#sort=path`) in a window of
    /// `width` × `height`; dumps the DOM, or with `screenshot` saves one.
    fn visit(
        &self,
        page: &Path,
        fragment: &str,
        (width, height): (u32, u32),
        screenshot: Option<&Path>,
    ) -> Visit {
        let netlog = self.scratch.path().join("netlog.json");
        let profile = tempfile::tempdir_in(self.scratch.path()).unwrap();
        let mut command = if self.isolated {
            let mut command = Command::new("unshare");
            command.arg("-n").arg(&self.program);
            command
        } else {
            Command::new(&self.program)
        };
        command
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--hide-scrollbars",
                "--allow-file-access-from-files",
                "--enable-logging=stderr",
                "--virtual-time-budget=5000",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("--log-net-log={}", netlog.display()))
            .arg(format!("--window-size={width},{height}"));
        match screenshot {
            Some(path) => command.arg(format!("--screenshot={}", path.display())),
            None => command.arg("--dump-dom"),
        };
        let url = format!("file://{}{fragment}", page.display());
        let output = command
            .arg(&url)
            .stdin(Stdio::null())
            .output()
            .expect("chromium runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "chromium {url}: {stderr}");
        if let Some(path) = screenshot {
            assert!(
                fs::metadata(path).is_ok_and(|m| m.len() > 10_000),
                "no screenshot of {url}: {stderr}"
            );
        }
        Visit {
            dom: String::from_utf8_lossy(&output.stdout).into_owned(),
            // The page's, not those of the browser's own chrome:// pages.
            console: stderr
                .lines()
                .filter(|line| line.contains(":CONSOLE") && !line.contains("source: chrome://"))
                .map(str::to_owned)
                .collect(),
            requests: page_requests(&netlog),
        }
    }

    /// Opens `page` (with `fragment`) in a probe page (the report itself
    /// is not changed for the test), `width` wide, and asserts that it made
    /// no request and said nothing on its console: its DOM once its scripts
    /// ran, its charts' sizes and the per-file table's rows after clicking
    /// the headers `clicks`, in turn.
    fn probe(&self, page: &Path, fragment: &str, width: u32, clicks: &[&str]) -> Probe {
        let visit = self.probe_visit(page, fragment, width, clicks);
        visit.assert_clean(page);
        let start = visit.dom.find("<pre id=\"out\">").expect("the probe ran") + 14;
        let end = start + visit.dom[start..].find("</pre>").unwrap();
        let json = unescape(&visit.dom[start..end]);
        let said: Value =
            serde_json::from_str(&json).unwrap_or_else(|e| panic!("probe said {json}: {e}"));
        let strings = |v: &Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_owned())
                .collect()
        };
        Probe {
            dom: said["dom"].as_str().unwrap().to_owned(),
            svgs: said["svgs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|wh| (dp_testkit::number(&wh[0]), dp_testkit::number(&wh[1])))
                .collect(),
            rows: said["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|rows| rows.as_array().unwrap().iter().map(strings).collect())
                .collect(),
            hashes: strings(&said["hashes"]),
        }
    }

    /// The visit of the probe page (beside the browser's profile, not the
    /// page: make clean must find only what dp wrote) that opens `page`.
    fn probe_visit(&self, page: &Path, fragment: &str, width: u32, clicks: &[&str]) -> Visit {
        let probe = self.scratch.path().join("probe.html");
        let clicks = serde_json::to_string(clicks).unwrap();
        let url = format!("file://{}{fragment}", page.display());
        let url = serde_json::to_string(&url).unwrap();
        let html = PROBE.replace("PAGE", &url).replace("CLICKS", &clicks);
        fs::write(&probe, html).unwrap();
        self.visit(&probe, "", (width, 1200), None)
    }
}

impl Visit {
    fn assert_clean(&self, page: &Path) {
        assert!(
            self.console.is_empty(),
            "{} wrote on the console:\n{}",
            page.display(),
            self.console.join("\n")
        );
        assert!(
            self.requests.is_empty(),
            "{} made requests: {:?}",
            page.display(),
            self.requests
        );
    }
}

/// The URLs of the requests a page made, from Chromium's NetLog: every
/// request that reached its network stack, those of the browser itself
/// (updates, its clock) told apart by their initiator, "not an origin".
/// file: loads do not go through it; anything else would.
fn page_requests(netlog: &Path) -> Vec<String> {
    let text = fs::read_to_string(netlog).expect("chromium wrote its NetLog");
    // Chromium may be cut off before it closes the JSON: close it.
    let log: Value = serde_json::from_str(&text)
        .or_else(|_| serde_json::from_str(&format!("{}]}}", text.trim_end().trim_end_matches(','))))
        .expect("the NetLog is JSON");
    let start_job = &log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"];
    log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| &event["type"] == start_job)
        .filter(|event| event["params"]["initiator"] != "not an origin")
        // Its start, not its end (which says only how it ended).
        .filter_map(|event| event["params"]["url"].as_str().map(str::to_owned))
        .collect()
}

/// What the probe page saw.
#[derive(Debug)]
struct Probe {
    /// The page's body once its scripts ran, as the browser serializes it.
    dom: String,
    /// Each chart's rendered width and height, in CSS pixels.
    svgs: Vec<(f64, f64)>,
    /// The per-file table's rows (their cells' text) before any click,
    /// then after each click.
    rows: Vec<Vec<Vec<String>>>,
    /// The page's address fragment after each click.
    hashes: Vec<String>,
}

/// The probe: loads PAGE in a frame, keeps its body's HTML, measures its
/// charts, clicks the headers of CLICKS (the table's `data-key`s) one after
/// the other, and writes what it saw as JSON into its own DOM.
const PROBE: &str = r##"<!DOCTYPE html>
<html><body style="margin:0">
<iframe id="page" style="width:100%;height:1100px;border:0"></iframe>
<pre id="out">pending</pre>
<script>
var frame = document.getElementById("page");
frame.onload = function () {
  var doc = frame.contentDocument, clicks = CLICKS;
  var out = { dom: doc.body.outerHTML, svgs: [], rows: [], hashes: [] };
  doc.querySelectorAll("svg").forEach(function (svg) {
    var box = svg.getBoundingClientRect();
    out.svgs.push([box.width, box.height]);
  });
  function rows() {
    return Array.prototype.map.call(doc.querySelectorAll("#file-table tbody tr"), function (row) {
      return Array.prototype.map.call(row.cells, function (cell) { return cell.textContent; });
    });
  }
  out.rows.push(rows());
  (function next(i) {
    if (i === clicks.length) {
      document.getElementById("out").textContent = JSON.stringify(out);
      return;
    }
    doc.querySelector('th[data-key="' + clicks[i] + '"] a').click();
    setTimeout(function () {
      out.rows.push(rows());
      out.hashes.push(frame.contentWindow.location.hash);
      next(i + 1);
    }, 20);
  })(0);
};
frame.src = PAGE;
</script></body></html>
"##;

/// Text of the DOM as Chromium serializes it (`&`, `<`, `>` escaped).
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// `text` as it appears in a serialized DOM's text.
fn in_dom(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Where a test's screenshots go: DP_SCREENSHOTS, else beside the
/// browser's profile (removed with it).
fn screenshots(browser: &Browser) -> PathBuf {
    match std::env::var_os("DP_SCREENSHOTS") {
        Some(shots) => {
            fs::create_dir_all(&shots).unwrap();
            PathBuf::from(shots)
        }
        None => browser.scratch.path().to_path_buf(),
    }
}

/// The speedup of each run but the baseline, as the page shows it
/// (`4.99x`), from dp-agg's own JSON.
fn speedups(json: &str) -> Vec<String> {
    let comparison = dp_testkit::records(json)
        .into_iter()
        .find(|r| r["type"] == "comparison")
        .expect("a comparison record");
    comparison["runs"].as_array().unwrap()[1..]
        .iter()
        .map(|run| format!("{:.2}x", dp_testkit::number(&run["speedup"])))
        .collect()
}

/// The checks every page passes: clean, its speedups and every file name
/// (the records' paths) in the DOM, `charts` charts of a real size at 1600
/// and 600 px, sorting by a click and by a bookmarked address; screenshots
/// as NAME-FILES-WIDTH.png.
fn check_page(browser: &Browser, page: &Path, records: &str, charts: usize, name: &str) {
    let probe = browser.probe(page, "", 1600, &["elapsed_s", "elapsed_s", "path"]);
    let dom = &probe.dom;
    let json = dp("dp-agg").args(["--format", "json"]).stdin(records).run();
    for speedup in speedups(&json.stdout) {
        assert!(dom.contains(&speedup), "{speedup} not in the page");
    }
    let paths: Vec<String> = dp_testkit::records(records)
        .iter()
        .filter(|r| r["type"] == "stats")
        .map(|r| r["path"].as_str().unwrap().to_owned())
        .collect();
    for path in &paths {
        assert!(
            dom.contains(&format!("<td>{}</td>", in_dom(path))),
            "{path} not in the page"
        );
    }

    assert_eq!(probe.svgs.len(), charts, "{:?}", probe.svgs);
    for (width, height) in &probe.svgs {
        assert!(*width > 800.0 && *height > 300.0, "{:?}", probe.svgs);
    }
    assert_eq!(
        probe.hashes,
        ["#sort=elapsed_s", "#sort=elapsed_s-desc", "#sort=path"]
    );
    let [before, ascending, descending, by_path] = &probe.rows[..] else {
        panic!("{:?}", probe.hashes)
    };
    assert_eq!(before.len(), paths.len());
    let mut sorted = times(before);
    sorted.sort_by(f64::total_cmp);
    assert_eq!(times(ascending), sorted, "sorted by time");
    sorted.reverse();
    assert_eq!(times(descending), sorted, "sorted by time, descending");
    let mut same = ascending.clone();
    same.sort();
    let mut original = before.clone();
    original.sort();
    assert_eq!(same, original, "sorting keeps every row");
    let files: Vec<&str> = by_path.iter().map(|r| r[1].as_str()).collect();
    let mut natural = files.clone();
    natural.sort_by_key(|path| natural_key(path));
    assert_eq!(files, natural, "sorted by path, data2 before data10");
    assert_ne!(by_path, before, "sorting by path reorders the rows");

    // Narrow, and opened on a bookmarked order: the order it opens in.
    let narrow = browser.probe(page, "#sort=elapsed_s-desc", 600, &[]);
    for (width, height) in &narrow.svgs {
        // The window's width but its margins: whole, not cut.
        assert!(
            (500.0..600.0).contains(width) && *height > 250.0,
            "{:?}",
            narrow.svgs
        );
    }
    assert_eq!(
        times(&narrow.rows[0]),
        sorted,
        "opened sorted by time, descending"
    );
    assert!(narrow.dom.contains(r#"aria-sort="descending""#));

    let shots = screenshots(browser);
    for width in [600, 1600] {
        let files = paths
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        let shot = shots.join(format!("{name}-{files}-{width}.png"));
        browser
            .visit(page, "", (width, 4000), Some(&shot))
            .assert_clean(page);
    }
}

/// The per-file table's times, row by row.
fn times(rows: &[Vec<String>]) -> Vec<f64> {
    rows.iter().map(|r| r[8].parse().unwrap()).collect()
}

fn natural_key(path: &str) -> Vec<(String, u64)> {
    let mut key = Vec::new();
    let mut text = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            let mut n = c.to_digit(10).unwrap() as u64;
            while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                n = n * 10 + u64::from(d);
                chars.next();
            }
            key.push((std::mem::take(&mut text), n));
        } else {
            text.push(c);
        }
    }
    key.push((text, 0));
    key
}

/// The records make wrote, as dp-agg read them.
fn results(make: &Make, modes: &[&str]) -> String {
    let mut records = String::new();
    for mode in modes {
        let dir = make.out_dir().join(mode);
        for name in names_in(&dir) {
            if name.ends_with(".stats.json") {
                records += &fs::read_to_string(dir.join(name)).unwrap();
            }
        }
    }
    records
}

#[test]
fn make_compare_saves_a_page_that_works_offline() {
    const TEST: &str = "html::make_compare_saves_a_page_that_works_offline";
    let Some(browser) = Browser::find(TEST) else {
        return;
    };
    let make = Make::new(&["FILES=5", "COUNT=200", "DELAY=0.2"]);
    let stdout = make.ok(&["compare"]);
    let out = make.out_dir();
    let page = out.join("comparison.html");
    assert!(
        stdout.ends_with(&format!(
            "\ncompare: the report with its charts, for a browser: {}\n",
            page.display()
        )),
        "{stdout}"
    );
    let manifest = fs::read_to_string(out.join(".dp-manifest.jsonl")).unwrap();
    assert!(manifest.contains(&page.display().to_string()), "{manifest}");
    let html = fs::read_to_string(&page).unwrap();
    assert!(html.contains("make compare FILES=5 COUNT=200"), "{html}");
    assert!(html.contains("<td>DELAY_MODE</td><td>sleep</td>"));

    check_page(
        &browser,
        &page,
        &results(&make, &["sequential", "parallel"]),
        2,
        "compare",
    );
    let shot = screenshots(&browser).join("compare-5-1280.png");
    browser
        .visit(&page, "", (1280, 1100), Some(&shot))
        .assert_clean(&page);

    make.ok(&["clean"]);
    assert!(!make.data_dir.exists(), "make clean left the page");
}

#[test]
fn make_scaling_saves_its_page_with_the_scaling_chart_and_table() {
    const TEST: &str = "html::make_scaling_saves_its_page_with_the_scaling_chart_and_table";
    let Some(browser) = Browser::find(TEST) else {
        return;
    };
    let make = Make::new(&["FILES=4", "COUNT=100", "DELAY=0.1", "WORKERS=1 2"]);
    let stdout = make.ok(&["scaling"]);
    let page = make.out_dir().join("scaling.html");
    assert!(
        stdout.ends_with(&format!("{}\n", page.display())),
        "{stdout}"
    );
    let probe = browser.probe(&page, "", 1600, &[]);
    assert!(probe.dom.contains("<h2>Scaling: parallel</h2>"), "no table");
    assert!(probe.dom.contains("make scaling FILES=4"), "no command");
    // The scaling chart, the comparison, the timeline.
    assert_eq!(probe.svgs.len(), 3, "{:?}", probe.svgs);
}

#[test]
fn a_thousand_files_with_names_that_need_escaping() {
    const TEST: &str = "html::a_thousand_files_with_names_that_need_escaping";
    let Some(browser) = Browser::find(TEST) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    dp("dp-gen")
        .args(["--files", "999", "--count", "20", "--seed", "7", "--dir"])
        .arg(&data)
        .run()
        .success();
    fs::write(data.join(r#"<b>&"x'.txt"#), "1\n2\n3\n").unwrap();
    let records = runs_over(&data);
    let page = dir.path().join("report.html");
    dp("dp-agg")
        .args(["--format", "html", "--files-limit", "1000", "-o"])
        .arg(&page)
        .stdin(records.clone())
        .run()
        .success();
    let html = fs::read_to_string(&page).unwrap();
    assert!(html.contains("&lt;b&gt;&amp;&quot;x&#39;.txt"));
    assert!(!html.contains("<b>&"), "a name reached the page unescaped");
    check_page(&browser, &page, &records, 2, "files");
}

#[test]
fn ten_thousand_files_fill_the_table_up_to_its_limit_and_say_so() {
    const TEST: &str = "html::ten_thousand_files_fill_the_table_up_to_its_limit_and_say_so";
    let Some(browser) = Browser::find(TEST) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    dp("dp-gen")
        .args(["--files", "10000", "--count", "3", "--dir"])
        .arg(&data)
        .run()
        .success();
    let page = dir.path().join("report.html");
    dp("dp-agg")
        .args(["--format", "html", "--files-limit", "1000", "-o"])
        .arg(&page)
        .stdin(runs_over(&data))
        .run()
        .success();
    let probe = browser.probe(&page, "#sort=mean-desc", 1600, &["count"]);
    for run in ["sequential", "parallel"] {
        let row = format!("<tr><td>{run}</td><td>{}/", data.display());
        assert_eq!(probe.dom.matches(&row).count(), 1000, "rows of {run}");
        assert!(
            probe
                .dom
                .contains(&format!("{run}: 9000 more files not shown")),
            "no note for {run}"
        );
    }
    assert_eq!(probe.svgs.len(), 2);
    assert_eq!(probe.rows[1].len(), 2000);
    let shot = screenshots(&browser).join("files-10000-1600.png");
    browser
        .visit(&page, "", (1600, 3000), Some(&shot))
        .assert_clean(&page);
}

/// The browser checks fail where they should: a page that fetches and
/// logs is caught, opened directly or through the probe, so a clean page
/// is clean for a reason.
#[test]
fn the_checks_catch_a_page_that_fetches_or_logs() {
    const TEST: &str = "html::the_checks_catch_a_page_that_fetches_or_logs";
    let Some(browser) = Browser::find(TEST) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("bad.html");
    fs::write(
        &page,
        r#"<!DOCTYPE html><p>bad</p><img src="http://192.0.2.1/x.png">
<script>console.error("bad page")</script>"#,
    )
    .unwrap();
    for visit in [
        browser.visit(&page, "", (800, 600), None),
        browser.probe_visit(&page, "", 800, &[]),
    ] {
        assert!(
            visit.requests.iter().any(|url| url.contains("192.0.2.1")),
            "{:?}",
            visit.requests
        );
        assert!(
            visit.console.iter().any(|line| line.contains("bad page")),
            "{:?}",
            visit.console
        );
    }
}

/// Two runs over every file of `data`: one at a time and four at once.
fn runs_over(data: &Path) -> String {
    let list: String = names_in(data)
        .iter()
        .filter(|name| name.ends_with(".txt"))
        .map(|name| format!("{}\n", data.join(name).display()))
        .collect();
    let mut records = String::new();
    for (run, jobs) in [("sequential", "1"), ("parallel", "4")] {
        let ran = dp("dp-stats")
            .args(["--run", run, "-j", jobs])
            .stdin(list.clone())
            .run();
        ran.success();
        records += &ran.stdout;
    }
    records
}
