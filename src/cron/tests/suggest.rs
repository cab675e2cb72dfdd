use super::*;

#[test]
fn field_count_suggestions_keep_the_meaning_and_pass() {
    // The trailing field is the extra one: dropping the first would shift every field.
    let (_, text, f) = error("0 9 * * MON-FRI *");
    assert_eq!(text, "*");
    assert_eq!(
        f.help.as_deref(),
        Some("this looks like a year (last) field: remove it, e.g. `0 9 * * MON-FRI`")
    );
    clean("0 9 * * MON-FRI");
    // Seconds first when both readings are valid.
    assert_eq!(
        error("0 0 9 * * *").2.help.as_deref(),
        Some("this looks like a seconds (first) field: remove it, e.g. `0 9 * * *`")
    );
    // No concrete replacement when neither reading is valid.
    let f = error("0 99 * * * *").2;
    assert!(!f.help.as_deref().unwrap().contains('`'), "{:?}", f.help);
    let f = error("* * * * * --next 5").2;
    assert!(!f.help.as_deref().unwrap().contains('`'), "{:?}", f.help);
    // Every concrete suggestion parses cleanly.
    for expr in [
        "0 9 * * MON-FRI *",
        "0 0 9 * * *",
        "0 */15 * * * *",
        "0 0 * * * 2027",
        "0 0 12 * * * 2027",
        "@every 1h",
        "@every 15m",
        "@every 2h",
        "@every 24h",
        "@every 1m",
    ] {
        let help = error(expr).2.help.unwrap();
        let suggested = help
            .split('`')
            .nth(1)
            .unwrap_or_else(|| panic!("{expr}: {help}"));
        clean(suggested);
    }
}

#[test]
fn every_suggested_replacement_passes_the_check() {
    // A help that offers text to write (`write `X``, `did you mean `X``, `e.g. `X``) offers
    // a whole expression or a replacement for the finding's span; either must parse cleanly.
    let bad = [
        "5/10 * * * *",
        "0 0 * * mon/2",
        "0 0 * * 5-1",
        "0 22-2 * * *",
        "0 0 * * fri-mon",
        "0 0 * * 7-2",
        "50-10/5 * * * *",
        "0 0 * nov-feb *",
        "5-0 * * * *",
        "0 0 * * fri-sun/2",
        "0 0 * * sat-sun/3",
        "0 0 * * 6-1/2",
        "0 0 * * 6-0/2",
        "0 0 * * 7-0/2",
        "0 5-0/2 * * *",
        "50-10/7 * * * *",
        "*/61 * * * *",
        "0 */25 * * *",
        "0 0 */32 * *",
        "0 0 * */13 *",
        "0 0 * * */9",
        "0 0 * * mon-fri/9",
        "0 24 * * *",
        "0 0 * * thurs",
        "0 0 * * fir",
        "0 0 * jnu *",
        "@Daily",
        "@dayly",
        "@every 1h",
        "@every 15m",
        "@daily 5 *",
        "0 9 * * MON-FRI *",
        "0 0 9 * * *",
        "0 0 * * * 2027",
        "0 0 12 * * * 2027",
        "0 0 30 2 *",
    ];
    let mut checked = 0;
    for expr in bad {
        let Err(findings) = parse(expr) else {
            panic!("{expr} parses")
        };
        for f in findings {
            let help = f.help.clone().unwrap_or_default();
            let Some(offer) = ["write `", "did you mean `", "e.g. `", "write a range: `"]
                .iter()
                .find_map(|p| help.split_once(p).map(|(_, rest)| rest))
                .and_then(|rest| rest.split('`').next())
            else {
                continue;
            };
            let candidate = if split_fields(offer).len() >= 5 || offer.starts_with('@') {
                offer.to_string()
            } else {
                format!("{}{offer}{}", &expr[..f.span.start], &expr[f.span.end..])
            };
            // `@daily` alone is the offer for `@daily 5 *`.
            let candidate = if f.code == Code::CronSyntax && offer.starts_with('@') {
                offer.to_string()
            } else {
                candidate
            };
            match parse(&candidate) {
                Ok(p) => assert!(
                    p.warnings.is_empty(),
                    "{expr}: `{candidate}` warns {:?}",
                    p.warnings
                ),
                Err(e) => panic!(
                    "{expr}: help {help:?} gives `{candidate}`: {}",
                    e[0].message
                ),
            }
            checked += 1;
        }
    }
    assert!(checked >= 30, "{checked}");
    // The wrapped form of a stepped range lists the values when the halves cannot share it.
    assert_eq!(
        error("50-10/7 * * * *").2.help.as_deref(),
        Some("write `50,57,4`")
    );
    assert_eq!(
        error("0 0 * * fri-sun/2").2.help.as_deref(),
        Some("write `fri,sun`")
    );
}

#[test]
fn every_intervals_get_a_clock_aligned_equivalent_or_none() {
    for (expr, want) in [
        ("@every 1h", Some("0 * * * *")),
        ("@every 60m", Some("0 * * * *")),
        ("@every 15m", Some("*/15 * * * *")),
        ("@every 6h", Some("0 */6 * * *")),
        ("@every 24h", Some("0 0 * * *")),
        ("@every 1m", Some("* * * * *")),
        ("@every 90m", None),
        ("@every 7m", None),
        ("@every 1d", None),
        ("@every 30s", None),
    ] {
        let (code, text, f) = error(expr);
        assert_eq!((code, text), (Code::CronUnknownMacro, expr), "{expr}");
        let help = f.help.unwrap();
        // Never the old nonsense "write `@every` alone".
        assert!(!help.contains("@every"), "{expr}: {help}");
        match want {
            Some(w) => assert!(help.starts_with(&format!("write `{w}`")), "{expr}: {help}"),
            None => assert!(!help.contains('`'), "{expr}: {help}"),
        }
    }
    // A known macro followed by more text still says it stands alone.
    assert_eq!(
        error("@daily 5 *").2.help.as_deref(),
        Some("write `@daily` alone, or 5 fields")
    );
}
