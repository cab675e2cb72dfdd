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

/// Subject views compute their fields as they are read; to a template (an override included)
/// they are maps like any other: every field listed, serialised, iterated.
#[test]
fn subject_views_are_maps_to_templates() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/subjects.toml"))
        .expect("this repository's registry");
    let (reg, _) = crate::registry::load(crate::source::SourceFile::new("subjects.toml", text));
    let reg = reg.expect("a valid registry");
    let env = crate::render::environment_of(crate::render::template_texts(None).unwrap()).unwrap();
    let (_, _, ctx) = views::context_value(&reg, &env).expect("context");
    let render = |src: &str| {
        env.render_str(src, &ctx)
            .unwrap_or_else(|e| panic!("{src}: {e}"))
    };
    let s = &reg.subjects[0];
    assert_eq!(
        render("{{ subjects | length }}"),
        reg.subjects.len().to_string()
    );
    assert_eq!(render("{{ subjects[0].subject }}"), s.subject.value);
    assert_eq!(
        render("{{ subjects[0] | list | join(',') }}"),
        "subject,entity,event,since,summary,trigger_site,fires,anchor,publisher_fn,attributes,py_params,sample_envelope,schema_file,deprecated"
    );
    let json = serde_json::to_value(
        ctx.get_attr("subjects")
            .unwrap()
            .get_item_by_index(0)
            .unwrap(),
    )
    .expect("serialised");
    assert_eq!(json["subject"], s.subject.value.as_str());
    assert_eq!(json["attributes"][0]["name"], s.attributes[0].name.as_str());
    assert_eq!(json["attributes"][0]["example"], s.attributes[0].example);
    assert_eq!(
        json["sample_envelope"]
            .as_str()
            .map(|t| serde_json::from_str::<serde_json::Value>(t).ok()),
        Some(Some(sample_envelope(&reg, s)))
    );
    assert_eq!(render("{{ subjects[0].nothing is undefined }}"), "True");
    let required = s.attributes.iter().filter(|a| a.required).count();
    assert_eq!(
        render("{{ subjects[0].py_params | selectattr('required') | list | length }}"),
        required.to_string()
    );
}

/// docs/templates.md names every field a template can read of a subject and of an attribute.
#[test]
fn the_template_guide_names_every_subject_and_attribute_field() {
    let guide = include_str!("../../docs/templates.md");
    for field in views::SUBJECT_FIELDS.iter().chain(views::ATTRIBUTE_FIELDS) {
        assert!(
            guide.contains(&format!("`{field}`")),
            "docs/templates.md does not name `{field}`"
        );
    }
}
