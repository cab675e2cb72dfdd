//! `handoff tap` (being built).
#![allow(unused)]
use std::io::Write;
use std::path::Path;

use crate::cli::{CommandResult, Failure};

pub fn run<A>(
    _registry: &Path,
    _args: A,
    _out: &mut dyn Write,
    _err: &mut dyn Write,
) -> CommandResult {
    Err(Failure::tool("`tap` is not available in this build yet"))
}
