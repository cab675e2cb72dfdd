//! Unit tests of seals and labels.

use super::seal::ZERO_HASH;

use super::*;

#[test]
fn the_registry_is_named_by_its_plain_file_name_only() {
    assert_eq!(registry_label("subjects.toml"), "subjects.toml");
    assert_eq!(registry_label("./handoff//subjects.toml"), "subjects.toml");
    assert_eq!(registry_label("/abs/path/registry.toml"), "registry.toml");
    assert_eq!(
        registry_label("x\nimport os\n#/subjects.toml"),
        "subjects.toml"
    );
    assert_eq!(registry_label("dir/sub\njects.toml"), "the registry");
    assert_eq!(registry_label("dir/a b.toml"), "the registry");
    assert_eq!(registry_label(""), "the registry");
}

#[test]
fn crlf_and_bom_do_not_break_a_seal() {
    let sealed = seal(&format!("a\n# {SEAL}{ZERO_HASH}\nb\n"));
    assert_eq!(seal_intact(&sealed), Some(true));
    assert_eq!(seal_intact(&sealed.replace('\n', "\r\n")), Some(true));
    assert_eq!(seal_intact(&format!("\u{feff}{sealed}")), Some(true));
    assert_eq!(seal_intact(&sealed.replace('b', "c")), Some(false));
}
