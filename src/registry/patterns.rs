//! NATS subject patterns: `*` matches one token, `>` one or more trailing tokens.

/// NATS subject matching: `*` matches one token, `>` one or more trailing tokens.
pub fn subject_matches(pattern: &str, subject: &str) -> bool {
    let mut p = pattern.split('.');
    let mut s = subject.split('.');
    loop {
        match (p.next(), s.next()) {
            (Some(">"), Some(_)) => return true,
            (Some("*"), Some(_)) => {}
            (Some(a), Some(b)) if a == b => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

/// Whether every subject `inner` can match is also matched by `outer`.
pub fn pattern_within(inner: &str, outer: &str) -> bool {
    let mut i = inner.split('.');
    let mut o = outer.split('.');
    loop {
        match (i.next(), o.next()) {
            (Some(_), Some(">")) => return true,
            (Some(">"), Some(_)) => return false,
            (Some("*"), Some("*")) => {}
            (Some("*"), Some(_)) => return false,
            (Some(_), Some("*")) => {}
            (Some(a), Some(b)) if a == b => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_matching_follows_nats_rules() {
        assert!(subject_matches(
            "org.billing.>",
            "org.billing.repo.registered"
        ));
        assert!(subject_matches(
            "org.*.repo.registered",
            "org.billing.repo.registered"
        ));
        assert!(!subject_matches(
            "org.billing.*",
            "org.billing.repo.registered"
        ));
        assert!(!subject_matches("org.billing.>", "org.billing"));
        assert!(pattern_within("org.billing.>", "org.>"));
        assert!(pattern_within("org.billing.repo.registered", "org.>"));
        assert!(!pattern_within("org.>", "org.billing.>"));
        assert!(!pattern_within("com.x.y", "org.>"));
    }
}
