"""POST /decisions/{id}/resolve publishes org.statehub.decision.resolved after commit."""

from typing import Optional

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from statehub_events import publish_decision_resolved

from api.db import Decision, get_session, utcnow

router = APIRouter(prefix="/decisions", tags=["decisions"])


class DecisionIn(BaseModel):
    title: str
    workstream_id: Optional[str] = None


class Resolution(BaseModel):
    resolution: str
    resolved_by: str


@router.post("/", status_code=201)
async def create_decision(body: DecisionIn, session: AsyncSession = Depends(get_session)) -> dict:
    d = Decision(title=body.title, workstream_id=body.workstream_id)
    session.add(d)
    await session.commit()
    return {"id": d.id}


@router.post("/{decision_id}/resolve")
async def resolve_decision_action(
    decision_id: str, body: Resolution, session: AsyncSession = Depends(get_session)
) -> dict:
    async with session.begin():
        d = await session.get(Decision, decision_id)
        if d is None:
            raise HTTPException(status_code=404, detail="no such decision")
        d.resolution = body.resolution
        d.resolved_by = body.resolved_by
        d.resolved_at = utcnow()
    # The `begin()` block committed when it closed.
    await publish_decision_resolved(
        decision_id=d.id,
        resolution=d.resolution,
        resolved_by=d.resolved_by,
        resolved_at=d.resolved_at,
        workstream_id=d.workstream_id,
    )
    return {"id": d.id, "resolution": d.resolution}
