"""The example state hub: FastAPI routers that publish lifecycle events after they commit."""

from contextlib import asynccontextmanager

import statehub_events
from fastapi import FastAPI

from api.db import create_tables
from api.routers import decisions, domain_goals, repos, workstreams


@asynccontextmanager
async def lifespan(app: FastAPI):
    await create_tables()
    yield
    # Flush and close the publisher's NATS connection on shutdown.
    await statehub_events.close()


app = FastAPI(title="state-hub (handoff example)", lifespan=lifespan)
app.include_router(repos.router)
app.include_router(workstreams.router)
app.include_router(decisions.router)
app.include_router(domain_goals.router)


@app.get("/health")
async def health() -> dict:
    return {"status": "ok"}
