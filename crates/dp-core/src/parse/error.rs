//! What the readers report when a file's values cannot be read, and how a
//! bad token is shown.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io;

/// Why the values of a data file could not be read. `Display` gives the
/// message without the location: callers print `PATH:LINE: message`.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// A token that is not a finite decimal number (token cut to a readable length).
    #[error("'{token}' is not a finite number")]
    Invalid { line: u64, token: String },
    /// A NUL byte, or a token that is not UTF-8: the file is binary, not text.
    #[error("binary data, not text")]
    Binary { line: u64 },
    /// A CSV problem: a missing column, a malformed record.
    #[error("{message}")]
    Csv { line: Option<u64>, message: String },
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl ReadError {
    /// The 1-based line the error is on, where one applies.
    pub fn line(&self) -> Option<u64> {
        match self {
            Self::Invalid { line, .. } | Self::Binary { line } => Some(*line),
            Self::Csv { line, .. } => *line,
            Self::Io(_) => None,
        }
    }

    pub(super) fn invalid(line: u64, token: &[u8]) -> Self {
        Self::Invalid {
            line,
            token: readable_token(token),
        }
    }
}

/// How many characters of a bad token an error message shows.
const TOKEN_DISPLAY_CHARS: usize = 40;

/// A bad token as an error message shows it: at most 40 characters then
/// `…`, invalid UTF-8 replaced by `�`, control characters escaped.
fn readable_token(token: &[u8]) -> String {
    // 4 bytes a character at most: enough bytes for one character more than
    // is shown, so a character cut at the end of the slice is never shown.
    let slice = &token[..token.len().min((TOKEN_DISPLAY_CHARS + 1) * 4)];
    let text: Cow<str> = String::from_utf8_lossy(slice);
    let mut shown = String::with_capacity(TOKEN_DISPLAY_CHARS + 8);
    let mut chars = text.chars();
    for c in chars.by_ref().take(TOKEN_DISPLAY_CHARS) {
        if c.is_control() {
            let _ = write!(shown, "{}", c.escape_default());
        } else {
            shown.push(c);
        }
    }
    if chars.next().is_some() || slice.len() < token.len() {
        shown.push('…');
    }
    shown
}
