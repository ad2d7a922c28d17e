//! Parsing a record, a `stats` record by hand when it is written as
//! dp-stats writes it ([`written`]): serde_json, even with the digest's
//! points read by hand, took 7% more instructions over 20,000 records (the
//! copy of the line without them, its struct walk, its strings). Anything
//! else, or anything unusual (a key written otherwise, whitespace, an
//! escape, a number serde_json might read otherwise), takes the plain path,
//! [`parse_record`], on the line as it was: the same record, or the same
//! error, as before (`records/mutations.rs` checks it on mutated records).

#[cfg(test)]
mod mutations;
mod number;
mod written;

use dp_core::io::parse_record;
use dp_core::record::Record;

/// Parses one line as a record ([`parse_record`]), a `stats` record faster.
pub fn parse(line: &[u8]) -> Result<Record, String> {
    if let Some(stats) = written::stats(line) {
        return Ok(Record::Stats(stats));
    }
    parse_record(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_the_plain_parser_s() {
        let stats = r#"{"type":"stats","path":"a.txt","run":null,"count":3,"sum":6.0,"min":1.0,"max":3.0,"mean":2.0,"median":2.0,"q1":1.5,"q3":2.5,"variance":1.0,"stddev":1.0,"started_at":1.0,"finished_at":2.0,"elapsed_s":1.0,"delay_s":0.0,"host":"h","pid":1,"digest":{"kind":"quantiles","version":1,"count":3,"rank_err":0,"q":[1.0, 2.0,3.0]}}"#;
        let variants = [
            stats.to_owned(),
            // Points serde_json reads otherwise, or that are not the digest's.
            stats.replace("[1.0, 2.0,3.0]", "[1, 2.0, 3.0]"),
            stats.replace("[1.0, 2.0,3.0]", "[1.0, 2.0, 3.0e0]"),
            stats.replace(r#""pid":1,"#, r#""pid":1,"q":[7.0],"#),
            stats.replace(r#""q":[1.0, 2.0,3.0]"#, r#""q" : [1.0,2.0,3.0]"#),
            // Broken records: the same error.
            stats.replace("[1.0, 2.0,3.0]", "[1.0, 2.0,]"),
            stats.replace(r#""pid":1,"#, r#""pid":"one","#),
            stats.replace(r#""rank_err":0,"#, ""),
        ];
        // Points that serde_json reads alike take the short path.
        let short: Vec<bool> = variants
            .iter()
            .map(|line| written::stats(line.as_bytes()).is_some())
            .collect();
        assert_eq!(
            short,
            [true, false, true, false, false, false, false, false]
        );
        for line in variants {
            assert_eq!(
                parse(line.as_bytes()),
                parse_record(line.as_bytes()),
                "{line}"
            );
        }
    }
}
