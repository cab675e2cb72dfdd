"""POST /repos/: register a repository; publishes org.statehub.repo.registered after commit."""

from typing import Optional

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from statehub_events import publish_repo_registered

from api.db import Repo, get_session

router = APIRouter(prefix="/repos", tags=["repos"])


class RepoIn(BaseModel):
    slug: str
    url: Optional[str] = None
    default_branch: Optional[str] = None


@router.post("/", status_code=201)
async def register_repo(body: RepoIn, session: AsyncSession = Depends(get_session)) -> dict:
    repo = Repo(slug=body.slug, url=body.url, default_branch=body.default_branch)
    session.add(repo)
    try:
        await session.commit()
    except IntegrityError:
        # The transaction rolled back: nothing happened, so nothing is published.
        await session.rollback()
        raise HTTPException(status_code=409, detail=f"repo {body.slug} is already registered")
    await publish_repo_registered(
        repo_id=repo.id,
        slug=repo.slug,
        registered_at=repo.registered_at,
        url=repo.url,
        default_branch=repo.default_branch,
    )
    return {"id": repo.id, "slug": repo.slug}
