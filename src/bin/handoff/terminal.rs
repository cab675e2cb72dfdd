//! Terminal manners: `--color auto|always|never` (with `NO_COLOR` and `CLICOLOR_FORCE`),
//! `-q/--quiet` and `-v/--verbose`. Decided once in main; commands read the result with
//! [`style`], [`quiet`] and [`verbose`]. The library never looks at the terminal: it is handed a
//! [`report::Style`].

use std::io::IsTerminal;
use std::sync::OnceLock;

use clap::ValueEnum;

use handoff::report::Style;

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorArg {
    /// Colours when stdout is a terminal, unless `NO_COLOR` is set; `CLICOLOR_FORCE` forces them.
    #[default]
    Auto,
    Always,
    Never,
}

static STYLE: OnceLock<Style> = OnceLock::new();
static VERBOSE: OnceLock<bool> = OnceLock::new();

/// Records the choice for the whole run.
pub fn init(color: ColorArg, quiet: bool, verbose: bool) {
    let _ = VERBOSE.set(verbose);
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    let color = decide(
        color,
        env("NO_COLOR").is_some(),
        env("CLICOLOR_FORCE").is_some_and(|v| v != "0"),
        std::io::stdout().is_terminal() && env("TERM").is_none_or(|t| t != "dumb"),
    );
    let _ = STYLE.set(Style {
        color,
        summary: !quiet,
    });
}

/// Whether to colour: an explicit `always`/`never` wins; otherwise `NO_COLOR` turns colours
/// off, `CLICOLOR_FORCE` on, and else a terminal decides (<https://no-color.org>,
/// <https://bixense.com/clicolors/>).
pub fn decide(choice: ColorArg, no_color: bool, force: bool, terminal: bool) -> bool {
    match choice {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => !no_color && (force || terminal),
    }
}

/// How reports on stdout look.
pub fn style() -> Style {
    STYLE.get().copied().unwrap_or_default()
}

/// `--quiet`: no summary line, no notes on stderr; only the findings (and failures).
pub fn quiet() -> bool {
    !style().summary
}

/// `-v/--verbose`: which registry is used and how it was found; registry warnings in full.
pub fn verbose() -> bool {
    VERBOSE.get().copied().unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_wins_then_no_color_then_force_then_the_terminal() {
        assert!(decide(ColorArg::Always, true, false, false));
        assert!(!decide(ColorArg::Never, false, true, true));
        assert!(!decide(ColorArg::Auto, true, true, true));
        assert!(decide(ColorArg::Auto, false, true, false));
        assert!(decide(ColorArg::Auto, false, false, true));
        assert!(!decide(ColorArg::Auto, false, false, false));
    }
}
