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
    print(json.dumps(rows, indent=1))

if __name__ == "__main__":
    main()
