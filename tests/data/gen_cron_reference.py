#!/usr/bin/env python3
"""Regenerates tests/data/cron_reference.json, the table tests/cron_reference.rs checks handoff's
cron engine against. The test itself only reads the JSON; Python is needed only to regenerate:

    python3 -m venv /tmp/cronref && /tmp/cronref/bin/pip install croniter
    /tmp/cronref/bin/python tests/data/gen_cron_reference.py > tests/data/cron_reference.json

Each row: expr, tz, from (UTC), next (the next fire times strictly after `from`, UTC), source, and
for some rows a note.

Where the expectations come from:
- croniter (Python), for every row where it agrees with cronie (Vixie cron), the semantics handoff
  follows. That is all rows except some inside DST changes.
- For rows whose window contains a DST transition of the zone, the script also runs a small
  simulation of cronie's main loop (`cronie_fires` below, a transcription of cron.c's handling of
  a local clock that jumps: "wakeupKind" 1, 2 and 0), minute by minute in real time. Where
  croniter and that simulation agree, the row says so. Where they differ (croniter runs a
  fixed-time job in BOTH passes of a fall-back overlap, cronie runs it once; after a spring-forward
  jump croniter runs a fixed-time job once, cronie once per selected missed minute), the row takes
  cronie's answer, `source` says so and `note` gives croniter's answer and the reason.
- `*/n` in a day field with the other day field restricted is left out: cronie ANDs, croniter ORs
  (handoff warns, `cron-step-or-rule`).
"""
import json
import sys
from datetime import datetime, timedelta, timezone
from importlib.metadata import version
from zoneinfo import ZoneInfo

from croniter import croniter

CRONITER = f"croniter {version('croniter')}"

