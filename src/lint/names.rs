//! Definition names: a file is named after its definition, names are unique across files, and
//! every migration's definition exists.

use std::collections::HashMap;

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::registry::{self, Migration, Registry};
use crate::source::{SourceFile, Spanned};

use super::files::Checked;

/// The checked files by definition name (the first file with each name), and a diagnostic for
/// every later file with a name already taken.
pub(super) fn by_name(checked: &[Checked]) -> (HashMap<&str, &Checked>, Vec<Diagnostic>) {
    let mut by_name: HashMap<&str, &Checked> = HashMap::new();
    let mut out = Vec::new();
    for c in checked {
        let Some(name) = c.name.as_ref() else {
            continue;
        };
        if let Some(first) = by_name.get(name.as_str()) {
            out.push(duplicate_name(c, name, first));
        } else {
            by_name.insert(name.as_str(), c);
        }
    }
    (by_name, out)
}

/// The file was not kept once checked: it is read again to place the diagnostic (duplicates
/// are rare). Should it have gone meanwhile, the diagnostic concerns the whole file.
fn duplicate_name(c: &Checked, name: &Spanned<String>, first: &Checked) -> Diagnostic {
    let message = format!(
        "definition `{}` is also defined in {}",
        name.value, first.path
    );
    let help = "names are unique across all definition files";
    let file = match c.kept.as_deref() {
        Some((file, _)) => Some(file.clone()),
        None => std::fs::read_to_string(&c.path)
            .ok()
            .map(|text| SourceFile::new(c.path.clone(), text)),
    };
    match file {
        Some(file) if file.text.get(name.span.clone()).is_some() => file
            .diagnostic(Code::DuplicateName, name.span.clone(), message)
            .with_help(help),
        _ => Diagnostic::file_level(Code::DuplicateName, c.path.clone(), message).with_help(help),
    }
}

/// A migration whose definition file does not exist.
pub(super) fn missing_definition(reg: &Registry, m: &Migration) -> Diagnostic {
    let name = m.definition.name.as_str();
    reg.file
        .diagnostic(
            Code::MigrationWithoutDefinition,
            m.definition.name.span.clone(),
            format!(
                "migration `{}` targets `{name}`, but {}/{name}.yaml does not exist",
                m.name.value, reg.output.definitions
            ),
        )
        .with_help("run `handoff generate` to draft it")
}

/// `metadata.name` differs from the file name. Only valid names are suggested: the file's stem
/// when it is a valid definition name, the definition's name when it is.
pub(super) fn name_mismatch(file: &SourceFile, name: &Spanned<String>, stem: &str) -> Diagnostic {
    let name_ok = registry::is_definition_name(name);
    let stem_ok = registry::is_definition_name(stem);
    let help = match (name_ok, stem_ok) {
        (true, true) => format!(
            "rename the file to `{}.yaml`, or the definition to `{stem}`",
            name.value
        ),
        (true, false) => format!("rename the file to `{}.yaml`", name.value),
        (false, true) => format!("rename the definition to `{stem}`"),
        (false, false) => {
            "give the definition a valid name (`namespace.name`) and name the file after it"
                .to_string()
        }
    };
    file.diagnostic(
        Code::NameMismatch,
        name.span.clone(),
        format!(
            "definition `{}` is in a file named `{stem}.yaml`",
            name.value
        ),
    )
    .with_help(help)
}
