use super::*;

#[test]
fn leap_days_and_far_schedules_terminate() {
    assert_eq!(
        next("0 0 29 2 *", "UTC", "2026-03-01T00:00:00Z", 2),
        ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"]
    );
    // 2100 is not a leap year.
    assert_eq!(
        next("0 0 29 2 *", "UTC", "2096-03-01T00:00:00Z", 1),
        ["2104-02-29T00:00:00Z"]
    );
    // The 29th of February on a Sunday (AND: day-of-week starts with `*`): years apart.
    let got = next("0 0 29 2 */7", "UTC", "2033-01-01T00:00:00Z", 1);
    let d: jiff::civil::Date = got[0][..10].parse().unwrap();
    assert_eq!((d.month(), d.day()), (2, 29));
    assert_eq!(d.weekday(), jiff::civil::Weekday::Sunday);
    assert!(d.year() > 2040, "{d}");
    // Near the end of time, nothing is found rather than a panic.
    let s = parse("0 0 29 2 *").unwrap().schedule;
    assert_eq!(s.next_after(Timestamp::MAX, &TimeZone::UTC), None);
    assert_eq!(
        s.next_after(utc("9999-03-01T00:00:00Z"), &TimeZone::UTC),
        None
    );
}

#[test]
fn fires_between_is_half_open_and_fast() {
    let s = parse("*/15 * * * *").unwrap().schedule;
    let week = s.fires_between(
        utc("2026-11-16T00:00:00Z"),
        utc("2026-11-23T00:00:00Z"),
        &TimeZone::UTC,
    );
    assert_eq!(week.len(), 7 * 96);
    assert_eq!(week[0], utc("2026-11-16T00:00:00Z"));
    let every = parse("* * * * *").unwrap().schedule;
    let started = std::time::Instant::now();
    let n = every
        .fires_between(
            utc("2026-10-20T00:00:00Z"),
            utc("2026-11-03T00:00:00Z"),
            &tz("America/New_York"),
        )
        .len();
    // 14 days of minutes; the fall-back hour adds 60 more.
    assert_eq!(n, 14 * 1440);
    assert!(started.elapsed().as_secs() < 5);
    assert!(
        s.fires_between(
            utc("2026-11-23T00:00:00Z"),
            utc("2026-11-16T00:00:00Z"),
            &TimeZone::UTC
        )
        .is_empty()
    );
}

/// A small fixed-seed generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn upcoming_and_fires_between_agree_across_dst() {
    let zones = [
        "America/New_York",
        "Europe/Berlin",
        "Australia/Sydney",
        "Australia/Lord_Howe",
        "America/Santiago",
    ];
    let minutes = ["*", "*/20", "0", "30", "0,30", "15-45/15", "59"];
    let hours = ["*", "*/3", "0", "1", "2", "3", "1-3", "0,2"];
    let days = ["*", "*", "1", "1-7", "*/2", "29-31"];
    let dows = ["*", "*", "0", "1-5", "6,0"];
    let mut rng = Rng(0x0dd_c0ffee);
    for _ in 0..300 {
        let expr = format!(
            "{} {} {} * {}",
            minutes[rng.below(minutes.len() as u64) as usize],
            hours[rng.below(hours.len() as u64) as usize],
            days[rng.below(days.len() as u64) as usize],
            dows[rng.below(dows.len() as u64) as usize],
        );
        let zone = tz(zones[rng.below(zones.len() as u64) as usize]);
        let s = parse(&expr).unwrap().schedule;
        // Start a few days before a transition.
        let from =
            utc("2026-03-01T00:00:00Z") + SignedDuration::from_hours(rng.below(24 * 365) as i64);
        let Some(t) = zone.following(from).next() else {
            continue;
        };
        let start = t.timestamp() - SignedDuration::from_hours(30);
        let end = t.timestamp() + SignedDuration::from_hours(30);
        let window = s.fires_between(start, end, &zone);
        let one = SignedDuration::from_nanos(1);
        // Same runs, including repeated instants after a spring-forward jump.
        let walked: Vec<Timestamp> = s
            .upcoming(start - one, &zone, window.len() + 1)
            .into_iter()
            .filter(|n| *n < end)
            .collect();
        assert_eq!(
            show(&walked),
            show(&window),
            "{expr} in {zone:?} near {t:?}"
        );
    }
}
