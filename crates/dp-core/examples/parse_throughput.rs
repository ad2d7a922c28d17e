//! Measures the number parser: throughput of `read_values` on a data file
//! beside `wc -l` and two in-process references, and a check of
//! `parse_value` against std's parser on many random tokens.
//!
//! ```text
//! cargo run --release -p dp-core --example parse_throughput -- [FILE] [--lines N] [--runs N] [--only I]
//! cargo run --release -p dp-core --example parse_throughput -- --verify MILLIONS
//! ```
//!
//! FILE (default `/tmp/dp-parse-bench.txt`) is created if missing: N lines
//! (10 million) of `%.6f` values. Each approach runs `--runs` times (5),
//! interleaved so that machine noise hits them alike; the best and median
//! MB/s are printed. `--only I` runs the I-th approach alone (0 to 3), for
//! `perf stat`.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use dp_core::parse::{parse_value, read_values};
use dp_core::splitmix::SplitMix64;

fn main() -> anyhow::Result<()> {
    let mut path = PathBuf::from("/tmp/dp-parse-bench.txt");
    let mut lines: u64 = 10_000_000;
    let mut runs = 5;
    let mut verify = None;
    let mut only = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = || -> anyhow::Result<u64> {
            let value = args
                .next()
                .ok_or_else(|| anyhow::anyhow!("{arg} needs a number"))?;
            Ok(value.parse()?)
        };
        match arg.as_str() {
            "--lines" => lines = number()?,
            "--runs" => runs = number()?,
            "--verify" => verify = Some(number()?),
            "--only" => only = Some(number()? as usize),
            _ => path = PathBuf::from(arg),
        }
    }
    let mut out = io::stdout().lock();
    if let Some(millions) = verify {
        return verify_against_std(millions * 1_000_000, &mut out);
    }
    if !path.exists() {
        writeln!(out, "writing {lines} lines to {}", path.display())?;
        write_fixed_decimals(&path, lines)?;
    }
    compare(&path, runs, only, &mut out)
}

/// Reads the file with each approach `runs` times (or only the `only`-th)
/// and prints their rates.
fn compare(
    path: &Path,
    runs: u64,
    only: Option<usize>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let bytes = std::fs::metadata(path)?.len();
    writeln!(out, "{}: {:.1} MB", path.display(), bytes as f64 / 1e6)?;
    type Approach = fn(&Path) -> anyhow::Result<u64>;
    let approaches: [(&str, Approach); 4] = [
        ("wc -l (process)", wc_lines),
        ("chunks + memchr, no parse", count_newlines),
        ("chunks + str::parse", std_parse),
        ("dp_core::parse::read_values", dp_read_values),
    ];
    let mut times = vec![Vec::new(); approaches.len()];
    let mut counts = vec![0; approaches.len()];
    for _ in 0..runs {
        for (i, (_, approach)) in approaches.iter().enumerate() {
            if only.is_some_and(|only| only != i) {
                continue;
            }
            let start = Instant::now();
            counts[i] = approach(path)?;
            times[i].push(start.elapsed());
        }
    }
    writeln!(
        out,
        "{:<30} {:>10} {:>10} {:>12}",
        "approach", "best MB/s", "median", "count"
    )?;
    for (i, (name, _)) in approaches.iter().enumerate() {
        if times[i].is_empty() {
            continue;
        }
        times[i].sort();
        let rate = |t: Duration| bytes as f64 / 1e6 / t.as_secs_f64();
        writeln!(
            out,
            "{name:<30} {:>10.0} {:>10.0} {:>12}",
            rate(times[i][0]),
            rate(times[i][times[i].len() / 2]),
            counts[i]
        )?;
    }
    if only.is_none() {
        let median = |t: &[Duration]| t[t.len() / 2].as_secs_f64();
        let (std, dp) = (median(&times[2]), median(&times[3]));
        writeln!(
            out,
            "read_values: {:.2}x as fast as chunks + str::parse (medians)",
            std / dp
        )?;
    }
    Ok(())
}

