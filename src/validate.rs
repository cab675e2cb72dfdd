//! `validate`: the CI linter's entry points. The checks live in [`crate::lint`], one file each.

pub use crate::lint::{
    Options, Outcome, check_definition, definition_files, load_registry, place, validate,
};
