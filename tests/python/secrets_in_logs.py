"""Driven by tests/nats_python.rs: no credential of NATS_URL reaches a log line.

Usage: secrets_in_logs.py STUBS_DIR URLS_JSON
For each URL (credentials in it; the server unreachable) it sets NATS_URL, publishes one event,
and awaits close() (which waits for the background connect to fail), all with every logger at DEBUG on
stderr. Prints "done N".
"""

import asyncio
import json
import logging
import os
import sys
import uuid
from datetime import datetime, timezone

sys.path.insert(0, sys.argv[1])
import statehub_events as ev  # noqa: E402

logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format="%(name)s %(levelname)s %(message)s")


async def one() -> None:
    await ev.publish_task_stale(task_id=uuid.uuid4(), last_activity_at=datetime.now(timezone.utc), stale_days=1)
    await ev.close()


urls = json.loads(sys.argv[2])
for url in urls:
    os.environ["NATS_URL"] = url
    asyncio.run(one())
print("done", len(urls))
