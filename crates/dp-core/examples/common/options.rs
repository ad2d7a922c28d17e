//! The numeric options of the throughput examples: `--name N` each.

/// Sets each of `options` (its flag without the dashes, and its value)
/// from the command line.
pub fn read_numbers(options: &mut [(&str, &mut usize)]) -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let number: usize = args
            .next()
            .ok_or_else(|| anyhow::anyhow!("{arg} needs a number"))?
            .parse()?;
        let (_, value) = options
            .iter_mut()
            .find(|(name, _)| arg.strip_prefix("--") == Some(*name))
            .ok_or_else(|| anyhow::anyhow!("unknown option {arg}"))?;
        **value = number;
    }
    Ok(())
}
