use super::*;

#[test]
fn descriptions() {
    let d = |e: &str| parse(e).unwrap().schedule.describe();
    assert_eq!(d("*/15 * * * *"), "every 15 minutes");
    assert_eq!(d("* * * * *"), "every minute");
    assert_eq!(d("0 3 * * *"), "at 03:00 every day");
    assert_eq!(d("0 9 * * 1-5"), "at 09:00 on Monday through Friday");
    assert_eq!(d("0 9 * * mon-fri"), "at 09:00 on Monday through Friday");
    assert_eq!(
        d("0 0 13 * 5"),
        "at 00:00 on day 13 of the month and on every Friday"
    );
    assert_eq!(d("0 12 * * 0,6"), "at 12:00 on Saturday and Sunday");
    assert_eq!(d("0 12 * * 5-7"), "at 12:00 on Friday through Sunday");
    assert_eq!(d("@hourly"), "at minute 0 of every hour (@hourly)");
    assert_eq!(d("*/60 * * * *"), "at minute 0 of every hour");
    assert_eq!(
        d("5-50/10 * * * *"),
        "at minutes 5, 15, 25, 35 and 45 of every hour"
    );
    assert_eq!(
        d("0 */6 * * *"),
        "at 00:00, 06:00, 12:00 and 18:00 every day"
    );
    assert_eq!(d("0 */2 * * *"), "at minute 0 of every 2nd hour");
    assert_eq!(
        d("*/15 9-17 * * 1-5"),
        "every 15 minutes from 09:00 through 17:45 on Monday through Friday"
    );
    assert_eq!(
        d("0 0 1 1,7 *"),
        "at 00:00 on day 1 of the month in January and July"
    );
    assert_eq!(
        d("0 0 1 jan-mar *"),
        "at 00:00 on day 1 of the month in January through March"
    );
    assert_eq!(
        d("0 0 */2 * 1"),
        "at 00:00 on every 2nd day of the month if it is a Monday"
    );
    assert_eq!(d("30 6 1,15 * *"), "at 06:30 on days 1 and 15 of the month");
    assert_eq!(
        d("0 0 29 2 *"),
        "at 00:00 on day 29 of the month in February"
    );
}
