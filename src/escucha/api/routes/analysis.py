"""Analyse a text without storing it, and run the analysis of pending voices."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, model_validator

from escucha.http import audit
from escucha.http.auth import ANALYSIS_RUN, ANALYZE_TEXT, Principal
from escucha.http.deps import StateDep, require
from escucha.http.errors import BODY_ERRORS, CONFLICT, ERROR_RESPONSES, ApiError
from escucha.http.insight_cache import precompute_in_background

router = APIRouter(tags=["analysis"], responses=ERROR_RESPONSES)


class AnalyzeRequest(BaseModel):
    text: str | None = Field(default=None, max_length=20_000)
    texts: list[Annotated[str, Field(max_length=20_000)]] | None = Field(default=None, max_length=100)

    @model_validator(mode="after")
    def _one(self) -> AnalyzeRequest:
        if (self.text is None) == (self.texts is None):
            raise ValueError("send either 'text' or 'texts'")
        return self


class RunRequest(BaseModel):
    limit: int | None = Field(default=None, ge=1, le=10_000_000)


class Analysed(BaseModel):
    results: list[dict[str, Any]] = Field(description="One analysis record per text, in order")
    pipeline_version: str


class RunSummary(BaseModel):
    analysed: int
    failed: int
    pending_before: int
    seconds: float
    pipeline_version: str
    texts_per_s: float
    pending: int = Field(description="Voices still waiting for analysis")


@router.post("/analyze", response_model=Analysed, summary="Analyse text(s) without storing them", responses=BODY_ERRORS)
def analyze(
    state: StateDep, body: AnalyzeRequest, principal: Annotated[Principal, Depends(require(ANALYZE_TEXT))]
) -> dict[str, Any]:
    texts = [body.text] if body.text is not None else list(body.texts or [])
    texts = ["".join(c for c in t if not 0xD800 <= ord(c) <= 0xDFFF) for t in texts]
    results = [a.to_record() for a in state.ws.pipeline.analyze(texts)] if texts else []
    return {"results": results, "pipeline_version": state.ws.pipeline.version}


@router.post("/analysis/run", response_model=RunSummary, summary="Analyse new and changed voices", responses={**BODY_ERRORS, **CONFLICT})
def run_analysis(
    state: StateDep,
    principal: Annotated[Principal, Depends(require(ANALYSIS_RUN))],
    body: RunRequest | None = None,
) -> dict[str, Any]:
    if not state.analysis_lock.acquire(blocking=False):
        raise ApiError(409, "an analysis run is already in progress", code="busy")
    try:
        summary = state.ws.analyze(limit=body.limit if body else None)
    finally:
        state.analysis_lock.release()
    state.cache.clear()
    if summary.analysed and state.ws.settings.precompute_insights:
        precompute_in_background(state.ws, state.cache)
    audit.record(state.ws, "analysis_run", principal.username, analysed=summary.analysed)
    return {**summary.to_dict(), "pending": state.ws.pending()}
