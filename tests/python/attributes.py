"""Driven by tests/nats_python.rs: bad input to the generated publishers never raises.

Usage: attributes.py STUBS_DIR
Runs with NATS_URL unset (publishing is a no-op, so only the checks run). Prints one JSON line
{"ok": [...], "dropped": [...]}: the cases whose outcome was right. Exits 1 (with the case's
name on stderr) at the first case that raised or came out wrong.
"""

import asyncio
import json
import logging
import sys
import uuid
from datetime import datetime, timedelta, timezone

sys.path.insert(0, sys.argv[1])
import statehub_events as ev  # noqa: E402

logging.basicConfig(level=logging.INFO, stream=sys.stderr)

UTC_MINUS_1 = timezone(timedelta(hours=-1))
NAIVE = datetime(2026, 11, 26, 9, 30, 0, 123456)


class BadRepr:
    def __repr__(self) -> str:
        raise RuntimeError("repr fails")


class BadTz(timezone.__base__):  # a tzinfo whose utcoffset raises
    def utcoffset(self, dt):
        raise RuntimeError("utcoffset fails")


def repo(**over):
    args = dict(repo_id=uuid.uuid4(), slug="a/b", registered_at="2026-11-26T09:30:00Z")
    args.update(over)
    return ev.publish_repo_registered(**args)


# name -> (coroutine factory, expected registered_at on the wire, or None = dropped)
CASES = {
    "naive datetime (SQLAlchemy DateTime())": (
        lambda: repo(registered_at=NAIVE),
        "2026-11-26T09:30:00.123456Z",
    ),
    "datetime.utcnow()": (lambda: repo(registered_at=datetime.utcnow()), "Z"),
    "aware datetime at +02:00": (
        lambda: repo(registered_at=datetime(2026, 11, 26, 11, 30, tzinfo=timezone(timedelta(hours=2)))),
        "2026-11-26T09:30:00.000000Z",
    ),
    "string +00:00": (lambda: repo(registered_at="2026-11-26T09:30:00+00:00"), "2026-11-26T09:30:00.000000Z"),
    "string -05:30 with millis": (
        lambda: repo(registered_at="2026-11-26T04:00:00.250-05:30"),
        "2026-11-26T09:30:00.250000Z",
    ),
    "string Z kept": (lambda: repo(registered_at="2026-11-26T09:30:00Z"), "2026-11-26T09:30:00Z"),
    "string lowercase t/z": (lambda: repo(registered_at="2026-11-26t09:30:00z"), "2026-11-26T09:30:00.000000Z"),
    "datetime.max at -01:00 (OverflowError)": (lambda: repo(registered_at=datetime.max.replace(tzinfo=UTC_MINUS_1)), None),
    "datetime.min at +01:00": (
        lambda: repo(registered_at=datetime.min.replace(tzinfo=timezone(timedelta(hours=1)))),
        None,
    ),
    "string past year 9999 in UTC": (lambda: repo(registered_at="9999-12-31T23:30:00-01:00"), None),
    "tzinfo that raises": (lambda: repo(registered_at=datetime(2026, 1, 1, tzinfo=BadTz())), None),
    "string without offset": (lambda: repo(registered_at="2026-11-26T09:30:00"), None),
    "date only": (lambda: repo(registered_at="2026-11-26"), None),
    "February 30th": (lambda: repo(registered_at="2026-02-30T09:30:00Z"), None),
    "timestamp as int": (lambda: repo(registered_at=1764149400), None),
    "uuid not a uuid": (lambda: repo(repo_id="not-a-uuid"), None),
    "uuid as int": (lambda: repo(repo_id=12), None),
    "slug as bytes": (lambda: repo(slug=b"a/b"), None),
    "slug with a raising repr": (lambda: repo(slug=BadRepr()), None),
    "required attribute None": (lambda: repo(slug=None), None),
    "integer as bool": (
        lambda: ev.publish_task_stale(task_id=uuid.uuid4(), last_activity_at=NAIVE, stale_days=True),
        None,
    ),
    "integer past u64": (
        lambda: ev.publish_task_stale(task_id=uuid.uuid4(), last_activity_at=NAIVE, stale_days=2**64),
        None,
    ),
    "enum outside its values": (
        lambda: ev.publish_decision_resolved(
            decision_id=uuid.uuid4(), resolution="maybe", resolved_by="x", resolved_at=NAIVE
        ),
        None,
    ),
    "enum unhashable": (
        lambda: ev.publish_decision_resolved(
            decision_id=uuid.uuid4(), resolution=["accepted"], resolved_by="x", resolved_at=NAIVE
        ),
        None,
    ),
}


async def main() -> None:
    ok, dropped = [], []
    for name, (call, expected) in CASES.items():
        try:
            env = await call()
        except BaseException as e:  # noqa: BLE001
            print("RAISED %s: %s: %r" % (name, type(e).__name__, e), file=sys.stderr)
            sys.exit(1)
        if expected is None:
            if env is not None:
                print("NOT DROPPED %s: %r" % (name, env), file=sys.stderr)
                sys.exit(1)
            dropped.append(name)
            continue
        got = None if env is None else env["attributes"].get("registered_at")
        good = got is not None and (got == expected or (expected == "Z" and got.endswith("Z")))
        if not good:
            print("WRONG %s: %r, expected %r" % (name, got, expected), file=sys.stderr)
            sys.exit(1)
        ok.append(name)
    print(json.dumps({"ok": ok, "dropped": dropped}))


asyncio.run(main())
