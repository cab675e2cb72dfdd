//! `handoff diff` output: human text, JSON, GitHub workflow annotations, and Markdown for a
//! pull-request comment.

use serde_json::json;

use super::{Change, Class, Report};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Github,
    Markdown,
}

pub fn render(format: Format, r: &Report) -> String {
    match format {
        Format::Human => human(r),
        Format::Json => json(r),
        Format::Github => github(r),
        Format::Markdown => markdown(r),
    }
}

fn count(r: &Report, class: Class) -> usize {
    r.changes.iter().filter(|c| c.class == class).count()
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// `handoff diff: 3 changes (1 breaking, ...) against X (1.0 → 1.1); ...`
pub fn summary(r: &Report) -> String {
    let verdict = if r.violations.is_empty() {
        "the version policy is met".to_string()
    } else {
        plural(r.violations.len(), "policy violation")
    };
    format!(
        "handoff diff: {} ({} breaking, {} non-breaking, {} info) against {} (version {} -> {}); {verdict}",
        plural(r.changes.len(), "change"),
        count(r, Class::Breaking),
        count(r, Class::NonBreaking),
        count(r, Class::Info),
        r.against,
        r.old_version,
        r.new_version
    )
}

/// `  --> file:line:col` and the source line, rustc style.
fn human_place(at: &super::Location) -> String {
    let width = at.line.to_string().len();
    let pad = " ".repeat(width);
    let mut out = format!("{pad}--> {}:{}:{}\n", at.file, at.line, at.column);
    if !at.source_line.is_empty() {
        out.push_str(&format!(
            "{pad} |\n{} | {}\n{pad} |\n",
            at.line,
            at.source_line.trim_end()
        ));
    }
    out
}

fn human_change(c: &Change) -> String {
    let mut out = format!(
        "{}[{}]: {}\n{}",
        c.class.name(),
        c.rule,
        c.message,
        human_place(&c.location)
    );
    for u in &c.affected {
        out.push_str(&format!(
            "  = affects {}:{}:{}: `{}` reads {}\n",
            u.file, u.line, u.column, u.definition, u.reads
        ));
    }
    if let Some(h) = &c.help {
        out.push_str(&format!("help: {h}\n"));
    }
    out
}

fn human(r: &Report) -> String {
    let mut out = String::new();
    for c in &r.changes {
        out.push_str(&human_change(c));
        out.push('\n');
    }
    for v in &r.violations {
        out.push_str(&format!(
            "error[{}]: {}\n{}help: {}\n\n",
            v.rule,
            v.message,
            human_place(&v.location),
            v.help
        ));
    }
    out.push_str(&summary(r));
    out.push('\n');
    out
}

fn json(r: &Report) -> String {
    let v = json!({
        "version": crate::report::JSON_VERSION,
        "against": r.against,
        "old_version": r.old_version,
        "new_version": r.new_version,
        "changes": r.changes,
        "violations": r.violations,
        "summary": {
            "changes": r.changes.len(),
            "breaking": count(r, Class::Breaking),
            "non_breaking": count(r, Class::NonBreaking),
            "info": count(r, Class::Info),
            "violations": r.violations.len(),
            "fails": r.fails(),
        },
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

/// GitHub's workflow-command escaping of a message and of a property value.
fn esc(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn esc_prop(s: &str) -> String {
    esc(s).replace(':', "%3A").replace(',', "%2C")
}

fn github(r: &Report) -> String {
    let mut out = String::new();
    for c in &r.changes {
        let level = match c.class {
            Class::Breaking => "warning",
            Class::NonBreaking | Class::Info => "notice",
        };
        let mut msg = c.message.clone();
        for u in &c.affected {
            msg.push_str(&format!(
                "\naffects {}:{}:{} ({} reads {})",
                u.file, u.line, u.column, u.definition, u.reads
            ));
        }
        if let Some(h) = &c.help {
            msg.push_str(&format!("\nhelp: {h}"));
        }
        out.push_str(&format!(
            "::{level} {}title={}::{}\n",
            github_place(r, &c.location, &mut msg),
            esc_prop(&format!("{} [{}]", c.class.name(), c.rule)),
            esc(&msg)
        ));
        // Each affected definition gets its own annotation at the place that reads the change.
        for u in &c.affected {
            out.push_str(&format!(
                "::warning file={},line={},col={},title={}::{}\n",
                esc_prop(&u.file),
                u.line,
                u.column,
                esc_prop(&format!("affected by {} [{}]", c.class.name(), c.rule)),
                esc(&format!(
                    "`{}` reads {}: {}",
                    u.definition, u.reads, c.message
                ))
            ));
        }
    }
    for v in &r.violations {
        let mut msg = format!("{}\nhelp: {}", v.message, v.help);
        out.push_str(&format!(
            "::error {}title={}::{}\n",
            github_place(r, &v.location, &mut msg),
            esc_prop(&format!("handoff diff [{}]", v.rule)),
            esc(&msg)
        ));
    }
    out.push_str(&summary(r));
    out.push('\n');
    out
}

/// `file=…,line=…,col=…,` for a place in the current checkout. A place in the old registry
/// (a removal) is no file of the checkout, where GitHub could not show it: the annotation is
/// then general and the message says where it was.
fn github_place(r: &Report, at: &super::Location, msg: &mut String) -> String {
    if at.file == r.against {
        msg.push_str(&format!("\n(in {} at line {})", at.file, at.line));
        String::new()
    } else {
        format!(
            "file={},line={},col={},",
            esc_prop(&at.file),
            at.line,
            at.column
        )
    }
}

/// Markdown table cells: no line breaks, `|` escaped.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn markdown(r: &Report) -> String {
    let mut out = String::from("### handoff diff\n\n");
    out.push_str(&format!(
        "Registry version `{}` → `{}`, compared with `{}`: **{}**, {}, {}.\n\n",
        cell(&r.old_version),
        cell(&r.new_version),
        cell(&r.against),
        plural(count(r, Class::Breaking), "breaking change"),
        plural(count(r, Class::NonBreaking), "non-breaking change"),
        plural(count(r, Class::Info), "informational change"),
    ));
    if r.violations.is_empty() {
        out.push_str("✅ The version policy is met.\n\n");
    } else {
        out.push_str("❌ **The version policy is not met:**\n\n");
        for v in &r.violations {
            out.push_str(&format!(
                "- `{}` ({}:{}): {} — {}\n",
                v.rule,
                cell(&v.location.file),
                v.location.line,
                cell(&v.message),
                cell(&v.help)
            ));
        }
        out.push('\n');
    }
    if !r.changes.is_empty() {
        out.push_str(
            "| Class | Rule | Change | Where | Affected definitions |\n|---|---|---|---|---|\n",
        );
        for c in &r.changes {
            let affected = if c.affected.is_empty() {
                String::new()
            } else {
                c.affected
                    .iter()
                    .map(|u| format!("`{}:{}` ({})", cell(&u.file), u.line, cell(&u.reads)))
                    .collect::<Vec<_>>()
                    .join("<br>")
            };
            out.push_str(&format!(
                "| {} | `{}` | {} | `{}:{}` | {} |\n",
                c.class.name(),
                c.rule,
                cell(&c.message),
                cell(&c.location.file),
                c.location.line,
                affected
            ));
        }
        out.push_str(
            "\nEach rule is explained, with how to make the change safely, in handoff's `docs/breaking.md`.\n",
        );
    }
    out
}
