//! A schedule in words: "every 15 minutes", "at 09:00 on Monday through Friday".

use super::schedule::Schedule;

/// Month names in sentences.
pub(super) const MONTH_WORDS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Day-of-week names in sentences, Sunday (0) first.
pub(super) const DAY_WORDS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

pub(super) fn words_list(items: &[String], last: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., tail] => format!("{} {last} {tail}", init.join(", ")),
    }
}

/// Groups consecutive values into "a through b" runs of three or more.
fn runs(values: &[u32], name: impl Fn(u32) -> String) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < values.len() {
        let mut j = i;
        while j + 1 < values.len() && values[j + 1] == values[j] + 1 {
            j += 1;
        }
        if j - i >= 2 {
            out.push(format!("{} through {}", name(values[i]), name(values[j])));
        } else {
            out.extend(values[i..=j].iter().map(|v| name(*v)));
        }
        i = j + 1;
    }
    out
}

pub(super) fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, x) if x != 11 => "st",
        (2, x) if x != 12 => "nd",
        (3, x) if x != 13 => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

impl Schedule {
    /// "on day 13 of the month", "on days 1 through 7 of the month", "on every 2nd day of the
    /// month".
    pub(super) fn dom_words(&self) -> String {
        let values = self.dom.values();
        if let Some(n) = self.dom.every.filter(|n| *n > 1) {
            let days = || {
                words_list(
                    &values.iter().map(u32::to_string).collect::<Vec<_>>(),
                    "and",
                )
            };
            return if values.len() <= 6 {
                format!("on every {} day of the month (days {})", ordinal(n), days())
            } else {
                format!("on every {} day of the month", ordinal(n))
            };
        }
        let list = words_list(&runs(&values, |v| v.to_string()), "and");
        format!("on {} {list} of the month", plural(values.len(), "day"))
    }

    /// Weekdays Monday first: "Monday through Friday", "Saturday and Sunday".
    fn weekdays(&self, last: &str) -> String {
        let monday_first: Vec<u32> = self.dow.values().iter().map(|v| (v + 6) % 7).collect();
        let mut sorted = monday_first;
        sorted.sort_unstable();
        words_list(
            &runs(&sorted, |k| DAY_WORDS[(k as usize + 1) % 7].to_string()),
            last,
        )
    }

    /// "on every Friday", "on Monday through Friday".
    pub(super) fn dow_words(&self) -> String {
        let values = self.dow.values();
        if values.len() == 1 {
            format!("on every {}", DAY_WORDS[values[0] as usize])
        } else {
            format!("on {}", self.weekdays("and"))
        }
    }

    fn time_words(&self) -> String {
        let (minutes, hours) = (self.minute.values(), self.hour.values());
        let hhmm = |h: u32, m: u32| format!("{h:02}:{m:02}");
        let minute_list = || words_list(&runs(&minutes, |m| m.to_string()), "and");
        let hour_list = || words_list(&runs(&hours, |h| h.to_string()), "and");
        if let Some(n) = self.minute.every {
            let every = match n {
                1 => "every minute".to_string(),
                n => format!("every {n} minutes"),
            };
            if self.hour.is_all() {
                return every;
            }
            let last_minute = *minutes.last().unwrap_or(&0);
            let contiguous = hours.windows(2).all(|w| w[1] == w[0] + 1);
            return if contiguous {
                format!(
                    "{every} from {} through {}",
                    hhmm(hours[0], minutes[0]),
                    hhmm(*hours.last().unwrap_or(&0), last_minute)
                )
            } else {
                format!(
                    "{every} during {} {}",
                    plural(hours.len(), "hour"),
                    hour_list()
                )
            };
        }
        let at_minutes = format!("at {} {}", plural(minutes.len(), "minute"), minute_list());
        if self.hour.is_all() {
            return format!("{at_minutes} of every hour");
        }
        if minutes.len() * hours.len() <= 6 {
            let times: Vec<String> = hours
                .iter()
                .flat_map(|h| minutes.iter().map(move |m| hhmm(*h, *m)))
                .collect();
            return format!("at {}", words_list(&times, "and"));
        }
        match self.hour.every {
            Some(n) => format!("{at_minutes} of every {} hour", ordinal(n)),
            None => format!(
                "{at_minutes} of {} {}",
                plural(hours.len(), "hour"),
                hour_list()
            ),
        }
    }

    fn day_words(&self) -> String {
        match (self.dom.is_all(), self.dow.is_all()) {
            (true, true) => String::new(),
            (true, false) => self.dow_words(),
            (false, true) => self.dom_words(),
            _ if self.uses_or_rule() => {
                format!("{} and {}", self.dom_words(), self.dow_words())
            }
            _ => {
                let dow = self.dow.values();
                let day = if dow.len() == 1 {
                    format!("a {}", DAY_WORDS[dow[0] as usize])
                } else {
                    self.weekdays("or")
                };
                format!("{} if it is {day}", self.dom_words())
            }
        }
    }

    fn month_words(&self) -> String {
        if self.month.is_all() {
            return String::new();
        }
        let names = runs(&self.month.values(), |m| {
            MONTH_WORDS[m as usize - 1].to_string()
        });
        format!("in {}", words_list(&names, "and"))
    }

    /// The schedule in plain English: "every 15 minutes", "at 03:00 every day", "at 09:00 on
    /// Monday through Friday", "at 00:00 on day 13 of the month and on every Friday".
    pub fn describe(&self) -> String {
        let time = self.time_words();
        let mut day = self.day_words();
        // "at 03:00" needs "every day"; "every 15 minutes" and "at minute 0 of every hour" do not.
        let at_times = self.minute.every.is_none() && !self.hour.is_all() && time.contains(':');
        if day.is_empty() && at_times {
            day = "every day".to_string();
        }
        let mut out = [time, day, self.month_words()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(m) = self.macro_name {
            out.push_str(&format!(" ({m})"));
        }
        out
    }
}
