"""POST /domain-goals/{id}/activate publishes org.statehub.domain.goal.activated after commit."""

from typing import Optional

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from statehub_events import publish_domain_goal_activated

from api.db import DomainGoal, get_session, utcnow

router = APIRouter(prefix="/domain-goals", tags=["domain goals"])


class GoalIn(BaseModel):
    domain: str
    title: str
    priority: Optional[int] = None


@router.post("/", status_code=201)
async def create_domain_goal(body: GoalIn, session: AsyncSession = Depends(get_session)) -> dict:
    g = DomainGoal(domain=body.domain, title=body.title, priority=body.priority)
    session.add(g)
    await session.commit()
    return {"id": g.id}


async def _announce(goal: DomainGoal) -> None:
    await publish_domain_goal_activated(
        goal_id=goal.id,
        domain=goal.domain,
        title=goal.title,
        activated_at=goal.activated_at,
        priority=goal.priority,
    )


@router.post("/{goal_id}/activate")
async def activate_domain_goal(goal_id: str, session: AsyncSession = Depends(get_session)) -> dict:
    goal = await session.get(DomainGoal, goal_id)
    if goal is None:
        raise HTTPException(status_code=404, detail="no such domain goal")
    if goal.active:
        return {"id": goal.id, "active": True}
    goal.active = True
    goal.activated_at = utcnow()
    await session.commit()
    await _announce(goal)
    return {"id": goal.id, "active": True}
