//! The `handoff` binary: parse arguments, run the command, exit with its code.
use std::process::ExitCode;

fn main() -> ExitCode {
    handoff::cli::main()
}

// A faster allocator: validate allocates many small values on two threads (see docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
