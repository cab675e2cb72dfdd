use super::*;

#[test]
fn field_count() {
    let (code, text, f) = error("0 0 * *");
    assert_eq!((code, text), (Code::CronFieldCount, "0 0 * *"));
    assert!(f.message.contains("4 fields"), "{}", f.message);
    let (code, text, f) = error("0 */15 * * * *");
    assert_eq!((code, text), (Code::CronFieldCount, "0"));
    assert!(
        f.message
            .contains("seconds or year fields are not standard cron")
    );
    assert_eq!(
        f.help.as_deref(),
        Some("this looks like a seconds (first) field: remove it, e.g. `*/15 * * * *`")
    );
    let (code, text, _) = error("0 0 * * * 2027");
    assert_eq!((code, text), (Code::CronFieldCount, "2027"));
    let (code, text, f) = error(" 0 0 12 * * * 2027");
    assert_eq!((code, text), (Code::CronFieldCount, "0 0 12 * * * 2027"));
    assert!(f.help.unwrap().contains("`0 12 * * *`"));
    let f = errors("").remove(0);
    assert_eq!((f.code, f.span), (Code::CronFieldCount, 0..0));
    assert!(f.message.contains("empty"));
    assert_eq!(errors("  ")[0].span, 0..2);
    // Clean twins: surrounding and repeated blanks are fine.
    clean("  0  0 *\t* *  ");
    assert_eq!(
        next("  0  0 *\t* *  ", "UTC", "2026-11-26T12:00:00Z", 1),
        ["2026-11-27T00:00:00Z"]
    );
}

#[test]
fn out_of_range() {
    let (code, text, f) = error("0 24 * * *");
    assert_eq!((code, text), (Code::CronOutOfRange, "24"));
    assert_eq!(
        f.message,
        "hour 24 is out of range: the hour field takes 0-23"
    );
    assert_eq!(f.help.as_deref(), Some("midnight is hour 0"));
    assert_eq!(error("60 * * * *").1, "60");
    assert_eq!(error("0 0 0 * *").1, "0");
    assert_eq!(error("0 0 * 0 *").1, "0");
    assert_eq!(error("0 0 * * 1-8").1, "8");
    assert_eq!(error("0 0 * * 99999999999999").1, "99999999999999");
    assert!(parse("59 23 31 12 7").is_ok());
    assert!(parse("0 0 1 1 0").is_ok());
}

#[test]
fn every_error_at_once() {
    let all = errors("60 24 32 13 8");
    let spans: Vec<(Code, Range<usize>)> = all.iter().map(|f| (f.code, f.span.clone())).collect();
    assert_eq!(
        spans,
        [
            (Code::CronOutOfRange, 0..2),
            (Code::CronOutOfRange, 3..5),
            (Code::CronOutOfRange, 6..8),
            (Code::CronOutOfRange, 9..11),
            (Code::CronOutOfRange, 12..13)
        ]
    );
    let codes: Vec<Code> = errors("*/0 1-x L,5/2 foo 5-1")
        .iter()
        .map(|f| f.code)
        .collect();
    assert_eq!(
        codes,
        [
            Code::CronBadStep,
            Code::CronUnknownName,
            Code::CronNonstandard,
            Code::CronStepOnValue,
            Code::CronUnknownName,
            Code::CronReversedRange
        ]
    );
}

#[test]
fn names() {
    let (code, text, f) = error("0 0 * * thr");
    assert_eq!((code, text), (Code::CronUnknownName, "thr"));
    assert_eq!(f.help.as_deref(), Some("did you mean `thu`?"));
    assert_eq!(
        error("0 9 * * mon-fir").2.help.as_deref(),
        Some("did you mean `fri`?")
    );
    assert_eq!(
        error("0 0 * * tuesday").2.help.as_deref(),
        Some("did you mean `tue`?")
    );
    assert_eq!(
        error("0 0 1 sept *").2.help.as_deref(),
        Some("did you mean `sep`?")
    );
    let (code, text, f) = error("0 0 * mon *");
    assert_eq!((code, text), (Code::CronUnknownName, "mon"));
    assert_eq!(
        f.message,
        "`mon` is a day-of-week name, not valid in the month field"
    );
    let (_, text, f) = error("0 0 * * jan");
    assert_eq!(text, "jan");
    assert!(f.message.contains("month name"));
    let (_, text, f) = error("0 noon * * *");
    assert_eq!(text, "noon");
    assert!(f.message.contains("numbers only"), "{}", f.message);
    assert!(error("0 0 * * xyz").2.help.unwrap().contains("sun-sat"));
    // Clean twins: any case, ranges and lists of names.
    clean("0 9 * JAN,Jul Wed");
    clean("0 9 * * MON-fri");
    clean("0 0 * jan-dec/3 sun,sat");
}

