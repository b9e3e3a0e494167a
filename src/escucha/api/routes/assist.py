"""Agent assist for one incoming message (and a customer id)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from escucha.http import casework
from escucha.http.auth import ANALYZE_TEXT, CUSTOMERS, Principal
from escucha.http.deps import StateDep, require
from escucha.http.errors import BODY_ERRORS, ERROR_RESPONSES, NOT_FOUND, ApiError

router = APIRouter(tags=["cases"], responses=ERROR_RESPONSES)


class AssistRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=10_000, description="The customer's message")
    customer_id: str | None = Field(default=None, max_length=200)
    language: str | None = Field(default=None, pattern="^(es|en)$", description="Reply language (default: detected)")
    case_id: str | None = Field(default=None, max_length=40)


class AssistResponse(BaseModel):
    emotion: str | None
    urgency: float
    intents: list[str]
    playbook: dict[str, Any] = Field(description="name, the step that fits, all steps, compensations with limits")
    suggested_reply: str
    customer: dict[str, Any] | None = Field(description="What the customer told us before, open cases, value")
    language: str
    form: str = Field(alias="register", description="tu or usted (Spanish), neutral (English)")
    sentiment: str
    emotions: dict[str, float]
    aspects: list[str]
    compensation: dict[str, Any] | None = Field(description="What the agent may offer without approval")
    reply_source: str = Field(description="template or llm")
    llm_error: str | None
    case_id: str | None
    took_ms: float


@router.post("/assist", response_model=AssistResponse, summary="Agent assist for one message",
             responses={**NOT_FOUND, **BODY_ERRORS})  # fmt: skip
def assist(state: StateDep, body: AssistRequest,
           principal: Annotated[Principal, Depends(require(ANALYZE_TEXT))]) -> dict[str, Any]:  # fmt: skip
    if body.customer_id and not principal.can(CUSTOMERS):
        raise ApiError(403, f"role {principal.role!r} may not read customers", field="customer_id")
    return casework.assist_service(state).assist(body.text, body.customer_id, body.language, body.case_id)
