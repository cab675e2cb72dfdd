"""Workstreams; PATCH /workstreams/{id} publishes org.statehub.workstream.completed on the
transition to completed, after commit."""

from typing import Optional

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from statehub_events import publish_workstream_completed

from api.db import Task, Workstream, get_session, utcnow

router = APIRouter(prefix="/workstreams", tags=["workstreams"])


class WorkstreamIn(BaseModel):
    title: str
    domain: str
    status: str = "planned"


class WorkstreamPatch(BaseModel):
    status: Optional[str] = None
    title: Optional[str] = None


@router.post("/", status_code=201)
async def create_workstream(body: WorkstreamIn, session: AsyncSession = Depends(get_session)) -> dict:
    ws = Workstream(title=body.title, domain=body.domain, status=body.status)
    session.add(ws)
    await session.commit()
    return {"id": ws.id}


@router.patch("/{workstream_id}")
async def update_workstream(
    workstream_id: str, body: WorkstreamPatch, session: AsyncSession = Depends(get_session)
) -> dict:
    ws = await session.get(Workstream, workstream_id)
    if ws is None:
        raise HTTPException(status_code=404, detail="no such workstream")
    previous = ws.status
    if body.title is not None:
        ws.title = body.title
    completing = body.status == "completed" and previous != "completed"
    if body.status is not None:
        ws.status = body.status
    if completing:
        ws.completed_at = utcnow()
    open_tasks = await session.scalar(
        select(func.count()).select_from(Task).where(Task.workstream_id == ws.id, Task.status == "open")
    )
    await session.commit()
    if completing:
        await publish_workstream_completed(
            workstream_id=ws.id,
            title=ws.title,
            domain=ws.domain,
            previous_status=previous,
            open_task_count=open_tasks or 0,
            completed_at=ws.completed_at,
        )
    return {"id": ws.id, "status": ws.status}