#[test]
fn steps() {
    let (code, text, f) = error("*/0 * * * *");
    assert_eq!((code, text), (Code::CronBadStep, "0"));
    assert_eq!(f.message, "a step of 0 selects nothing");
    assert_eq!(error("0-30/0 * * * *").1, "0");
    assert_eq!(error("*/x * * * *").1, "x");
    assert_eq!(error("*/ * * * *").1, "/");
    let (code, text, f) = error("5/10 * * * *");
    assert_eq!((code, text), (Code::CronStepOnValue, "5/10"));
    assert_eq!(
        f.help.as_deref(),
        Some("write a range: `5-59/10` (every 10 from 5)")
    );
    let (_, text, f) = error("0 0 * * mon/2");
    assert_eq!(text, "mon/2");
    assert_eq!(
        f.help.as_deref(),
        Some("write a range: `mon-sat/2` (every 2 from mon)")
    );
    // Clean twins.
    clean("*/15 * * * *");
    clean("5-59/10 * * * *");
    clean("*/59 * * * *");
    clean("0 */23 * * *");
    clean("0 0 * * */6");
}

#[test]
fn step_too_large() {
    let w = warnings("*/60 * * * *");
    assert_eq!(w.len(), 1);
    assert_eq!(
        (w[0].code, w[0].span.clone()),
        (Code::CronStepTooLarge, 0..4)
    );
    assert!(w[0].message.contains("selects only 0"), "{}", w[0].message);
    let w = warnings("0-10/20 * * * *");
    assert_eq!(
        (w[0].code, w[0].span.clone()),
        (Code::CronStepTooLarge, 0..7)
    );
    let w = warnings("0 0 * * */7");
    assert_eq!(
        (w[0].code, w[0].span.clone()),
        (Code::CronStepTooLarge, 8..11)
    );
    // It still means the first value.
    assert_eq!(
        next("*/60 * * * *", "UTC", "2026-11-26T10:00:00Z", 2),
        ["2026-11-26T11:00:00Z", "2026-11-26T12:00:00Z"]
    );
    clean("0-10/10 * * * *");
    clean("5-5/1 * * * *");
}

#[test]
fn reversed_ranges_get_the_wrapped_form() {
    let (code, text, f) = error("0 0 * * 5-1");
    assert_eq!((code, text), (Code::CronReversedRange, "5-1"));
    assert_eq!(f.help.as_deref(), Some("write `5-6,0-1`"));
    let (_, text, f) = error("0 22-2 * * *");
    assert_eq!(text, "22-2");
    assert_eq!(f.help.as_deref(), Some("write `22-23,0-2`"));
    assert_eq!(
        error("0 0 * * fri-mon").2.help.as_deref(),
        Some("write `fri-sat,sun-mon`")
    );
    // Outside day-of-week a range ending in 0 is still reversed; the message says how
    // cronie reads it (`5-7`).
    let (_, text, f) = error("5-0 * * * *");
    assert_eq!(text, "5-0");
    assert!(
        f.message.contains("cronie reads it as `5-7`"),
        "{}",
        f.message
    );
    assert_eq!(f.help.as_deref(), Some("write `5-59,0`"));
    // With a step cronie does not turn the 0 into 7 either.
    assert_eq!(
        error("0 0 * * fri-sun/2").2.help.as_deref(),
        Some("write `fri,sun`")
    );
    assert_eq!(error("0 0 * * 7-2").2.help.as_deref(), Some("write `0-2`"));
    assert_eq!(
        error("50-10/5 * * * *").2.help.as_deref(),
        Some("write `50-59/5,0-10/5`")
    );
    assert_eq!(
        error("0 0 * nov-feb *").2.help.as_deref(),
        Some("write `nov-dec,jan-feb`")
    );
    clean("0 0 * * 5-7");
    clean("0 22-23,0-2 * * *");
    assert!(parse("0 0 * * 5-6,0-1").is_ok());
}

#[test]
fn day_of_week_ranges_ending_in_sunday_zero_are_friday_to_sunday() {
    // cronie's `get_range`: a range ending in 0 (no step) ends in 7. Real crontabs use it.
    for expr in [
        "0 0 * * fri-sun",
        "0 0 * * 5-0",
        "0 0 * * FRI-SUN",
        "0 0 * * 5-7",
    ] {
        clean(expr);
        assert_eq!(
            next(expr, "UTC", "2026-11-26T00:00:00Z", 4),
            [
                "2026-11-27T00:00:00Z",
                "2026-11-28T00:00:00Z",
                "2026-11-29T00:00:00Z",
                "2026-12-04T00:00:00Z"
            ],
            "{expr}"
        );
    }
    for expr in ["0 0 * * sat-sun", "0 0 * * 6-0"] {
        clean(expr);
        assert_eq!(
            next(expr, "UTC", "2026-11-26T00:00:00Z", 2),
            ["2026-11-28T00:00:00Z", "2026-11-29T00:00:00Z"],
            "{expr}"
        );
    }
    assert_eq!(
        parse("0 0 * * fri-sun").unwrap().schedule.describe(),
        "at 00:00 on Friday through Sunday"
    );
    // 7-0 is Sunday alone.
    assert_eq!(
        next("0 0 * * 7-0", "UTC", "2026-11-26T00:00:00Z", 1),
        ["2026-11-29T00:00:00Z"]
    );
}

