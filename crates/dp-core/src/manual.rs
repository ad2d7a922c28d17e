//! Each tool's manual beyond its flags (examples, notes, the records it
//! reads and writes, its exit status), written once: `--help` shows it
//! after the flags, and the man page and shell completions that `make
//! install` installs are generated from the same clap definition by the
//! tool itself, given only `--generate man|bash|zsh|fish` (docs/reference.md,
//! "Install"). Nothing of either is kept by hand.

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use clap_complete::Shell;
use roff::{Roff, bold, roman};

use crate::cli;

/// The record types of docs/reference.md, "Records", and what each is:
/// what a manual's "Records" says.
pub const RECORD_TYPES: &[(&str, &str)] = &[
    ("file", "a data file dp-gen wrote"),
    ("verify", "dp-gen --verify's verdict on one data file"),
    ("stats", "the statistics of one data file"),
    ("error", "a file that failed, in place of its record"),
    ("summary", "one run's overall statistics"),
    ("comparison", "the runs against the baseline"),
    ("scaling", "speedup and efficiency by workers"),
    (
        "written",
        "a file dp wrote, in its directory's manifest (.dp-manifest.jsonl)",
    ),
];

/// What a tool's manual says besides its flags.
pub struct Manual {
    /// The examples, one a line, indented, as `--help` shows them.
    pub examples: &'static str,
    /// Paragraphs after the examples, separated by blank lines; may be empty.
    pub notes: &'static str,
    /// The record types it reads (of [`RECORD_TYPES`]).
    pub reads: &'static [&'static str],
    /// The record types it writes.
    pub writes: &'static [&'static str],
    /// What its exit status means: `0 all went well; 1 ...`.
    pub exit_status: &'static str,
}

impl Manual {
    /// The text `--help` shows after the flags.
    pub fn after_help(&self) -> String {
        let mut text = format!("Examples:\n{}\n", self.examples.trim_end());
        if !self.notes.is_empty() {
            text += &format!("\n{}\n", self.notes.trim_end());
        }
        text += "\nRecords (JSON Lines, one object a line):\n";
        for (verb, types) in [("reads", self.reads), ("writes", self.writes)] {
            for (i, name) in types.iter().enumerate() {
                let verb = if i == 0 { verb } else { "" };
                text += &format!("  {verb:<7} {name:<11} {}\n", describe(name));
            }
            if types.is_empty() {
                text += &format!("  {verb:<7} none\n");
            }
        }
        text += &format!("\nExit status: {}", self.exit_status);
        text
    }

    /// The man page (section 1) of `command`, whose flags clap_mangen
    /// writes, with this manual's sections after them.
    pub fn man_page(&self, command: clap::Command) -> std::io::Result<Vec<u8>> {
        let man = clap_mangen::Man::new(command);
        let mut page = Vec::new();
        man.render_title(&mut page)?;
        man.render_name_section(&mut page)?;
        man.render_synopsis_section(&mut page)?;
        man.render_description_section(&mut page)?;
        man.render_options_section(&mut page)?;

        let mut roff = Roff::new();
        roff.control("SH", ["EXAMPLES"]).control("nf", []);
        for line in self.examples.lines() {
            roff.text([roman(line)]);
        }
        roff.control("fi", []);
        if !self.notes.is_empty() {
            roff.control("SH", ["NOTES"]);
            paragraphs(&mut roff, self.notes);
        }
        roff.control("SH", ["RECORDS"]);
        roff.text([roman(
            "JSON Lines: one object a line, its type in the field \"type\" \
             (docs/reference.md, \"Records\").",
        )]);
        for (verb, types) in [("Reads", self.reads), ("Writes", self.writes)] {
            roff.control("TP", []).text([bold(verb)]);
            if types.is_empty() {
                roff.text([roman("no records")]);
            }
            for (i, name) in types.iter().enumerate() {
                if i > 0 {
                    roff.control("br", []);
                }
                roff.text([bold(*name), roman(format!(": {}", describe(name)))]);
            }
        }
        roff.control("SH", ["EXIT STATUS"]);
        paragraphs(&mut roff, self.exit_status);
        roff.to_writer(&mut page)?;

        man.render_version_section(&mut page)?;
        Ok(page)
    }
}

/// What a record type is, from [`RECORD_TYPES`].
fn describe(name: &str) -> &'static str {
    RECORD_TYPES
        .iter()
        .find(|(known, _)| *known == name)
        .map_or("", |(_, what)| *what)
}

/// Text of paragraphs separated by blank lines, each filled by the reader.
fn paragraphs(roff: &mut Roff, text: &str) {
    for (i, paragraph) in text.split("\n\n").enumerate() {
        if i > 0 {
            roff.control("PP", []);
        }
        let words: Vec<&str> = paragraph.split_whitespace().collect();
        roff.text([roman(words.join(" "))]);
    }
}

/// A tool's `main`: parses the command line as `A` and runs `run` in the
/// process envelope ([`cli::main`]); or, given only `--generate WHAT`
/// (hidden: what `make install` calls), writes A's man page (`man`) or
/// completion script (`bash`, `zsh`, `fish`) on stdout instead.
pub fn main<A: Parser>(
    name: &'static str,
    manual: &Manual,
    run: impl FnOnce(A) -> anyhow::Result<()>,
) -> ExitCode {
    let argv: Vec<OsString> = std::env::args_os().collect();
    if let [_, flag, what] = argv.as_slice()
        && flag == "--generate"
    {
        return cli::main(name, || generate(name, A::command(), manual, what));
    }
    let args = A::parse();
    cli::main(name, || run(args))
}

fn generate(
    name: &str,
    mut command: clap::Command,
    manual: &Manual,
    what: &OsString,
) -> anyhow::Result<()> {
    let mut out = Vec::new();
    match what.to_str() {
        Some("man") => out = manual.man_page(command)?,
        Some("bash") => clap_complete::generate(Shell::Bash, &mut command, name, &mut out),
        Some("zsh") => clap_complete::generate(Shell::Zsh, &mut command, name, &mut out),
        Some("fish") => clap_complete::generate(Shell::Fish, &mut command, name, &mut out),
        _ => {
            return Err(cli::usage(format!(
                "--generate takes man, bash, zsh or fish, not '{}'",
                what.to_string_lossy()
            )));
        }
    }
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&out)
        .and_then(|()| stdout.flush())
        .context("cannot write to stdout")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Record;

    /// Each listed type is one `Record` knows (not skipped as unknown).
    #[test]
    fn the_record_types_are_the_records() {
        for (name, _) in RECORD_TYPES {
            let parsed = serde_json::from_str::<Record>(&format!(r#"{{"type":"{name}"}}"#));
            assert!(
                !matches!(parsed, Ok(Record::Unknown)),
                "{name} is no record type"
            );
        }
    }

    #[test]
    fn help_lists_the_records_and_ends_with_the_exit_status() {
        let manual = Manual {
            examples: "  dp-x a   b",
            notes: "",
            reads: &["stats", "error"],
            writes: &[],
            exit_status: "0 fine.",
        };
        let help = manual.after_help();
        assert!(
            help.starts_with("Examples:\n  dp-x a   b\n\nRecords"),
            "{help}"
        );
        assert!(
            help.contains("  reads   stats       the statistics of one data file\n"),
            "{help}"
        );
        assert!(
            help.contains("          error       a file that failed"),
            "{help}"
        );
        assert!(help.contains("  writes  none\n"), "{help}");
        assert!(help.ends_with("\n\nExit status: 0 fine."), "{help}");
    }
}
