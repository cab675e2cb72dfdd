use super::*;

#[test]
fn time_zones() {
    assert_eq!(
        parse_timezone("Europe/Berlin").unwrap(),
        tz("Europe/Berlin")
    );
    assert!(parse_timezone("UTC").is_ok());
    let f = parse_timezone("Europe/Berlinn").unwrap_err();
    assert_eq!((f.code, f.span.clone()), (Code::CronUnknownTimezone, 0..14));
    assert_eq!(f.help.as_deref(), Some("did you mean `Europe/Berlin`?"));
    assert_eq!(
        parse_timezone("Kolkata").unwrap_err().help.as_deref(),
        Some("did you mean `Asia/Kolkata`?")
    );
    assert_eq!(
        parse_timezone("New York").unwrap_err().help.as_deref(),
        Some("did you mean `America/New_York`?")
    );
    let f = parse_timezone("").unwrap_err();
    assert_eq!(f.span, 0..0);
    assert!(f.help.unwrap().contains("IANA"));
    assert_eq!(
        parse_timezone("America/Kolkata")
            .unwrap_err()
            .help
            .as_deref(),
        Some("did you mean `Asia/Kolkata`?")
    );
    assert!(parse_timezone("Mars/Olympus_Mons").is_err());
}
