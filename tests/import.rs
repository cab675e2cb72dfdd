//! `handoff import crontab|systemd`: fixture files with their expected entries; entries that
//! `validate` accepts once added; no duplicates on a second import; untranslatable timers; and
//! the OnCalendar translations against the elapse times systemd-analyze printed.

use crate::common;

use common::{fixture, handoff, read, repo, repo_copy};

fn expected(name: &str) -> String {
    read(&fixture("import/expected").join(name))
}

#[test]
fn crontab_entries_and_line_numbered_problems() {
    let run = handoff(
        &repo(),
        &["import", "crontab", "tests/fixtures/import/crontab"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, expected("crontab.toml"));
    // CRON_TZ became the time zone; MAILTO and SHELL are noted.
    assert!(run.stdout.contains("timezone = \"Europe/Berlin\""));
    assert!(run.stdout.contains("MAILTO=ops@example.org"));
    // The broken lines are reported with their line numbers, the rest imported.
    for (code, line) in [
        ("cron-out-of-range", 13),
        ("cron-reboot", 14),
        ("import-line", 15),
    ] {
        assert!(
            run.stderr.contains(&format!("error[{code}]")),
            "{code}: {}",
            run.stderr
        );
        assert!(
            run.stderr
                .contains(&format!("tests/fixtures/import/crontab:{line}:")),
            "{line}: {}",
            run.stderr
        );
    }
    // The consistency sweep is in the registry already.
    assert!(
        run.stderr
            .contains("crontab:7 is already in the registry as migration `consistency-sweep`"),
        "{}",
        run.stderr
    );
}

#[test]
fn system_crontab_has_a_user_field() {
    let run = handoff(
        &repo(),
        &[
            "import",
            "crontab",
            "--system",
            "tests/fixtures/import/system-crontab",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, expected("system-crontab.toml"));
    assert!(run.stdout.contains("runs as user root"));
    // Without CRON_TZ the machine's zone was used: UTC is assumed, and said so.
    assert!(run.stdout.contains("no CRON_TZ"));
    assert!(
        run.stdout
            .contains("command = \"/usr/sbin/logrotate /etc/logrotate.conf\"")
    );
}

/// A small registry whose migrations are followed by `[output]` (and that does not have the
/// state hub's stale-task cleanup yet).
const SMALL: &str = "tests/fixtures/import/registry/subjects.toml";

#[test]
fn systemd_timers_translate() {
    for (timer, cron) in [
        ("statehub-stale-task-cleanup", "0 3 * * *"),
        ("weekday-report", "0 9 * * 1-5"),
        ("quarter-hour", "*/15 * * * *"),
        ("twice-daily", "0 6,18 * * *"),
    ] {
        let path = format!("tests/fixtures/import/systemd/{timer}.timer");
        let run = handoff(&repo(), &["--registry", SMALL, "import", "systemd", &path]);
        assert_eq!(run.code, 0, "{timer}: {}", run.stderr);
        assert_eq!(run.stdout, expected(&format!("{timer}.toml")), "{timer}");
        assert!(
            run.stdout.contains(&format!("schedule = \"{cron}\"")),
            "{timer}"
        );
    }
    let run = handoff(
        &repo(),
        &[
            "--registry",
            SMALL,
            "import",
            "systemd",
            "tests/fixtures/import/systemd/statehub-stale-task-cleanup.timer",
        ],
    );
    for note in [
        "Persistent=true",
        "RandomizedDelaySec=5m",
        "runs as user statehub",
        "WorkingDirectory=/srv/state-hub",
        "OnCalendar= names no time zone",
    ] {
        assert!(run.stdout.contains(note), "{note}");
    }
    // This repository has that timer already (as migration stale-task-cleanup): the same unit
    // is not imported twice, and that is not a failure.
    let run = handoff(
        &repo(),
        &[
            "import",
            "systemd",
            "tests/fixtures/import/systemd/statehub-stale-task-cleanup.timer",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("is already in the registry as migration `stale-task-cleanup`"),
        "{}",
        run.stderr
    );
}

#[test]
fn write_places_entries_after_the_last_migration_and_keeps_every_line() {
    let tmp = tempfile::tempdir().unwrap();
    let registry = tmp.path().join("subjects.toml");
    std::fs::copy(repo().join(SMALL), &registry).unwrap();
    let before = read(&registry);
    let fixture_path = |p: &str| repo().join(p).display().to_string();
    let run = handoff(
        tmp.path(),
        &[
            "import",
            "systemd",
            "--write",
            &fixture_path("tests/fixtures/import/systemd/statehub-stale-task-cleanup.timer"),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let after = read(&registry);
    // Every original line survives, in order; the new entry sits between the last migration
    // and the comment and table that followed it.
    let mut rest = after.lines();
    for line in before.lines() {
        assert!(
            rest.any(|l| l == line),
            "lost or reordered: {line:?}\n{after}"
        );
    }
    let entry = after.find("name = \"cleanup-stale-tasks\"").unwrap();
    let comment = after.find("# Where generated files go.").unwrap();
    let nightly = after.find("name = \"parallel-run\"").unwrap();
    assert!(nightly < entry && entry < comment, "{after}");
    assert!(
        after
            .trim_end()
            .ends_with("[output]\ndefinitions = \"definitions\"")
    );

    // The drafts generate and validate; the same unit imported again changes nothing.
    assert_eq!(handoff(tmp.path(), &["generate"]).code, 0);
    let validate = handoff(tmp.path(), &["validate"]);
    assert_eq!(validate.code, 0, "{}", validate.stdout);
    let again = handoff(
        tmp.path(),
        &[
            "import",
            "systemd",
            "--write",
            &fixture_path("tests/fixtures/import/systemd/statehub-stale-task-cleanup.timer"),
        ],
    );
    assert_eq!(again.code, 0);
    assert_eq!(read(&registry), after);
}

#[test]
fn repeated_lines_namespace_and_time_zone() {
    let tmp = tempfile::tempdir().unwrap();
    let crontab = tmp.path().join("crontab");
    std::fs::write(
        &crontab,
        "0 5 * * * /usr/local/bin/report.sh\n0 5 * * * /usr/local/bin/report.sh\n0 6 * * * /usr/local/bin/report.sh --full\nTZ=Asia/Tokyo\n0 7 * * * /usr/local/bin/late.sh\n",
    )
    .unwrap();
    let crontab = crontab.display().to_string();
    let run = handoff(
        &repo(),
        &[
            "--registry",
            SMALL,
            "import",
            "crontab",
            "--namespace",
            "ops",
            "--tz",
            "America/New_York",
            &crontab,
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The repeated line is imported once; a different schedule of the same script gets its
    // own, unique name.
    assert!(
        run.stderr
            .contains(":2 repeats the job imported as `report`; imported once"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout.matches("[[migrations]]\n").count(), 3);
    assert!(run.stdout.contains("name = \"ops.report\""));
    assert!(run.stdout.contains("name = \"ops.report-2\""));
    // --timezone is the zone jobs without CRON_TZ ran in; TZ= only reaches the command.
    assert_eq!(
        run.stdout
            .matches("timezone = \"America/New_York\"")
            .count(),
        6
    );
    assert!(!run.stdout.contains("no CRON_TZ"));
    assert!(
        run.stdout
            .contains("TZ=Asia/Tokyo (crontab environment: the command's time zone")
    );

    for bad in [
        &["--namespace", "Ops Team"][..],
        &["--tz", "Mars/Olympus"][..],
        // The older spelling still works, and is checked the same way.
        &["--timezone", "Mars/Olympus"][..],
    ] {
        let mut args = vec!["--registry", SMALL, "import", "crontab"];
        args.extend_from_slice(bad);
        args.push(&crontab);
        assert_eq!(handoff(&repo(), &args).code, 2, "{bad:?}");
    }
}

#[test]
fn untranslatable_timers_exit_1_with_the_reason() {
    for (timer, reason) in [
        ("with-seconds", "seconds component"),
        ("on-boot", "monotonic timer"),
        ("mixed", "differ in more than one field"),
    ] {
        let path = format!("tests/fixtures/import/systemd/{timer}.timer");
        let run = handoff(&repo(), &["import", "systemd", &path]);
        assert_eq!(run.code, 1, "{timer}: {}", run.stdout);
        assert!(
            run.stderr.contains("error[import-untranslatable]"),
            "{timer}: {}",
            run.stderr
        );
        assert!(run.stderr.contains(reason), "{timer}: {}", run.stderr);
        assert!(run.stdout.is_empty());
    }
}

#[test]
fn write_adds_entries_that_validate_accepts_and_a_second_import_adds_nothing() {
    let tmp = repo_copy();
    let before = read(&tmp.path().join("subjects.toml"));
    let run = handoff(
        tmp.path(),
        &[
            "import",
            "crontab",
            "--write",
            &repo()
                .join("tests/fixtures/import/crontab")
                .display()
                .to_string(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("added 2 migration entries"),
        "{}",
        run.stdout
    );
    let after = read(&tmp.path().join("subjects.toml"));
    // Nothing of the file was lost or reformatted: it is a prefix of the new one.
    assert!(after.starts_with(&before));
    let run = handoff(
        tmp.path(),
        &[
            "import",
            "systemd",
            "--write",
            &repo()
                .join("tests/fixtures/import/systemd/weekday-report.timer")
                .display()
                .to_string(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);

    // Drafts for the new migrations, then everything validates.
    let generate = handoff(tmp.path(), &["generate"]);
    assert_eq!(generate.code, 0, "{}{}", generate.stdout, generate.stderr);
    assert!(
        tmp.path()
            .join("definitions/the-custodian.daily-report.yaml")
            .is_file()
    );
    let validate = handoff(tmp.path(), &["validate"]);
    assert_eq!(validate.code, 0, "{}", validate.stdout);
    let plan = handoff(tmp.path(), &["plan", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
    assert_eq!(v["summary"]["migrations"], 5);

    // Importing the same jobs again changes nothing.
    let written = read(&tmp.path().join("subjects.toml"));
    let again = handoff(
        tmp.path(),
        &[
            "import",
            "crontab",
            "--write",
            &repo()
                .join("tests/fixtures/import/crontab")
                .display()
                .to_string(),
        ],
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again
            .stderr
            .contains("is already in the registry as migration `daily-report`"),
        "{}",
        again.stderr
    );
    assert_eq!(read(&tmp.path().join("subjects.toml")), written);
}

#[test]
fn nothing_importable_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("crontab"),
        "# nothing but comments\nMAILTO=x\n61 * * * * /bin/true\n",
    )
    .unwrap();
    let run = handoff(
        &repo(),
        &[
            "import",
            "crontab",
            &tmp.path().join("crontab").display().to_string(),
        ],
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("nothing could be imported"));
}

/// The translated expressions fire when systemd says the timers elapse.
#[test]
fn oncalendar_translations_match_systemd_analyze() {
    let table: serde_json::Value =
        serde_json::from_str(include_str!("data/oncalendar_reference.json")).unwrap();
    let rows = table.as_array().unwrap();
    assert!(rows.len() >= 15);
    let (mut rejected, mut dst) = (0, 0);
    for row in rows {
        let spec = row["on_calendar"].as_str().unwrap();
        if row["rejected"] == true {
            // systemd refuses it: so must the import, with a reason.
            rejected += 1;
            let why = handoff::import::systemd::translate(spec)
                .map(|t| t.expr())
                .expect_err(spec);
            assert!(!why.is_empty(), "{spec}");
            continue;
        }
        let translated =
            handoff::import::systemd::translate(spec).unwrap_or_else(|e| panic!("{spec}: {e}"));
        let schedule = handoff::cron::parse(&translated.expr()).unwrap().schedule;
        let tz =
            handoff::cron::parse_timezone(translated.timezone.as_deref().unwrap_or("UTC")).unwrap();
        let from: jiff::Timestamp = row["asked_at"].as_str().unwrap().parse().unwrap();
        if row["dst"] == true {
            // Around a DST change cron and systemd may part ways; the import warns exactly when
            // they do.
            dst += 1;
            let expected: Vec<String> = row["next"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            let end: jiff::Timestamp = expected.last().unwrap().parse().unwrap();
            let got: Vec<String> = schedule
                .fires_between(from, end + jiff::SignedDuration::from_secs(1), &tz)
                .iter()
                .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
                .collect();
            let warned = schedule.differs_from_systemd(&tz, from, 1);
            assert_eq!(
                got != expected,
                !warned.is_empty(),
                "OnCalendar={spec} → {}: cron {got:?}, systemd {expected:?}, warned {warned:?}",
                translated.expr()
            );
            continue;
        }
        let expected: Vec<&str> = row["next"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let got: Vec<String> = schedule
            .upcoming(from, &tz, expected.len())
            .iter()
            .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
            .collect();
        assert_eq!(got, expected, "OnCalendar={spec} → {}", translated.expr());
    }
    assert!(
        rejected >= 10 && dst >= 3,
        "{rejected} rejected, {dst} DST rows"
    );
}

/// Writes `NAME.timer` (the given OnCalendar= lines) and `NAME.service` into `dir`.
fn timer(dir: &std::path::Path, name: &str, calendars: &[&str]) -> String {
    let mut text = String::from("[Timer]\n");
    for c in calendars {
        text.push_str(&format!("OnCalendar={c}\n"));
    }
    std::fs::write(dir.join(format!("{name}.timer")), text).unwrap();
    std::fs::write(
        dir.join(format!("{name}.service")),
        format!("[Service]\nExecStart=/usr/local/bin/{name}\n"),
    )
    .unwrap();
    dir.join(format!("{name}.timer")).display().to_string()
}

#[test]
fn representable_unions_translate_and_duplicates_and_zone_names_are_normalised() {
    let tmp = tempfile::tempdir().unwrap();
    for (calendars, schedule, zone) in [
        // Every weekday restricts nothing: the 1st of the month.
        (&["Mon..Sun *-*-01 00:00"][..], "0 0 1 * *", "UTC"),
        // `Fri` is inside `daily`.
        (&["Fri", "daily"][..], "0 0 * * *", "UTC"),
        (&["daily", "Fri 00:00"][..], "0 0 * * *", "UTC"),
        (&["*-*-* 02,2:16 UTC"][..], "16 2 * * *", "UTC"),
        (&["*-*-* 03:00 utc"][..], "0 3 * * *", "UTC"),
        (&["monday,MON 09:00"][..], "0 9 * * 1", "UTC"),
    ] {
        let path = timer(tmp.path(), "union", calendars);
        let run = handoff(&repo(), &["--registry", SMALL, "import", "systemd", &path]);
        assert_eq!(run.code, 0, "{calendars:?}: {}", run.stderr);
        assert!(
            run.stdout.contains(&format!("schedule = \"{schedule}\"")),
            "{calendars:?}: {}",
            run.stdout
        );
        assert!(
            run.stdout.contains(&format!("timezone = \"{zone}\"")),
            "{calendars:?}: {}",
            run.stdout
        );
    }
}

#[test]
fn timers_systemd_rejects_are_refused_with_its_reason() {
    let tmp = tempfile::tempdir().unwrap();
    for (calendar, reason) in [
        ("*-*-* 16/10:03:00", "16 + 10 is past the last hour, 23"),
        ("*:40/20", "40 + 20 is past the last minute, 59"),
        ("Monkey 09:00", "`Monkey` is not a weekday systemd accepts"),
        ("Thurs 09:00", "`Thurs` is not a weekday systemd accepts"),
        (
            "*-*-* 03:00 Europe/berlin",
            "case-sensitive (`Europe/Berlin`)",
        ),
    ] {
        let path = timer(tmp.path(), "bad", &[calendar]);
        let run = handoff(&repo(), &["--registry", SMALL, "import", "systemd", &path]);
        assert_eq!(run.code, 1, "{calendar}: {}", run.stdout);
        assert!(
            run.stderr.contains("error[import-untranslatable]") && run.stderr.contains(reason),
            "{calendar}: {}",
            run.stderr
        );
    }
}

#[test]
fn a_timer_whose_cron_differs_at_dst_changes_is_imported_with_a_warning_naming_the_dates() {
    let tmp = tempfile::tempdir().unwrap();
    // HANDOFF_NOW (2026-11-26 in the CLI tests) is the start of the year looked at.
    for (calendar, date, what) in [
        (
            "*-*-* 02,2:16 America/New_York",
            "on 2027-03-14 02:16 does not exist",
            "systemd skipped it",
        ),
        (
            "*-*-* *:57 Europe/Berlin",
            "on 2027-10-31 02:57 happens twice",
            "systemd fired once",
        ),
    ] {
        let path = timer(tmp.path(), "dst", &[calendar]);
        let run = handoff(&repo(), &["--registry", SMALL, "import", "systemd", &path]);
        assert_eq!(run.code, 0, "{calendar}: {}", run.stderr);
        assert!(
            run.stderr.contains("warning[import-dst]")
                && run.stderr.contains(date)
                && run.stderr.contains(what),
            "{calendar}: {}",
            run.stderr
        );
        assert!(run.stdout.contains("[[migrations]]"), "{}", run.stdout);
    }
    // A time no DST change touches: no warning.
    let path = timer(tmp.path(), "dst", &["*-*-* 09:00 America/New_York"]);
    let run = handoff(&repo(), &["--registry", SMALL, "import", "systemd", &path]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("import-dst"), "{}", run.stderr);
}

#[test]
fn a_system_crontab_line_without_system_is_refused_and_names_come_from_the_script() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("crontab");
    std::fs::write(
        &path,
        "0 3 * * * root /usr/bin/backup\n\
         0 4 * * * www-data /usr/bin/php /var/www/artisan billing:close-week\n\
         0 5 * * * php artisan billing:close-week\n\
         0 6 * * * python3 /opt/x/cleanup_stale_tasks.py\n",
    )
    .unwrap();
    let path = path.display().to_string();
    let run = handoff(&repo(), &["--registry", SMALL, "import", "crontab", &path]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Before: migration `root` with command `root /usr/bin/backup`.
    assert!(!run.stdout.contains("name = \"root\""), "{}", run.stdout);
    assert!(!run.stdout.contains("command = \"root "), "{}", run.stdout);
    for (line, user) in [(1, "root"), (2, "www-data")] {
        assert!(
            run.stderr.contains(&format!("crontab:{line}:11"))
                && run.stderr.contains(&format!(
                    "this looks like a system crontab line: `{user}` is the user"
                )),
            "{}",
            run.stderr
        );
    }
    assert!(run.stderr.contains("with --system"), "{}", run.stderr);
    // Named from the task or script, not from the interpreter.
    assert!(
        run.stdout.contains("name = \"billing-close-week\""),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("name = \"cleanup-stale-tasks\""),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("name = \"php\""), "{}", run.stdout);
    // With --system the same user lines import, named from their scripts.
    let run = handoff(
        &repo(),
        &["--registry", SMALL, "import", "crontab", "--system", &path],
    );
    assert!(run.stdout.contains("name = \"backup\""), "{}", run.stdout);
    assert!(
        run.stdout.contains("runs as user www-data"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_cron_tz_job_at_dst_changes_is_imported_with_a_warning() {
    // cronie's DST catch-up works in the daemon's own zone only; a CRON_TZ job is checked minute
    // by minute in its zone: a fixed time in the gap does not run, one in the overlap runs twice.
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("crontab");
    std::fs::write(
        &path,
        "CRON_TZ=America/New_York\n30 2 * * * /usr/local/bin/gap.sh\n30 1 * * * /usr/local/bin/fold.sh\n0 9 * * * /usr/local/bin/fine.sh\n*/30 * * * * /usr/local/bin/wild.sh\n",
    )
    .unwrap();
    let path = path.display().to_string();
    let run = handoff(&repo(), &["--registry", SMALL, "import", "crontab", &path]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout.matches("[[migrations]]").count(),
        4,
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stderr.matches("warning[import-dst]").count(),
        2,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("on 2027-03-14 02:30 does not exist: cronie skipped it for a CRON_TZ job"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("on 2027-11-07 01:30 happens twice: cronie ran a CRON_TZ job both times"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(":2:1"), "{}", run.stderr);
    assert!(run.stderr.contains(":3:1"), "{}", run.stderr);
}

#[test]
fn crontab_lines_with_ranges_ending_in_sunday_zero_import() {
    // cronie reads `fri-sun` and `5-0` as Friday-Sunday; handoff used to reject these lines.
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("crontab");
    std::fs::write(
        &path,
        "0 9 * * fri-sun /usr/local/bin/weekend.sh\n30 8 * * 5-0 /usr/local/bin/late-week.sh\n",
    )
    .unwrap();
    let path = path.display().to_string();
    let run = handoff(&repo(), &["--registry", SMALL, "import", "crontab", &path]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("error["), "{}", run.stderr);
    assert!(
        run.stdout.contains("schedule = \"0 9 * * fri-sun\""),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("schedule = \"30 8 * * 5-0\""),
        "{}",
        run.stdout
    );
}
