//! Rendering: the minijinja environment with the embedded templates and the escaping filters
//! that keep registry text from breaking the Markdown, YAML and Python it lands in.
//!
//! Templates are embedded in the binary; a `templates/` folder next to the registry (or
//! `--templates DIR`) overrides any of them by file name.

use std::path::{Path, PathBuf};

use minijinja::{Environment, Error, ErrorKind, Value};

/// The embedded templates: (name, text).
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "nats-event-subjects.md.j2",
        include_str!("../templates/nats-event-subjects.md.j2"),
    ),
    (
        "cron-migration.md.j2",
        include_str!("../templates/cron-migration.md.j2"),
    ),
    (
        "definition.yaml.j2",
        include_str!("../templates/definition.yaml.j2"),
    ),
    (
        "publishers.py.j2",
        include_str!("../templates/publishers.py.j2"),
    ),
    ("runtime.py.j2", include_str!("../templates/runtime.py.j2")),
    (
        "__init__.py.j2",
        include_str!("../templates/__init__.py.j2"),
    ),
    ("py.typed.j2", include_str!("../templates/py.typed.j2")),
];

/// The text of every template, in [`TEMPLATES`] order: the file in `override_dir` when there
/// is one, else the embedded text.
pub fn template_texts(override_dir: Option<&Path>) -> Result<Vec<(&'static str, String)>, String> {
    TEMPLATES
        .iter()
        .map(|(name, text)| {
            let text = match override_dir.map(|d| d.join(name)) {
                Some(p) if p.is_file() => std::fs::read_to_string(&p)
                    .map_err(|e| format!("cannot read template {}: {e}", p.display()))?,
                _ => (*text).to_string(),
            };
            Ok((*name, text))
        })
        .collect()
}

/// Builds the environment. Templates in `override_dir` (if it exists) win over embedded ones.
pub fn environment(override_dir: Option<&Path>) -> Result<Environment<'static>, String> {
    environment_of(template_texts(override_dir)?)
}

/// Builds the environment from the templates' texts (see [`template_texts`]).
pub fn environment_of(
    templates: Vec<(&'static str, String)>,
) -> Result<Environment<'static>, String> {
    let mut env = Environment::new();
    env.set_keep_trailing_newline(true);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    for (name, text) in templates {
        env.add_template_owned(name, text)
            .map_err(|e| format!("template {name}: {e}"))?;
    }
    env.add_filter("md_cell", md_cell);
    env.add_filter("md_text", md_text);
    env.add_filter("md_code", md_code);
    env.add_filter("yaml_str", yaml_str);
    env.add_filter("py_str", py_str);
    env.add_filter("py_doc", py_doc);
    env.add_filter("py_doc_lines", py_doc_lines);
    env.add_filter("md_anchor", md_anchor);
    env.add_filter("one_line", one_line);
    env.add_filter("yaml_plain", yaml_plain);
    env.add_filter("json", json_compact);
    env.add_filter("json_pretty", json_pretty);
    Ok(env)
}

/// Renders a template, mapping minijinja's error to a message naming the template and line.
pub fn render(
    env: &Environment,
    name: &str,
    ctx: &impl serde::Serialize,
) -> Result<String, String> {
    let template = env.get_template(name).map_err(describe)?;
    template
        .render(ctx)
        .map_err(|e| describe_at(e, template.source()))
}

/// [`render`] into a buffer with room for `room` bytes from the start.
pub fn render_with_room(
    env: &Environment,
    name: &str,
    ctx: &impl serde::Serialize,
    room: usize,
) -> Result<String, String> {
    let template = env.get_template(name).map_err(describe)?;
    let mut out = Vec::with_capacity(room);
    template
        .render_captured_to(ctx, &mut out)
        .map_err(|e| describe_at(e, template.source()))?;
    // Templates render text: their output is UTF-8.
    String::from_utf8(out).map_err(|e| format!("template {name} rendered invalid UTF-8: {e}"))
}

/// [`describe`] of an error met while rendering the template whose text is `source`, quoting
/// the expression it points at (minijinja's own message says what went wrong, not with what:
/// "undefined value").
fn describe_at(e: Error, source: &str) -> String {
    let quoted = e
        .range()
        .and_then(|r| source.get(r))
        .map(|at| at.lines().next().unwrap_or_default().trim().to_string())
        .filter(|at| !at.is_empty());
    let mut msg = describe(e);
    if let Some(at) = quoted {
        msg.push_str(&format!(": `{at}`"));
    }
    msg
}

fn describe(e: Error) -> String {
    let mut msg = format!("template error: {e}");
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        msg.push_str(&format!("; caused by: {s}"));
        source = s.source();
    }
    msg
}

