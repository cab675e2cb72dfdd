"""Driven by tests/nats_python.rs: how long each publish call takes the caller.

Usage: latency.py STUBS_DIR N [PAUSE_AT]
Publishes N valid events (NATS_URL from the environment), sleeping 5 ms between calls so the
background task runs in between as it would between requests. With PAUSE_AT, after that many
calls it prints "pause" and waits for a line on stdin (the test stops the server meanwhile).
Then it awaits close(). Prints one JSON line: p50, p99 and max call durations in ms, close()'s
duration in s, and the ids of the envelopes the calls returned.
"""

import asyncio
import json
import logging
import math
import sys
import time
import uuid
from datetime import datetime, timezone

sys.path.insert(0, sys.argv[1])
import statehub_events as ev  # noqa: E402

logging.basicConfig(level=logging.INFO, stream=sys.stderr)


async def main() -> None:
    n = int(sys.argv[2])
    pause_at = int(sys.argv[3]) if len(sys.argv) > 3 else -1
    durations = []
    ids = []
    for i in range(n):
        if i == pause_at:
            print("pause", flush=True)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        t = time.perf_counter()
        env = await ev.publish_task_stale(
            task_id=uuid.uuid4(), last_activity_at=datetime.now(timezone.utc), stale_days=i
        )
        durations.append(time.perf_counter() - t)
        if env is None:
            raise SystemExit("call %d returned None" % i)
        ids.append(env["id"])
        await asyncio.sleep(0.005)
    t = time.perf_counter()
    await ev.close()
    closed = time.perf_counter() - t
    ms = sorted(d * 1000 for d in durations)
    pct = lambda q: ms[max(0, math.ceil(q * len(ms)) - 1)]  # noqa: E731
    print(json.dumps({"p50": pct(0.5), "p99": pct(0.99), "max": ms[-1], "close": closed, "ids": ids}))


asyncio.run(main())
