use super::*;

#[test]
fn never_fires() {
    let (code, text, f) = error("0 0 30 2 *");
    assert_eq!((code, text), (Code::CronNeverFires, "30 2"));
    assert_eq!(
        f.message,
        "`0 0 30 2 *` never fires: February has no day 30"
    );
    let (code, text, f) = error("0 0 31 4,6,9,11 *");
    assert_eq!((code, text), (Code::CronNeverFires, "31 4,6,9,11"));
    assert!(
        f.message
            .contains("April, June, September and November have no day 31")
    );
    assert_eq!(error("0 0 30,31 feb */2").0, Code::CronNeverFires);
    // Clean twins: leap days exist, and with the OR rule the weekday still fires.
    clean("0 0 29 2 *");
    clean("0 0 31 3,4 *");
    assert!(parse("0 0 30 2 1").is_ok());
}

#[test]
fn or_rule_is_explained() {
    let w = warnings("0 0 13 * 5");
    assert_eq!(w.len(), 1);
    assert_eq!((w[0].code, w[0].span.clone()), (Code::CronOrRule, 4..10));
    assert_eq!(
        w[0].message,
        "`0 0 13 * 5` fires on every 13th of the month AND on every Friday (POSIX OR rule), not on Friday the 13th"
    );
    assert!(w[0].help.as_deref().unwrap().contains("`0 0 13 * *`"));
    let w = warnings("0 0 1-7 * 1");
    assert_eq!(
        w[0].message,
        "`0 0 1-7 * 1` fires on days 1 through 7 of the month AND on every Monday (POSIX OR rule), not only on days that match both fields"
    );
    clean("0 0 13 * *");
    clean("0 0 * * 5");
    clean("0 0 1-7 * *");
    // Both day fields starting with `*`: nothing to warn about.
    clean("0 0 */2 * */3");
}

#[test]
fn step_or_rule_warns_and_follows_cronie() {
    let w = warnings("0 0 */2 * 1");
    assert_eq!(w.len(), 1);
    assert_eq!((w[0].code, w[0].span.clone()), (Code::CronStepOrRule, 4..7));
    assert!(w[0].help.as_deref().unwrap().contains("`1-31/2`"));
    let w = warnings("0 0 1 * */2");
    assert_eq!(
        (w[0].code, w[0].span.clone()),
        (Code::CronStepOrRule, 8..11)
    );
    assert!(w[0].help.as_deref().unwrap().contains("`0-6/2`"));
    // cronie ANDs: odd days of the month that are Mondays (2026-11: the 9th, 23rd).
    assert_eq!(
        next("0 0 */2 * 1", "UTC", "2026-11-01T00:00:00Z", 3),
        [
            "2026-11-09T00:00:00Z",
            "2026-11-23T00:00:00Z",
            "2026-12-07T00:00:00Z"
        ]
    );
    // The range spelling is restricted: the OR rule (and the OR-rule warning).
    assert_eq!(warnings("0 0 1-31/2 * 1")[0].code, Code::CronOrRule);
    clean("0 0 */2 * *");
}

#[test]
fn the_or_rule_and_sunday() {
    assert_eq!(
        next("0 0 13 * 5", "UTC", "2026-11-01T00:00:00Z", 5),
        [
            "2026-11-06T00:00:00Z",
            "2026-11-13T00:00:00Z",
            "2026-11-20T00:00:00Z",
            "2026-11-27T00:00:00Z",
            "2026-12-04T00:00:00Z"
        ]
    );
    let sunday = next("0 12 * * 0", "UTC", "2026-11-26T00:00:00Z", 3);
    assert_eq!(next("0 12 * * 7", "UTC", "2026-11-26T00:00:00Z", 3), sunday);
    assert_eq!(
        next("0 12 * * sun", "UTC", "2026-11-26T00:00:00Z", 3),
        sunday
    );
    assert_eq!(sunday[0], "2026-11-29T12:00:00Z");
}
