//! Finding several order statistics at once, without sorting.

/// Moves the value of every rank in `ranks` (sorted, distinct, absolute
/// ranks within `offset..offset + values.len()`) to its sorted position.
///
/// Selecting the middle wanted rank splits the slice into two sides that
/// each hold half of the remaining ranks: O(n log k) for k ranks, where k
/// separate selections would cost O(n·k) and a sort O(n log n).
pub(super) fn select_ranks(values: &mut [f64], ranks: &[usize], offset: usize) {
    if ranks.is_empty() {
        return;
    }
    // When most positions are wanted, sorting is the cheaper selection.
    if values.len() <= 2 * ranks.len() {
        values.sort_unstable_by(f64::total_cmp);
        return;
    }
    let middle = ranks.len() / 2;
    let pivot = ranks[middle] - offset;
    let (below, _, above) = values.select_nth_unstable_by(pivot, f64::total_cmp);
    select_ranks(below, &ranks[..middle], offset);
    select_ranks(above, &ranks[middle + 1..], offset + pivot + 1);
}
