//! File names as people see them: in diagnostics and in text tables a name
//! is shown with its control characters escaped (`a\nb.txt`, `\u{1b}[31m`),
//! so a newline in a name cannot split a message into two plausible lines
//! and an escape sequence never reaches the terminal. Records keep names
//! as they are: JSON escapes them itself.

use std::borrow::Cow;

/// `name` with every control character (C0, DEL, C1) escaped as Rust
/// escapes it (`\n`, `\t`, `\u{1b}`); unchanged, and not copied, when it has
/// none.
pub fn shown(name: &str) -> Cow<'_, str> {
    if !name.chars().any(char::is_control) {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() + 8);
    for c in name.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` without C0 control characters (but tab, which becomes a space):
/// for chart text, where XML 1.0 allows none of them.
pub fn without_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_ascii_control()) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter_map(|c| match c {
                '\t' => Some(' '),
                c if c.is_ascii_control() => None,
                c => Some(c),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_the_rest_kept() {
        assert_eq!(shown("data1.txt"), "data1.txt");
        assert!(matches!(shown("données é.txt"), Cow::Borrowed(_)));
        assert_eq!(shown("a\nb.txt"), "a\\nb.txt");
        assert_eq!(shown("e\u{1b}[31mred"), "e\\u{1b}[31mred");
        assert_eq!(shown("tab\there\r"), "tab\\there\\r");
        assert_eq!(shown("c1\u{85}"), "c1\\u{85}");
    }

    #[test]
    fn chart_text_loses_its_controls() {
        assert_eq!(without_controls("run\u{7}1\tx"), "run1 x");
        assert_eq!(without_controls("plain"), "plain");
    }
}