/// Which template folder applies: `--templates DIR` if given, else `templates/` beside the
/// registry when it exists.
pub fn override_dir(explicit: Option<&Path>, registry_dir: &Path) -> Option<PathBuf> {
    match explicit {
        Some(d) => Some(d.to_path_buf()),
        None => {
            let d = registry_dir.join("templates");
            d.is_dir().then_some(d)
        }
    }
}

/// Characters the Markdown filters change wherever they are. Text without them (and without
/// what each filter checks at its start) is returned as it is: most registry text is plain, and
/// a document of 10,000 subjects runs these filters 150,000 times.
const MD_SPECIAL: [char; 7] = ['\r', '\n', '&', '<', '>', '|', '`'];

/// Escapes text for a Markdown table cell: no line breaks, no cell separators, no raw HTML.
pub fn md_cell(s: &str) -> String {
    if !s.contains(MD_SPECIAL) && !s.trim().is_empty() {
        return s.to_string();
    }
    md_cell_escaped(s)
}

fn md_cell_escaped(s: &str) -> String {
    let one_line = s
        .split(['\r', '\n'])
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    escape_html(&one_line).replace('|', "\\|")
}

/// Escapes text for a Markdown paragraph: inline formatting (backticks, emphasis) is kept, but
/// nothing in it can start a block (heading, list, quote, fence, table) or raw HTML.
pub fn md_text(s: &str) -> String {
    let starts_plain = s.starts_with(|c: char| {
        !c.is_whitespace()
            && !c.is_ascii_digit()
            && !matches!(c, '#' | '>' | '-' | '*' | '+' | '=' | '~')
    });
    if starts_plain && !s.ends_with(char::is_whitespace) && !s.contains(MD_SPECIAL) {
        return s.to_string();
    }
    md_text_escaped(s)
}

fn md_text_escaped(s: &str) -> String {
    s.lines()
        .map(|line| {
            let line = escape_html(line.trim()).replace('|', "\\|");
            // An ordered-list marker (`1.` or `1)` then a space) is defused by escaping its
            // punctuation; other block starters by a backslash in front.
            if let Some(pos) = line.find(['.', ')']) {
                let (n, rest) = line.split_at(pos);
                let after = &rest[1..];
                if !n.is_empty()
                    && n.len() <= 9
                    && n.chars().all(|c| c.is_ascii_digit())
                    && (after.is_empty() || after.starts_with([' ', '\t']))
                {
                    return format!("{n}\\{rest}");
                }
            }
            if line.starts_with(['#', '>', '-', '*', '+', '='])
                || line.starts_with("```")
                || line.starts_with("~~~")
            {
                format!("\\{line}")
            } else {
                line
            }
        })
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Inline code that survives backticks in the text: fenced with one more backtick than the
/// longest run inside. Safe in table cells (pipes escaped, line breaks folded).
pub fn md_code(s: &str) -> String {
    if !s.contains(MD_SPECIAL) {
        return format!("`{s}`");
    }
    md_code_fenced(s)
}

fn md_code_fenced(s: &str) -> String {
    let s = s.split(['\r', '\n']).collect::<Vec<_>>().join(" ");
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", s.replace('|', "\\|"))
}

/// An HTML id / Markdown anchor: lowercase letters, digits and dashes only (registry names are
/// checked to be of that form already; this keeps a template safe if one slips through).
pub fn md_anchor(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// Text for a one-line comment (YAML `#`, Python `#`): control characters, line breaks
/// included, become spaces, so the text cannot end the comment and start code.
pub fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// A YAML scalar written plain when that is unambiguous (names like `billing.invoice-reminder`),
/// double-quoted otherwise.
pub fn yaml_plain(s: &str) -> String {
    let plain = s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        )
        && s.parse::<f64>().is_err();
    if plain { s.to_string() } else { yaml_str(s) }
}

/// A YAML double-quoted scalar (JSON string syntax is valid YAML).
pub fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// A Python string literal.
pub fn py_str(s: &str) -> String {
    // JSON string syntax is a valid Python literal; escape non-ASCII so the file is plain ASCII.
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_ascii() => out.push(c),
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// Text safe inside a Python triple-quoted docstring.
pub fn py_doc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Text as the body of a docstring indented by four spaces: escaped as by [`py_doc`], each line
/// trimmed, every line after the first indented (blank ones left empty).
pub fn py_doc_lines(s: &str) -> String {
    let escaped = py_doc(s);
    let mut out = String::with_capacity(escaped.len() + 8);
    for (i, line) in escaped.split('\n').enumerate() {
        let line = line.trim();
        if i > 0 {
            out.push('\n');
            if !line.is_empty() {
                out.push_str("    ");
            }
        }
        out.push_str(line);
    }
    out
}

fn json_compact(v: Value) -> Result<String, Error> {
    serde_json::to_string(&v).map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))
}

