"""Cancels tasks without activity for STALE_DAYS days; publishes org.statehub.task.stale for
each, after its cancellation commits. The script stays in the state hub; its schedule moves to
activity-core (the-custodian.state-hub-stale-task-cleanup)."""

import asyncio
from datetime import timedelta

import statehub_events
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db import SessionLocal, Task, create_tables, utcnow

STALE_DAYS = 30


async def cancel_stale_task(session: AsyncSession, task: Task) -> None:
    now = utcnow()
    last = task.last_activity_at
    if last.tzinfo is None:
        last = last.replace(tzinfo=now.tzinfo)
    task.status = "canceled"
    await session.commit()
    await statehub_events.publish_task_stale(
        task_id=task.id,
        workstream_id=task.workstream_id,
        last_activity_at=last,
        stale_days=(now - last).days,
    )


async def main() -> int:
    await create_tables()
    cutoff = utcnow() - timedelta(days=STALE_DAYS)
    async with SessionLocal() as session:
        stale = (
            await session.scalars(
                select(Task).where(Task.status == "open", Task.last_activity_at < cutoff)
            )
        ).all()
        for task in stale:
            await cancel_stale_task(session, task)
    await statehub_events.close()
    return len(stale)


if __name__ == "__main__":
    print(f"canceled {asyncio.run(main())} stale task(s)")
