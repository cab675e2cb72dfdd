#!/usr/bin/env python3
"""Regenerates tests/data/oncalendar_reference.json: for each OnCalendar expression, the next
elapse times `systemd-analyze calendar --iterations=5` prints (in UTC), and the instant it was
asked at. tests/import.rs translates each expression to cron and checks that handoff's cron
engine gives the same times after that instant.

    python3 tests/data/gen_oncalendar_reference.py > tests/data/oncalendar_reference.json

Needs systemd-analyze (Debian: systemd); written with systemd 252.
"""
import json, os, re, subprocess
from datetime import datetime, timezone

EXPRESSIONS = [
    "*-*-* 03:00:00",
    "Mon..Fri *-*-* 09:00",
    "*:0/15",
    "daily",
    "weekly",
    "monthly",
    "hourly",
    "quarterly",
    "semiannually",
    "*-*-01 04:30",
    "Sat,Sun 10:00",
    "*-01,07-01 00:00",
    "*-*-* 08..18:00",
    "*-*-* *:05:00",
    "Mon,Wed,Fri *-*-* 22:15",
    "*-02-29 12:00",
    "Mon-Fri 09:00",
    "Fri..Sun 09:00",
    "*:5/20",
    "*-*-* 08..18/2:00",
    "*-*-1/10 06:00",
    # Unions and spellings systemd accepts (handoff used to refuse or misread some).
    "Mon..Sun *-*-01 00:00",
    "*-*-* 02,2:16",
    "*-*-* 03:00 utc",
    "MONDAY 09:00",
    "monday,Tue 09:00",
    "*-*-* 13/10:03:00",
    "*:39/20",
    "*-*-19/12 00:00",
]

# Specifications systemd rejects; handoff must refuse them too.
REJECTED = [
    "*-*-* 16/10:03:00",
    "*-*-* 14/10:03:00",
    "*:40/20",
    "*-*-20/12 00:00",
    "*-12/1-01",
    "*-*-* 0/24:00",
    "Monkey 09:00",
    "Thurs 09:00",
    "Mo 09:00",
    "*-*-* 03:00 Europe/berlin",
]

# Around DST changes, from a fixed base time: systemd skips a local time that does not exist and
# fires a repeated one once; cron does not (handoff warns on import). The first row agrees.
DST = [
    ("*-*-* 09:00 America/New_York", "2027-03-12 00:00:00 UTC", 4),
    ("*-*-* 02,2:16 America/New_York", "2027-03-12 00:00:00 UTC", 4),
    ("*-*-* *:57 Europe/Berlin", "2026-10-25 00:00:00 UTC", 4),
]

def main():
    env = dict(os.environ, TZ="UTC", LC_ALL="C")
    rows = []
    for expr in EXPRESSIONS:
        asked = datetime.now(timezone.utc).replace(microsecond=0)
        out = subprocess.run(["systemd-analyze", "calendar", "--iterations=5", expr],
                             env=env, check=True, capture_output=True, text=True).stdout
        times = re.findall(r"(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC", out)
        version = subprocess.run(["systemd-analyze", "--version"], capture_output=True, text=True).stdout.split()[1]
        rows.append({
            "on_calendar": expr,
            "asked_at": asked.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "next": [t.replace(" ", "T") + "Z" for t in times],
            "source": f"systemd-analyze {version}",
        })
    for expr in REJECTED:
        run = subprocess.run(["systemd-analyze", "calendar", expr], env=env, capture_output=True, text=True)
        assert run.returncode != 0, expr
        rows.append({"on_calendar": expr, "rejected": True, "source": f"systemd-analyze {version}"})
    for expr, base, n in DST:
        out = subprocess.run(["systemd-analyze", "calendar", f"--iterations={n}", f"--base-time={base}", expr],
                             env=env, check=True, capture_output=True, text=True).stdout
        times = re.findall(r"(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC", out)
        rows.append({
            "on_calendar": expr,
            "asked_at": base.replace(" UTC", "Z").replace(" ", "T"),
            "next": [t.replace(" ", "T") + "Z" for t in times],
            "dst": True,
            "source": f"systemd-analyze {version}",
        })
    print(json.dumps(rows, indent=1))

if __name__ == "__main__":
    main()
