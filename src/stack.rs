//! Room for deep recursion. The CEL parser (ANTLR-generated) recurses deeply per nesting level:
//! a hundred nested parentheses overflow an 8 MiB stack in a debug build before its own depth
//! limit answers. Code that may parse a rule runs on a thread with [`DEEP_STACK`]: one rule on
//! a thread of its own ([`run_deep`], `rule::analyze`), many definition files on a pool of such
//! threads ([`deep_pool`], `validate`).

/// The stack of a thread that may parse CEL; it is reserved, not committed, until used.
pub const DEEP_STACK: usize = 64 * 1024 * 1024;

/// Runs `f` on a new thread named `name` with [`DEEP_STACK`] and waits for it: `Err` if it
/// panicked, `None` if no thread could be started.
pub fn run_deep<T: Send>(
    name: &str,
    f: impl FnOnce() -> T + Send,
) -> Option<std::thread::Result<T>> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name(name.to_string())
            .stack_size(DEEP_STACK)
            .spawn_scoped(scope, f)
            .ok()
            .map(|handle| handle.join())
    })
}

/// A rayon pool whose workers have [`DEEP_STACK`], if one can be built.
pub fn deep_pool() -> Option<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .stack_size(DEEP_STACK)
        .build()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_threads_run_and_report_panics() {
        let here = 41;
        assert_eq!(run_deep("t", || here + 1).map(Result::ok), Some(Some(42)));
        let panicked = run_deep("t", || -> u8 { panic!("boom") });
        assert!(matches!(panicked, Some(Err(_))));
        assert_eq!(deep_pool().map(|p| p.install(|| 7)), Some(7));
    }
}
