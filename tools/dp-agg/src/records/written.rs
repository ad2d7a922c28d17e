//! A `stats` record read by hand, as dp-stats writes it: its keys in the
//! order of [`StatsRecord`]'s fields (the optional ones may be absent), no
//! whitespace, strings without escapes, numbers as [`super::number`] reads
//! them. Anything else is `None`, for the plain parser to read.
//!
//! Each key is matched once and in order, so none is unknown, missing or
//! repeated; each value is read as serde_json reads it into its field. The
//! record is then the one serde_json would give.

use dp_core::digest::Digest;
use dp_core::record::StatsRecord;

use super::number;

/// How a record as dp-stats writes it begins; every key after it follows a
/// comma.
pub(super) const START: &[u8] = br#"{"type":"stats""#;

/// The record of `line`, if it is written as dp-stats writes it.
pub(super) fn stats(line: &[u8]) -> Option<Box<StatsRecord>> {
    let mut at = Cursor {
        line,
        at: START.len(),
    };
    if !line.starts_with(START) {
        return None;
    }
    let stats = StatsRecord {
        path: at.required("path", Cursor::string)?.to_owned(),
        run: at
            .required("run", |at| at.null_or(Cursor::string))?
            .map(Into::into),
        count: at.required("count", Cursor::unsigned)?,
        invalid: at
            .optional("invalid", Cursor::unsigned)?
            .unwrap_or_default(),
        sum: at.required("sum", |at| at.null_or(Cursor::decimal))?,
        min: at.required("min", |at| at.null_or(Cursor::decimal))?,
        max: at.required("max", |at| at.null_or(Cursor::decimal))?,
        mean: at.required("mean", |at| at.null_or(Cursor::decimal))?,
        median: at.required("median", |at| at.null_or(Cursor::decimal))?,
        q1: at.required("q1", |at| at.null_or(Cursor::decimal))?,
        q3: at.required("q3", |at| at.null_or(Cursor::decimal))?,
        variance: at.required("variance", |at| at.null_or(Cursor::decimal))?,
        stddev: at.required("stddev", |at| at.null_or(Cursor::decimal))?,
        percentiles: at
            .optional("percentiles", |at| {
                at.list(|at| {
                    at.eat(b"[")?;
                    let p = at.decimal()?;
                    at.eat(b",")?;
                    let value = at.decimal()?;
                    at.eat(b"]")?;
                    Some((p, value))
                })
            })?
            .unwrap_or_default(),
        started_at: at.required("started_at", Cursor::decimal)?,
        finished_at: at.required("finished_at", Cursor::decimal)?,
        elapsed_s: at.required("elapsed_s", Cursor::decimal)?,
        delay_s: at.required("delay_s", Cursor::decimal)?,
        host: at.required("host", Cursor::string)?.to_owned(),
        pid: at.required("pid", Cursor::small)?,
        digest: at.required("digest", Cursor::digest)?,
        notes: at
            .optional("notes", |at| at.list(|at| at.string().map(Into::into)))?
            .unwrap_or_default(),
        checksum: at.nullable("checksum", Cursor::string)?.map(Into::into),
        cpu_s: at.nullable("cpu_s", Cursor::decimal)?,
        max_rss_kib: at.nullable("max_rss_kib", Cursor::unsigned)?,
        workers: at.nullable("workers", Cursor::unsigned)?,
        repeat: at.nullable("repeat", Cursor::unsigned)?,
        passes: at.nullable("passes", Cursor::small)?,
    };
    at.eat(b"}")?;
    (at.at == line.len()).then(|| Box::new(stats))
}

