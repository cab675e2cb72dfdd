//! `handoff completions SHELL` and `handoff man`: shell completion scripts and the man page,
//! generated from the same clap definitions as `--help`.

use std::io::Write;

use clap::{Args as ClapArgs, CommandFactory};
use clap_complete::Shell;

use crate::exit::{CommandResult, Exit};

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// bash, zsh, fish, elvish or powershell. Load it from your shell's start-up file, e.g.
    /// `source <(handoff completions bash)`.
    pub shell: Shell,
}

#[derive(Debug, ClapArgs)]
pub struct ManArgs {}

pub fn run(args: Args, out: &mut dyn Write) -> CommandResult {
    let mut cli = crate::Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cli, "handoff", &mut buf);
    out.write_all(&buf)?;
    Ok(Exit::Clean)
}

/// The man page (roff), e.g. `handoff man > handoff.1; man -l handoff.1`.
pub fn man(_: ManArgs, out: &mut dyn Write) -> CommandResult {
    let mut buf = Vec::new();
    clap_mangen::Man::new(crate::Cli::command()).render(&mut buf)?;
    out.write_all(&buf)?;
    Ok(Exit::Clean)
}