/// `%.6f` values between -1000 and 1000, as dp-gen writes them.
fn write_fixed_decimals(path: &Path, lines: u64) -> io::Result<()> {
    let mut random = SplitMix64(42);
    let mut out = io::BufWriter::new(File::create(path)?);
    for _ in 0..lines {
        let unit = random.next_f64();
        writeln!(out, "{:.6}", unit * 2000.0 - 1000.0)?;
    }
    out.flush()
}

fn wc_lines(path: &Path) -> anyhow::Result<u64> {
    let output = Command::new("wc")
        .arg("-l")
        .stdin(File::open(path)?)
        .stderr(Stdio::inherit())
        .output()?;
    Ok(String::from_utf8(output.stdout)?.trim().parse()?)
}

const CHUNK: usize = 1 << 20;

/// The floor: reading the file and finding its lines.
fn count_newlines(path: &Path) -> anyhow::Result<u64> {
    let mut file = File::open(path)?;
    let mut buf = vec![0u8; CHUNK];
    let mut lines = 0;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(lines);
        }
        lines += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
    }
}

/// The obvious fast version with std's parser: whole lines per chunk,
/// UTF-8 checked once a chunk, `str::parse` per line.
fn std_parse(path: &Path) -> anyhow::Result<u64> {
    let mut file = File::open(path)?;
    let mut buf = vec![0u8; CHUNK];
    let mut values: Vec<f64> = Vec::new();
    let mut kept = 0;
    loop {
        let n = file.read(&mut buf[kept..])?;
        let filled = kept + n;
        let end = if n == 0 {
            filled
        } else {
            memchr::memrchr(b'\n', &buf[..filled]).map_or(0, |i| i + 1)
        };
        for line in std::str::from_utf8(&buf[..end])?.lines() {
            let line = line.trim();
            if !line.is_empty() {
                values.push(line.parse()?);
            }
        }
        if n == 0 {
            return Ok(values.len() as u64);
        }
        buf.copy_within(end..filled, 0);
        kept = filled - end;
    }
}

fn dp_read_values(path: &Path) -> anyhow::Result<u64> {
    let mut values = Vec::new();
    read_values(File::open(path)?, &mut values, false)?;
    Ok(values.len() as u64)
}

/// Compares `parse_value` with `str::parse::<f64>` bit for bit on `count`
/// random tokens of several kinds.
fn verify_against_std(count: u64, out: &mut impl Write) -> anyhow::Result<()> {
    let mut random = SplitMix64(7);
    let mut token = String::new();
    let mut fast = 0u64;
    let start = Instant::now();
    for n in 0..count {
        token.clear();
        let value = f64::from_bits(random.next_u64());
        let scaled = (random.next_u64() >> 11) as f64 / 1e6 - 4e9;
        use std::fmt::Write as _;
        match n % 4 {
            // Shortest round-trip form: often 17 significant digits.
            0 if value.is_finite() => write!(token, "{value}")?,
            1 if value.is_finite() => write!(token, "{value:e}")?,
            2 => write!(token, "{scaled:.6}")?,
            _ => {
                // Random digit strings with random exponents.
                for _ in 0..1 + random.below(25) {
                    token.push(char::from(b'0' + random.below(10) as u8));
                }
                let dot = random.below(token.len() as u64 + 1) as usize;
                token.insert(dot, '.');
                write!(token, "e{}", random.below(700))?;
                if random.next_u64().is_multiple_of(2) {
                    let at = token.find('e').map_or(0, |i| i + 1);
                    token.insert(at, '-');
                }
            }
        }
        let expected = token.parse::<f64>().ok().filter(|v| v.is_finite());
        let got = parse_value(token.as_bytes());
        if got.map(f64::to_bits) != expected.map(f64::to_bits) {
            anyhow::bail!("{token:?}: std gives {expected:?}, parse_value {got:?}");
        }
        fast += u64::from(token.len() <= 20);
    }
    writeln!(
        out,
        "{count} tokens identical to std ({fast} of 20 bytes or less) in {:.1}s",
        start.elapsed().as_secs_f64()
    )?;
    Ok(())
}
