//! `make install` and `make uninstall` (docs/reference.md, "Install"): the
//! tools, their man pages and completions where man and the shells look,
//! generated from the definitions `--help` shows, and removed again to the
//! last file, leaving the directories that were there before.

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use dp_testkit::{Make, Ran, dp, installed, skip};

const TOOLS: [&str; 4] = ["dp-gen", "dp-stats", "dp-agg", "dp-plot"];

/// Every path under `root`, relative to it, directories with a `/` at the end.
fn tree(root: &Path) -> BTreeSet<String> {
    fn walk(root: &Path, dir: &Path, found: &mut BTreeSet<String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.strip_prefix(root).unwrap().display().to_string();
            if path.is_dir() {
                found.insert(format!("{name}/"));
                walk(root, &path, found);
            } else {
                found.insert(name);
            }
        }
    }
    let mut found = BTreeSet::new();
    walk(root, root, &mut found);
    found
}

fn run(what: &str, program: &str, args: &[&str]) -> Ran {
    let mut command = Command::new(program);
    command.args(args);
    Ran::of(what, command)
}

#[test]
fn install_puts_everything_where_it_is_looked_for_and_uninstall_removes_exactly_that() {
    let make = Make::new(&[]);
    let stage = make.scratch().join("stage");
    // Directories and a file that were there before: they stay.
    let man1 = stage.join("usr/share/man/man1");
    fs::create_dir_all(&man1).unwrap();
    fs::write(man1.join("other.1"), ".TH OTHER 1\n").unwrap();
    fs::create_dir_all(stage.join("usr/bin")).unwrap();
    let before = tree(&stage);

    let destdir = format!("DESTDIR={}", stage.display());
    make.ok(&["install", &destdir, "prefix=/usr"]);
    let at = |path: &str| -> PathBuf { stage.join(path) };
    for tool in TOOLS {
        let bin = at(&format!("usr/bin/{tool}"));
        assert_eq!(
            fs::metadata(&bin).unwrap().permissions().mode() & 0o777,
            0o755
        );
        for path in [
            format!("usr/share/man/man1/{tool}.1"),
            format!("usr/share/bash-completion/completions/{tool}"),
            format!("usr/share/zsh/site-functions/_{tool}"),
            format!("usr/share/fish/vendor_completions.d/{tool}.fish"),
        ] {
            assert!(at(&path).is_file(), "{path} is not installed");
        }
    }
    assert!(at("usr/share/dp/installed").is_file());

    let man_dir = at("usr/share/man");
    if installed("man") {
        let page = run(
            "man dp-stats",
            "man",
            &["-M", &man_dir.to_string_lossy(), "dp-stats"],
        );
        page.success()
            .stdout_has("dp-stats")
            .stdout_has("SYNOPSIS")
            .stdout_has("EXAMPLES")
            .stdout_has("RECORDS")
            .stdout_has("EXIT STATUS");
    } else {
        skip(
            "install::install_puts_everything_where_it_is_looked_for_and_uninstall_removes_exactly_that",
            "no man (man-db): the man page is not read back",
        );
    }
    let bash_completion = at("usr/share/bash-completion/completions/dp-stats");
    let script = format!(
        "source '{}' && complete -p dp-stats",
        bash_completion.display()
    );
    run("bash: complete -p dp-stats", "bash", &["-c", &script])
        .success()
        .stdout_has("dp-stats");
    for (shell, path) in [
        ("zsh", "usr/share/zsh/site-functions/_dp-stats"),
        ("fish", "usr/share/fish/vendor_completions.d/dp-stats.fish"),
    ] {
        if installed(shell) {
            let path = at(path).display().to_string();
            run(&format!("{shell} -n {path}"), shell, &["-n", &path]).success();
        } else {
            skip(
                "install::install_puts_everything_where_it_is_looked_for_and_uninstall_removes_exactly_that",
                &format!("no {shell}: its completions are not parsed"),
            );
        }
    }

    // Again over itself: the list still names the directories the first made.
    make.ok(&["install", &destdir, "prefix=/usr"]);
    make.ok(&["uninstall", &destdir, "prefix=/usr"]);
    assert_eq!(tree(&stage), before, "what uninstall left");
    make.run(&["uninstall", &destdir, "prefix=/usr"])
        .success()
        .stderr_has("nothing dp installed there");
}

#[test]
fn install_follows_gnus_directory_variables() {
    let make = Make::new(&[]);
    let stage = make.scratch().join("stage");
    let destdir = format!("DESTDIR={}", stage.display());
    let vars = [
        destdir.as_str(),
        "prefix=/opt/dp",
        "bindir=/opt/tools",
        "mandir=/opt/manuals",
        "datarootdir=/opt/data",
    ];
    make.ok(&[&["install"], &vars[..]].concat());
    for path in [
        "opt/tools/dp-stats",
        "opt/manuals/man1/dp-stats.1",
        "opt/data/bash-completion/completions/dp-stats",
        "opt/data/dp/installed",
    ] {
        assert!(stage.join(path).is_file(), "{path} is not installed");
    }
    make.ok(&[&["uninstall"], &vars[..]].concat());
    assert_eq!(tree(&stage), BTreeSet::new(), "what uninstall left");
}

/// The long flags in a help text: `--word` at the start of an option's line.
fn long_flags(help: &str) -> BTreeSet<String> {
    help.lines()
        .map(str::trim_start)
        .filter(|line| line.starts_with('-'))
        .flat_map(|line| line.split([' ', ',', '=', '[', '<']))
        .filter(|word| word.starts_with("--") && word.len() > 2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_flag_and_example_of_help_is_in_the_man_page() {
    for tool in TOOLS {
        let help = dp(tool).args(["--help"]).run();
        help.success();
        let flags = long_flags(&help.stdout);
        assert!(
            flags.contains("--help") && flags.len() > 3,
            "{tool}: {flags:?}"
        );
        let man = dp(tool).args(["--generate", "man"]).run();
        man.success();
        // roff writes a `-` as `\-`.
        let page = man.stdout.replace("\\-", "-");
        for flag in &flags {
            assert!(
                page.contains(flag.as_str()),
                "{tool}'s man page lacks {flag}"
            );
        }
        let example = help
            .stdout
            .lines()
            .skip_while(|line| *line != "Examples:")
            .nth(1)
            .unwrap_or_else(|| panic!("{tool} --help has no example"));
        assert!(
            page.contains(example),
            "{tool}'s man page lacks {example:?}"
        );
        for section in ["EXAMPLES", "RECORDS", "EXIT STATUS"] {
            assert!(
                page.contains(&format!(".SH \"{section}\""))
                    || page.contains(&format!(".SH {section}")),
                "{tool}: no {section}"
            );
        }
    }
    dp("dp-stats")
        .args(["--generate", "csh"])
        .run()
        .code_is(2)
        .stderr_has("--generate takes man, bash, zsh or fish");
}