/// Where the reading of a line is.
struct Cursor<'a> {
    line: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a [u8] {
        &self.line[self.at..]
    }

    /// Steps over `bytes` if they come next.
    fn eat(&mut self, bytes: &[u8]) -> Option<()> {
        self.rest()
            .starts_with(bytes)
            .then(|| self.at += bytes.len())
    }

    /// Steps over `,"key":` if it comes next. Inlined, so that each key's
    /// comparison is of a known length, not a call to memcmp.
    #[inline(always)]
    fn key(&mut self, key: &str) -> bool {
        let found = self
            .rest()
            .strip_prefix(b",\"")
            .and_then(|rest| rest.strip_prefix(key.as_bytes()))
            .is_some_and(|rest| rest.starts_with(b"\":"));
        if found {
            self.at += key.len() + 4;
        }
        found
    }

    /// The value of `key`, which must come next.
    #[inline(always)]
    fn required<T>(&mut self, key: &str, value: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        if !self.key(key) {
            return None;
        }
        value(self)
    }

    /// `Some(None)` when `key` does not come next (serde's default), `None`
    /// when its value is not one this reader takes.
    #[inline(always)]
    fn optional<T>(
        &mut self,
        key: &str,
        value: impl FnOnce(&mut Self) -> Option<T>,
    ) -> Option<Option<T>> {
        if !self.key(key) {
            return Some(None);
        }
        value(self).map(Some)
    }

    fn null_or<T>(&mut self, value: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.eat(b"null").is_some() {
            return Some(None);
        }
        value(self).map(Some)
    }

    /// An [`optional`](Self::optional) key whose value may be `null`:
    /// `Some(None)` for either, as serde reads an `Option` field.
    fn nullable<T>(
        &mut self,
        key: &str,
        value: impl FnOnce(&mut Self) -> Option<T>,
    ) -> Option<Option<T>> {
        Some(self.optional(key, |at| at.null_or(value))?.flatten())
    }

    /// A string without escapes or control characters, valid UTF-8: what
    /// serde_json takes as it is.
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b"\"")?;
        let rest = self.rest();
        let end = memchr::memchr(b'"', rest)?;
        let text = &rest[..end];
        if text.iter().any(|&byte| byte == b'\\' || byte < 0x20) {
            return None;
        }
        self.at += end + 1;
        std::str::from_utf8(text).ok()
    }

    /// The number that comes next, up to the byte that ends a value.
    fn token(&mut self) -> &'a [u8] {
        let rest = self.rest();
        let end = rest
            .iter()
            .position(|&byte| matches!(byte, b',' | b'}' | b']'))
            .unwrap_or(rest.len());
        self.at += end;
        &rest[..end]
    }

    fn unsigned(&mut self) -> Option<u64> {
        number::unsigned(self.token())
    }

    /// A `u32` (a pid, a version, passes).
    fn small(&mut self) -> Option<u32> {
        u32::try_from(self.unsigned()?).ok()
    }

    fn decimal(&mut self) -> Option<f64> {
        // The commonest read where it starts, without looking for its end.
        let rest = self.rest();
        if let Some((value, used)) = number::short_decimal(rest)
            && matches!(rest.get(used), None | Some(b',' | b'}' | b']'))
        {
            self.at += used;
            return Some(value);
        }
        number::decimal(self.token())
    }

    /// `[item,item,...]`, or `[]`.
    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.eat(b"[")?;
        let mut items = Vec::new();
        if self.eat(b"]").is_some() {
            return Some(items);
        }
        loop {
            items.push(item(self)?);
            if self.eat(b"]").is_some() {
                return Some(items);
            }
            self.eat(b",")?;
        }
    }

    /// `{"kind":…,"version":…,"count":…,"rank_err":…,"q":[…]}`, its points
    /// found by the array's end (a number holds no `]`).
    fn digest(&mut self) -> Option<Digest> {
        self.eat(br#"{"kind":"#)?;
        let kind = self.string()?.to_owned();
        let version = self.required("version", Cursor::small)?;
        let count = self.required("count", Cursor::unsigned)?;
        let rank_err = self.required("rank_err", Cursor::unsigned)?;
        if !self.key("q") {
            return None;
        }
        self.eat(b"[")?;
        let rest = self.rest();
        let end = memchr::memchr(b']', rest)?;
        let q = number::points(&rest[..end])?;
        self.at += end + 1;
        self.eat(b"}")?;
        Some(Digest {
            kind,
            version,
            count,
            rank_err,
            q,
        })
    }
}
