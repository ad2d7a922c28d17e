//! Reading numbers from data files: whitespace-separated decimal values, or
//! one column of a CSV file (docs/reference.md, "Values and statistics").
//!
//! One idea a file: `number` is the grammar of one value and its correctly
//! rounded conversion, `text` the reader of whitespace-separated text,
//! `column` the reader of one CSV column, `blocks` the text cut into
//! blocks parsed on every core, `error` what they report.

mod blocks;
mod column;
mod error;
mod number;
mod text;

pub use blocks::{BLOCK_SIZE, BLOCK_SIZE_ENV, BlocksRead, block_size, read_values_in_blocks};
pub use column::{Column, read_csv_column};
pub use error::ReadError;
pub use number::{POWERS_OF_TEN, POWERS_OF_TEN_U64, leading_digits, parse_value};
pub use text::read_values;