# (expression, time zone, start instant in UTC, how many fire times)
CASES = [
    # The POSIX OR rule: both day fields restricted.
    ("0 0 13 * 5", "UTC", "2026-11-01T00:00:00Z", 6),
    ("0 0 1-7 * 1", "UTC", "2026-11-01T00:00:00Z", 8),
    ("30 6 1,15 * mon", "UTC", "2026-11-20T00:00:00Z", 5),
    ("0 0 13 2 fri", "UTC", "2027-01-20T00:00:00Z", 5),
    # Only one day field restricted: the other is ignored.
    ("0 0 13 * *", "UTC", "2026-11-20T00:00:00Z", 3),
    ("0 0 * * 5", "UTC", "2026-11-20T00:00:00Z", 3),
    # Sunday is 0 and 7.
    ("0 12 * * 0", "UTC", "2026-11-26T00:00:00Z", 3),
    ("0 12 * * 7", "UTC", "2026-11-26T00:00:00Z", 3),
    ("0 12 * * 5-7", "UTC", "2026-11-26T00:00:00Z", 5),
    ("0 12 * * 0,6", "UTC", "2026-11-26T00:00:00Z", 4),
    ("0 12 * * 0-7", "UTC", "2026-11-26T00:00:00Z", 3),
    ("0 12 * * sun", "UTC", "2026-11-26T00:00:00Z", 2),
    # Names, any case.
    ("0 9 * * mon-fri", "UTC", "2026-11-26T00:00:00Z", 6),
    ("0 9 * * MON-FRI", "UTC", "2026-11-26T00:00:00Z", 3),
    ("0 9 * * Sat,Sun", "UTC", "2026-11-26T00:00:00Z", 4),
    ("0 0 1 jan,jul *", "UTC", "2026-11-26T00:00:00Z", 4),
    ("15 10 * feb-apr sat", "UTC", "2026-11-26T00:00:00Z", 5),
    ("0 0 1 JAN-MAR/2 *", "UTC", "2026-11-26T00:00:00Z", 4),
    # Steps.
    ("*/15 * * * *", "UTC", "2026-11-26T23:40:00Z", 6),
    ("5-50/10 * * * *", "UTC", "2026-11-26T10:00:00Z", 7),
    ("0 */6 * * *", "UTC", "2026-11-26T10:00:00Z", 5),
    ("0 8-18/2 * * 1-5", "UTC", "2026-11-27T15:00:00Z", 6),
    ("*/7 * * * *", "UTC", "2026-11-26T10:50:00Z", 5),
    ("0 0 */10 * *", "UTC", "2026-11-26T00:00:00Z", 5),
    ("*/59 * * * *", "UTC", "2026-11-26T10:30:00Z", 4),
    ("0 0 * * */2", "UTC", "2026-11-26T00:00:00Z", 5),
    ("0 0 1 */3 *", "UTC", "2026-11-26T00:00:00Z", 4),
    ("* * * * *", "UTC", "2026-12-31T23:58:00Z", 4),
    ("0,30 9-10 * * *", "UTC", "2026-11-26T09:00:00Z", 5),
    # Leap days.
    ("0 0 29 2 *", "UTC", "2026-03-01T00:00:00Z", 3),
    ("0 0 29 2 *", "UTC", "2027-01-01T00:00:00Z", 2),
    ("0 0 29 2 *", "UTC", "2096-03-01T00:00:00Z", 2),
    ("0 0 28,29 2 *", "UTC", "2027-01-01T00:00:00Z", 4),
    ("0 0 29 2 1", "UTC", "2027-02-20T00:00:00Z", 4),
    # Month ends.
    ("0 0 31 * *", "UTC", "2026-11-26T00:00:00Z", 5),
    ("0 0 30 * *", "UTC", "2027-01-15T00:00:00Z", 4),
    ("0 0 29,30,31 * *", "UTC", "2027-01-28T00:00:00Z", 7),
    ("59 23 31 12 *", "UTC", "2026-11-26T00:00:00Z", 2),
    ("0 0 1 * *", "UTC", "2026-12-31T23:59:00Z", 3),
    ("0 0 31 1,3 *", "UTC", "2027-02-01T00:00:00Z", 3),
    # Strictly after the start; starts with seconds.
    ("0 3 * * *", "UTC", "2026-11-26T03:00:00Z", 2),
    ("0 3 * * *", "UTC", "2026-11-26T02:59:59Z", 2),
    ("*/5 * * * *", "UTC", "2026-11-26T10:02:30Z", 3),
    # Macros.
    ("@yearly", "UTC", "2026-11-26T00:00:00Z", 2),
    ("@annually", "UTC", "2026-11-26T00:00:00Z", 2),
    ("@monthly", "UTC", "2026-11-26T00:00:00Z", 3),
    ("@weekly", "UTC", "2026-11-26T00:00:00Z", 3),
    ("@daily", "UTC", "2026-11-26T12:00:00Z", 3),
    ("@midnight", "UTC", "2026-11-26T12:00:00Z", 2),
    ("@hourly", "UTC", "2026-11-26T22:30:00Z", 3),
    # Asia/Kolkata: +05:30, no DST.
    ("30 9 * * *", "Asia/Kolkata", "2026-11-26T00:00:00Z", 3),
    ("0 0 1 * *", "Asia/Kolkata", "2026-11-26T00:00:00Z", 3),
    ("*/45 * * * *", "Asia/Kolkata", "2026-11-26T03:20:00Z", 4),
    ("0 9 * * mon-fri", "Asia/Kolkata", "2026-11-26T00:00:00Z", 4),
    # America/New_York: spring forward 2027-03-14 02:00 EST -> 03:00 EDT (07:00Z),
    # fall back 2026-11-01 02:00 EDT -> 01:00 EST (06:00Z).
    ("0 9 * * *", "America/New_York", "2027-03-12T00:00:00Z", 4),
    ("30 2 * * *", "America/New_York", "2027-03-13T12:00:00Z", 3),
    ("0 2 * * *", "America/New_York", "2027-03-13T12:00:00Z", 3),
    ("0 1-3 * * *", "America/New_York", "2027-03-14T00:00:00Z", 5),
    ("0,30 2 * * *", "America/New_York", "2027-03-13T12:00:00Z", 4),
    ("0,30 2,3 * * *", "Europe/Berlin", "2027-03-27T12:00:00Z", 5),
    ("*/30 * * * *", "America/New_York", "2027-03-14T06:00:00Z", 5),
    ("30 * * * *", "America/New_York", "2027-03-14T05:00:00Z", 4),
    ("@hourly", "America/New_York", "2027-03-14T05:30:00Z", 4),
    ("30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", 3),
    ("0 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", 3),
    ("0 1-3 * * *", "America/New_York", "2026-11-01T00:00:00Z", 5),
    ("30 * * * *", "America/New_York", "2026-11-01T03:00:00Z", 5),
    ("*/30 1 * * *", "America/New_York", "2026-11-01T04:00:00Z", 6),
    ("0 12 * * 0", "America/New_York", "2026-10-20T00:00:00Z", 4),
    # Europe/Berlin: spring forward 2027-03-28 02:00 CET -> 03:00 CEST (01:00Z),
    # fall back 2026-10-25 03:00 CEST -> 02:00 CET (01:00Z).
    ("30 2 * * *", "Europe/Berlin", "2027-03-27T12:00:00Z", 3),
    ("0 * * * *", "Europe/Berlin", "2027-03-27T23:30:00Z", 4),
    ("30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z", 3),
    ("*/20 * * * *", "Europe/Berlin", "2026-10-24T23:50:00Z", 8),
    ("0 12 * * 1-5", "Europe/Berlin", "2026-10-22T00:00:00Z", 5),
    ("0 2 * * 0", "Europe/Berlin", "2027-03-20T00:00:00Z", 3),
    # Australia/Sydney: spring forward 2026-10-04 02:00 AEST -> 03:00 AEDT (2026-10-03T16:00Z),
    # fall back 2027-04-04 03:00 AEDT -> 02:00 AEST (2027-04-03T16:00Z).
    ("30 2 * * *", "Australia/Sydney", "2026-10-03T00:00:00Z", 3),
    ("15 * * * *", "Australia/Sydney", "2026-10-03T14:00:00Z", 4),
    ("@daily", "Australia/Sydney", "2026-10-02T00:00:00Z", 4),
    ("30 2 * * *", "Australia/Sydney", "2027-04-03T00:00:00Z", 3),
    ("0 * * * *", "Australia/Sydney", "2027-04-03T14:30:00Z", 5),
    ("0 0 1 * *", "Australia/Sydney", "2026-09-15T00:00:00Z", 4),
]

MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}


def utc(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def show(t):
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def croniter_fires(expr, tz, start, n):
    it = croniter(expr, start.astimezone(ZoneInfo(tz)))
    return [show(it.get_next(datetime)) for _ in range(n)]


def cronie_fires(expr, tz, start, n, until):
    """A minute-by-minute simulation of cronie's main loop (cron.c) in real time.

    cronie keeps `virtual` and `running` times in local minutes (UTC seconds plus the zone's
    offset, divided by 60). Each real minute it compares them: a difference of 1 is the normal
    case; 2-5 runs every job for each missed minute; 6-180 (spring forward) runs wildcard jobs
    for the current minute and fixed-time jobs for each skipped minute; 0 down to -179 (fall
    back) runs only wildcard jobs, for the current minute. A job is wildcard when its minute or
    hour field starts with `*`. Field values come from croniter's parser; the day rule is
    cronie's (OR only when neither day field starts with `*`).
    """
    fields = MACROS.get(expr, expr).split()
    expanded = croniter(" ".join(fields)).expanded
    wild = fields[0].startswith("*") or fields[1].startswith("*")
    dom_star, dow_star = fields[2].startswith("*"), fields[4].startswith("*")
    zone = ZoneInfo(tz)

    def has(i, v):
        return expanded[i] == ["*"] or v in expanded[i]

    def matches(local_minute):
        t = datetime(1970, 1, 1) + timedelta(minutes=local_minute)
        dom, dow = has(2, t.day), has(4, (t.weekday() + 1) % 7)
        day = (dom and dow) if (dom_star or dow_star) else (dom or dow)
        return has(0, t.minute) and has(1, t.hour) and has(3, t.month) and day

    def local_minutes(t):
        offset = t.astimezone(zone).utcoffset()
        return int((t.timestamp() + offset.total_seconds()) // 60)

    out = []

    def run(t, minute, do_wild, do_fixed):
        if matches(minute) and ((do_wild and wild) or (do_fixed and not wild)):
            # Each catch-up step queues the job again after job_runqueue() ran the previous
            # one, so two missed minutes are two runs at the same instant.
            out.append(show(t))

    t = start.replace(second=0, microsecond=0) + timedelta(minutes=1)
    virtual = local_minutes(t - timedelta(minutes=1))
    while len(out) < n and t <= until:
        running = local_minutes(t)
        diff = running - virtual
        if diff == 1:
            virtual = running
            run(t, virtual, True, True)
        elif 0 < diff <= 5:
            while virtual < running:
                virtual += 1
                run(t, virtual, True, True)
        elif 5 < diff <= 180:
            run(t, running, True, False)
            while virtual < running:
                virtual += 1
                run(t, virtual, False, True)
        elif -180 < diff <= 0:
            run(t, running, True, False)
        else:
            virtual = running
            run(t, running, True, True)
        t += timedelta(minutes=1)
    return out[:n]


def transitions(tz, start, end):
    """The offset changes in [start, end]: "forward" (spring, a gap) or "back" (an overlap)."""
    zone = ZoneInfo(tz)
    t, last = start, start.astimezone(zone).utcoffset()
    found = set()
    while t <= end:
        off = t.astimezone(zone).utcoffset()
        if off != last:
            found.add("forward" if off > last else "back")
            last = off
        t += timedelta(minutes=30)
    return found


def main():
    rows = []
    checked = 0
    for expr, tz, start_s, n in CASES:
        start = utc(start_s)
        theirs = croniter_fires(expr, tz, start, n)
        row = {"expr": expr, "tz": tz, "from": start_s, "next": theirs, "source": CRONITER}
        window_end = utc(theirs[-1])
        if (window_end - start).days <= 40:
            cronie = cronie_fires(expr, tz, start, n, window_end + timedelta(days=1))
            checked += 1
            dst = transitions(tz, start, window_end)
            if cronie != theirs:
                if not dst:
                    sys.exit(f"simulation and croniter disagree outside DST: {expr} {tz} {start_s}")
                row["next"] = cronie
                row["source"] = "cronie semantics (simulation of cron.c, see header)"
                notes = []
                if "back" in dst:
                    notes.append(
                        "it runs a fixed-time job in both passes of the fall-back overlap; cronie "
                        "runs a fixed-time job (minute and hour fields not starting with *) once, "
                        "in the first pass, and wildcard jobs in both"
                    )
                if "forward" in dst:
                    notes.append(
                        "after a spring-forward jump it runs a fixed-time job once; cronie's "
                        "catch-up runs it once per selected missed minute (and again for the "
                        "selected minute the clock lands on), all right after the jump"
                    )
                row["note"] = f"{CRONITER} gives {theirs}: " + "; ".join(notes) + "."
            elif dst:
                row["source"] = f"{CRONITER}, agrees with the cronie simulation"
        rows.append(row)
    json.dump(rows, sys.stdout, indent=1)
    sys.stdout.write("\n")
    print(f"{len(rows)} rows, {checked} also simulated", file=sys.stderr)


if __name__ == "__main__":
    main()
