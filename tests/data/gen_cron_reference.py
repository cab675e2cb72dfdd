#!/usr/bin/env python3
"""Regenerates tests/data/cron_reference.json with Python's croniter, the reference
implementation handoff's cron engine is compared with (tests/cron_reference.rs).

    python3 -m venv /tmp/v && /tmp/v/bin/pip install croniter
    /tmp/v/bin/python tests/data/gen_cron_reference.py > tests/data/cron_reference.json

Rows cover the OR rule, 0/7 = Sunday, names, steps, leap days, month ends, macros and time zones.
croniter is used where it agrees with cronie (Vixie cron). Two kinds of rows are NOT croniter's:
- `*/n` in a day field with the other day field restricted: cronie ANDs, croniter ORs; those rows
  are left out here (handoff warns about the disagreement, `cron-step-or-rule`).
- fixed times inside a DST gap or overlap: the rows in CRONIE_DST below state cronie's documented
  behaviour (a fixed job runs once right after a spring-forward jump, and once in a fall-back
  overlap; a wildcard job skips the gap and runs in both passes of the overlap), derived by hand
  from the time zone's transition, with the reason in `note`.
"""
import json
from datetime import datetime, timezone

import croniter
from importlib.metadata import version
import pytz

CASES = [
    # (expression, time zone, start (UTC))
    ("0 0 13 * 5", "UTC", "2026-11-01T00:00:00Z"),          # OR rule: every 13th and every Friday
    ("0 0 1-7 * 1", "UTC", "2026-11-01T00:00:00Z"),         # OR rule: days 1-7 and every Monday
    ("30 6 1,15 * mon", "UTC", "2026-11-20T00:00:00Z"),
    ("0 12 * * 0", "UTC", "2026-11-26T00:00:00Z"),          # Sunday as 0
    ("0 12 * * 7", "UTC", "2026-11-26T00:00:00Z"),          # Sunday as 7
    ("0 12 * * 5-7", "UTC", "2026-11-26T00:00:00Z"),        # Friday through Sunday
    ("0 12 * * 0,6", "UTC", "2026-11-26T00:00:00Z"),
    ("0 9 * * mon-fri", "UTC", "2026-11-26T00:00:00Z"),     # names
    ("0 9 * * MON-FRI", "UTC", "2026-11-26T00:00:00Z"),
    ("0 0 1 jan,jul *", "UTC", "2026-11-26T00:00:00Z"),
    ("15 10 * feb-apr sat", "UTC", "2026-11-26T00:00:00Z"),
    ("*/15 * * * *", "UTC", "2026-11-26T23:40:00Z"),        # steps
    ("5-50/10 * * * *", "UTC", "2026-11-26T10:00:00Z"),
    ("0 */6 * * *", "UTC", "2026-11-26T10:00:00Z"),
    ("0 8-18/2 * * 1-5", "UTC", "2026-11-27T15:00:00Z"),
    ("*/7 * * * *", "UTC", "2026-11-26T10:50:00Z"),
    ("0 0 */10 * *", "UTC", "2026-11-26T00:00:00Z"),
    ("0 0 29 2 *", "UTC", "2026-03-01T00:00:00Z"),          # leap days
    ("0 0 29 2 *", "UTC", "2027-01-01T00:00:00Z"),
    ("0 0 28,29 2 *", "UTC", "2027-01-01T00:00:00Z"),
    ("0 0 31 * *", "UTC", "2026-11-26T00:00:00Z"),          # month ends
    ("0 0 30 * *", "UTC", "2027-01-15T00:00:00Z"),          # skips February
    ("59 23 31 12 *", "UTC", "2026-11-26T00:00:00Z"),
    ("0 0 1 * *", "UTC", "2026-12-31T23:59:00Z"),
    ("0 3 * * *", "UTC", "2026-11-26T03:00:00Z"),           # strictly after the start
    ("*/15 * * * *", "UTC", "2026-11-26T00:15:00Z"),
    ("* * * * *", "UTC", "2026-11-26T23:58:30Z"),
    ("0 0 * * *", "UTC", "2026-11-26T12:00:00Z"),           # @daily
    ("0 * * * *", "UTC", "2026-11-26T12:30:00Z"),           # @hourly
    ("0 0 * * 0", "UTC", "2026-11-26T12:30:00Z"),           # @weekly
    ("0 0 1 * *", "UTC", "2026-11-26T12:30:00Z"),           # @monthly
    ("0 0 1 1 *", "UTC", "2026-11-26T12:30:00Z"),           # @yearly
    ("0 9 * * 1-5", "America/New_York", "2026-11-27T00:00:00Z"),  # time zones
    ("0 9 * * 1-5", "America/New_York", "2027-03-12T00:00:00Z"),  # across spring forward
    ("0 9 * * 1-5", "America/New_York", "2026-10-30T00:00:00Z"),  # across fall back
    ("0 9 * * *", "Europe/Berlin", "2027-03-26T00:00:00Z"),
    ("0 9 * * *", "Europe/Berlin", "2026-10-23T00:00:00Z"),
    ("0 3 * * *", "Europe/Berlin", "2027-03-27T00:00:00Z"),       # 03:00 exists after the jump
    ("0 18 * * *", "Australia/Sydney", "2026-09-30T00:00:00Z"),   # southern spring forward
    ("0 18 * * *", "Australia/Sydney", "2027-04-01T00:00:00Z"),
    ("30 9 * * *", "Asia/Kolkata", "2026-11-26T00:00:00Z"),       # half-hour offset
    ("0 0 1 * *", "Asia/Kolkata", "2026-11-26T00:00:00Z"),
    ("*/30 * * * *", "Asia/Kolkata", "2026-11-26T18:00:00Z"),
    ("0 12 13 * 5", "Europe/Berlin", "2026-11-01T00:00:00Z"),
    ("45 23 * * sun", "America/New_York", "2026-11-26T00:00:00Z"),
    ("0 0 29 2 *", "Europe/Berlin", "2027-06-01T00:00:00Z"),
]