#[test]
fn steps_wider_than_the_field_are_rejected() {
    // Before: clamped, firing at minute 0. cronie rejects these.
    for (expr, text) in [
        ("*/99999999999999999999 * * * *", "*/99999999999999999999"),
        ("*/4294967296 * * * *", "*/4294967296"),
        ("*/61 * * * *", "*/61"),
        ("0 */25 * * *", "*/25"),
        ("0 0 1-5/32 * *", "1-5/32"),
        ("0 0 * */13 *", "*/13"),
        ("0 0 * * */9", "*/9"),
    ] {
        let (code, got, f) = error(expr);
        assert_eq!((code, got), (Code::CronBadStep, text), "{expr}");
        assert!(f.message.contains("larger than the"), "{}", f.message);
    }
    // The suggestion (the first value) replaces the item and passes.
    let f = error("*/4294967296 * * * *").2;
    assert_eq!(
        f.help.as_deref(),
        Some("write `0` if only the first value is meant, or use a step of at most 60")
    );
    clean("0 * * * *");
    // Up to the field's size it stays cronie's warning.
    assert_eq!(warnings("*/60 * * * *")[0].code, Code::CronStepTooLarge);
    assert_eq!(warnings("0 */24 * * *")[0].code, Code::CronStepTooLarge);
}

#[test]
fn nonstandard_syntax() {
    for (expr, token) in [
        ("0 0 L * *", "L"),
        ("0 0 * * 5L", "L"),
        ("0 0 15W * *", "W"),
        ("0 0 LW * *", "LW"),
        ("0 0 * * 5#3", "#"),
        ("0 0 ? * *", "?"),
        ("0 0 * * ?", "?"),
        ("0~30 * * * *", "~"),
        ("H * * * *", "H"),
        ("H/15 * * * *", "H"),
    ] {
        let (code, text, f) = error(expr);
        assert_eq!((code, text), (Code::CronNonstandard, token), "{expr}");
        assert!(f.message.contains("not standard cron"), "{}", f.message);
    }
    assert_eq!(
        error("0 0 ? * *").2.help.as_deref(),
        Some("write `*` instead")
    );
    // Names that contain those letters are fine.
    clean("0 0 * jul,apr wed,thu");
    let (code, text, _) = error("1.5 * * * *");
    assert_eq!((code, text), (Code::CronSyntax, "."));
}

#[test]
fn malformed_fields() {
    let (code, text, f) = error("0,,30 * * * *");
    assert_eq!(
        (code, &*f.span.start.to_string(), text),
        (Code::CronSyntax, "2", ",")
    );
    assert_eq!(error("0, * * * *").2.span, 1..2);
    assert_eq!(error(",0 * * * *").2.span, 0..1);
    assert_eq!(error("1- * * * *").1, "-");
    assert_eq!(error("-1 * * * *").1, "-");
    assert_eq!(error("1-2-3 * * * *").1, "1-2-3");
    assert_eq!(error("*-5 * * * *").1, "*-5");
    assert_eq!(error("0 0 1-5/2/3 * *").0, Code::CronBadStep);
    clean("0,30 * * * *");
}

#[test]
fn macros() {
    let (code, text, f) = error("@reboot");
    assert_eq!((code, text), (Code::CronReboot, "@reboot"));
    assert!(f.help.unwrap().contains("@daily"));
    let (code, text, f) = error("@Daily");
    assert_eq!((code, text), (Code::CronUnknownMacro, "@Daily"));
    assert_eq!(
        f.help.as_deref(),
        Some("did you mean `@daily`? (macros are lowercase)")
    );
    assert_eq!(
        error(" @dayly").2.help.as_deref(),
        Some("did you mean `@daily`?")
    );
    assert_eq!(error(" @dayly").2.span, 1..7);
    assert!(error("@every").2.help.unwrap().contains("@hourly"));
    let (code, text, _) = error("@daily 5 *");
    assert_eq!((code, text), (Code::CronSyntax, "5 *"));
    for (m, same) in [
        ("@yearly", "0 0 1 1 *"),
        ("@annually", "0 0 1 1 *"),
        ("@monthly", "0 0 1 * *"),
        ("@weekly", "0 0 * * 0"),
        ("@daily", "0 0 * * *"),
        ("@midnight", "0 0 * * *"),
        ("@hourly", "0 * * * *"),
    ] {
        clean(m);
        let a = parse(m).unwrap().schedule;
        assert_eq!(a.expr(), m);
        assert_eq!(
            next(m, "UTC", "2026-11-26T10:30:00Z", 3),
            next(same, "UTC", "2026-11-26T10:30:00Z", 3)
        );
    }
}