fn json_pretty(v: Value) -> Result<String, Error> {
    serde_json::to_string_pretty(&v)
        .map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md_cell_keeps_tables_intact() {
        assert_eq!(md_cell("a | b\nc <x>"), "a \\| b c &lt;x&gt;");
    }

    #[test]
    fn md_text_cannot_start_blocks() {
        assert_eq!(
            md_text("# not a heading\n- nor a list\n1. nor this"),
            "\\# not a heading\n\\- nor a list\n1\\. nor this"
        );
        assert_eq!(md_text("1.0"), "1.0");
    }

    #[test]
    fn md_code_outfences_backticks() {
        assert_eq!(md_code("a`b"), "``a`b``");
        assert_eq!(md_code("`x`"), "`` `x` ``");
    }

    #[test]
    fn names_cannot_leave_their_place() {
        assert_eq!(md_anchor("x\"><img src=y>"), "x---img-src-y-");
        assert_eq!(one_line("x\ninstruction: {}\r#"), "x instruction: {} #");
        assert_eq!(yaml_plain("acme.sweep"), "acme.sweep");
        assert_eq!(yaml_plain("x\ny: 1"), "\"x\\ny: 1\"");
        assert_eq!(yaml_plain("true"), "\"true\"");
        assert_eq!(yaml_plain("1.5"), "\"1.5\"");
    }

    /// The plain-text shortcuts of the Markdown filters give what the full escaping gives, on
    /// every string of up to three characters from an alphabet of the characters they look at
    /// (and on longer ones built from those).
    #[test]
    fn markdown_shortcuts_agree_with_the_full_escaping() {
        let alphabet = [
            "a", " ", "\t", "\r", "\n", "&", "<", ">", "|", "`", "#", "-", "*", "+", "=", "~", "1",
            "9", ".", ")", "\u{a0}", "é", "```", "~~~", "12. ", "x y",
        ];
        let mut strings = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = strings
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            strings.extend(longer);
        }
        strings.sort();
        strings.dedup();
        assert!(strings.len() > 10_000);
        let mut shortcuts = 0;
        for s in &strings {
            assert_eq!(md_cell(s), md_cell_escaped(s), "md_cell({s:?})");
            assert_eq!(md_text(s), md_text_escaped(s), "md_text({s:?})");
            assert_eq!(md_code(s), md_code_fenced(s), "md_code({s:?})");
            shortcuts += usize::from(!s.contains(MD_SPECIAL));
        }
        // The shortcuts were taken, not only the full paths compared with themselves.
        assert!(shortcuts > 1_000, "{shortcuts}");
    }

    /// docs/templates.md lists every filter the environment has, and only those.
    #[test]
    fn the_template_guide_lists_the_filters() {
        let guide = include_str!("../docs/templates.md");
        let table = &guide[guide.find("## Filters").expect("a Filters section")..];
        let documented: Vec<&str> = table
            .lines()
            .filter_map(|l| l.strip_prefix("| `")?.split('`').next())
            .collect();
        let registered: Vec<&str> = include_str!("render.rs")
            .split("env.add_filter(\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        assert!(registered.len() >= 12, "{registered:?}");
        let mut sorted = (documented.clone(), registered.clone());
        sorted.0.sort_unstable();
        sorted.1.sort_unstable();
        assert_eq!(sorted.0, sorted.1);
        let env = environment(None).unwrap();
        for name in documented {
            assert!(
                env.render_str(&format!("{{{{ \"x\" | {name} }}}}"), ())
                    .is_ok(),
                "{name}"
            );
        }
    }

    /// `py_doc_lines` gives what the template macro it replaced gave.
    #[test]
    fn py_doc_lines_is_the_docstring_macro_it_replaced() {
        let env = environment(None).unwrap();
        let by_macro = r#"{% macro doc(text) %}{% for line in text | py_doc | split("\n") %}{{ "\n" if not loop.first else "" }}{{ "    " if (not loop.first and line | trim) else "" }}{{ line | trim }}{% endfor %}{% endmacro %}{{ doc(t) }}"#;
        for t in [
            "",
            "a",
            " a ",
            "a\nb",
            " a \n\n  b\n",
            "\n",
            "\n\n",
            "a\r\nb",
            "  \t ",
            "x\\y\"z\"\"\"",
            "é\n\tü ",
            "After commit.\nOnly when the row changed.",
        ] {
            let expected = env.render_str(by_macro, minijinja::context! { t }).unwrap();
            assert_eq!(py_doc_lines(t), expected, "{t:?}");
        }
    }

    #[test]
    fn py_str_is_ascii_and_escaped() {
        assert_eq!(py_str("a\"b\\c\né"), "\"a\\\"b\\\\c\\n\\u00e9\"");
    }
}