CRONIE_DST = [
    {"expr": "30 2 * * *", "tz": "America/New_York", "from": "2027-03-13T12:00:00Z",
     "next": ["2027-03-14T07:00:00Z", "2027-03-15T06:30:00Z", "2027-03-16T06:30:00Z"],
     "source": "cronie",
     "note": "02:30 does not exist on 2027-03-14 (02:00 EST -> 03:00 EDT at 07:00Z): a fixed job runs once right after the jump"},
    {"expr": "*/30 * * * *", "tz": "America/New_York", "from": "2027-03-14T06:31:00Z",
     "next": ["2027-03-14T07:00:00Z", "2027-03-14T07:30:00Z", "2027-03-14T08:00:00Z"],
     "source": "cronie",
     "note": "a wildcard job skips the missing 02:00-02:59 and goes on at 03:00 EDT"},
    {"expr": "30 1 * * *", "tz": "America/New_York", "from": "2026-11-01T04:00:00Z",
     "next": ["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z", "2026-11-03T06:30:00Z"],
     "source": "cronie",
     "note": "01:30 occurs twice on 2026-11-01 (EDT then EST): a fixed job runs only the first time"},
    {"expr": "30 * * * *", "tz": "America/New_York", "from": "2026-11-01T05:00:00Z",
     "next": ["2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z", "2026-11-01T07:30:00Z"],
     "source": "cronie",
     "note": "a wildcard job runs in both passes of the repeated 01:00-01:59"},
    {"expr": "30 2 * * *", "tz": "Europe/Berlin", "from": "2027-03-27T12:00:00Z",
     "next": ["2027-03-28T01:00:00Z", "2027-03-29T00:30:00Z"],
     "source": "cronie",
     "note": "02:30 does not exist on 2027-03-28 (02:00 CET -> 03:00 CEST at 01:00Z): runs at the jump"},
    {"expr": "30 2 * * *", "tz": "Europe/Berlin", "from": "2026-10-24T12:00:00Z",
     "next": ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"],
     "source": "cronie",
     "note": "02:30 occurs twice on 2026-10-25 (CEST then CET): a fixed job runs only the first time"},
]


def iso(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    rows = []
    for expr, tz, start in CASES:
        zone = pytz.timezone(tz)
        base = datetime.strptime(start, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).astimezone(zone)
        it = croniter.croniter(expr, base)
        nxt = [iso(it.get_next(datetime)) for _ in range(5)]
        rows.append({"expr": expr, "tz": tz, "from": start, "next": nxt, "source": "croniter " + version("croniter")})
    rows.extend(CRONIE_DST)
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
