"""Driven by tests/nats_python.rs: publishes events through the generated stubs.

Usage: publish_events.py STUBS_DIR MODE
  MODE publish : publish one valid event per subject, then close(); prints the envelopes' ids.
  MODE timing  : publish three events (NATS down or NATS_URL unset) and print each call's
                 duration in seconds as JSON; must never raise.
"""

import asyncio
import json
import logging
import sys
import time
import uuid
from datetime import datetime, timezone

sys.path.insert(0, sys.argv[1])
import statehub_events as ev  # noqa: E402

logging.basicConfig(level=logging.INFO, stream=sys.stderr)


async def publish_all():
    now = datetime.now(timezone.utc)
    envelopes = [
        await ev.publish_repo_registered(
            repo_id=uuid.uuid4(), slug="a/b", registered_at=now, url="https://x/y.git"
        ),
        await ev.publish_workstream_completed(
            workstream_id=uuid.uuid4(),
            title="t",
            domain="custodian",
            previous_status="active",
            open_task_count=2,
            completed_at=now,
        ),
        await ev.publish_decision_resolved(
            decision_id=uuid.uuid4(), resolution="accepted", resolved_by="agent:x", resolved_at=now
        ),
        await ev.publish_domain_goal_activated(
            goal_id=uuid.uuid4(), domain="custodian", title="g", priority=1, activated_at=now
        ),
        await ev.publish_task_stale(task_id=uuid.uuid4(), last_activity_at=now, stale_days=15),
    ]
    await ev.close()
    print(json.dumps([e["id"] for e in envelopes]))


async def timing():
    durations = []
    for _ in range(3):
        t = time.monotonic()
        env = await ev.publish_task_stale(
            task_id=uuid.uuid4(), last_activity_at=datetime.now(timezone.utc), stale_days=15
        )
        durations.append(time.monotonic() - t)
        assert env is not None
    t = time.monotonic()
    await ev.close()
    durations.append(time.monotonic() - t)
    print(json.dumps(durations))


asyncio.run({"publish": publish_all, "timing": timing}[sys.argv[2]]())
