"""Administration: users, API tokens and the audit log (admin role), and the caller's own profile."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from escucha.http import audit, auth
from escucha.http.auth import ADMIN, Principal
from escucha.http.deps import PrincipalDep, StateDep, require
from escucha.http.errors import BODY_ERRORS, CONFLICT, ERROR_RESPONSES, NOT_FOUND
from escucha.http.security import client_ip

router = APIRouter(tags=["admin"], responses=ERROR_RESPONSES)
AdminDep = Annotated[Principal, Depends(require(ADMIN))]
Role = Literal["viewer", "agent", "analyst", "admin"]


class NewUser(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=auth.MIN_PASSWORD, max_length=1000)
    role: Role = "viewer"
    language: Literal["es", "en"] = "es"


class NewToken(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    role: Role = "analyst"


class Me(BaseModel):
    username: str
    role: str
    kind: str = Field(description="session or token")
    language: str | None
    permissions: list[str]


class User(BaseModel):
    username: str
    role: str
    language: str | None
    created_at: str | None
    updated_at: str | None


class Token(BaseModel):
    """An API token as listed (never the secret)."""

    model_config = ConfigDict(extra="allow")
    id: str
    name: str
    role: str
    created_by: str | None = None
    created_at: str | None = None
    revoked_at: str | None = None


class CreatedToken(BaseModel):
    id: str
    name: str
    role: str
    token: str = Field(description="The secret: shown only once")


class AuditEntry(BaseModel):
    """One audit event; further keys are the event's details."""

    model_config = ConfigDict(extra="allow")
    ts: str
    event: str
    actor: str | None
    ip: str | None


@router.get("/me", response_model=Me, summary="Who am I")
def me(principal: PrincipalDep) -> dict[str, Any]:
    return {"username": principal.username, "role": principal.role, "kind": principal.kind,
            "language": principal.language,
            "permissions": sorted(auth.ROLE_PERMISSIONS.get(principal.role, frozenset()))}  # fmt: skip


@router.get("/users", response_model=list[User], summary="List users")
def list_users(state: StateDep, principal: AdminDep) -> list[dict[str, Any]]:
    return auth.list_users(state.ws)


@router.post("/users", status_code=201, response_model=User, summary="Create a user", responses={**BODY_ERRORS, **CONFLICT})
def create_user(request: Request, state: StateDep, body: NewUser, principal: AdminDep) -> dict[str, Any]:
    user = auth.add_user(state.ws, body.username, body.password, body.role, body.language)
    audit.record(state.ws, "user_created", principal.username, client_ip(request),
                 target=body.username, role=body.role)  # fmt: skip
    return user


@router.delete("/users/{username}", status_code=204, summary="Delete a user (ends their sessions)",
               responses={**NOT_FOUND, **CONFLICT})  # fmt: skip
def delete_user(request: Request, state: StateDep, username: str, principal: AdminDep) -> None:
    auth.delete_user(state.ws, username)
    audit.record(state.ws, "user_deleted", principal.username, client_ip(request), target=username)


@router.get("/tokens", response_model=list[Token], summary="List API tokens (never the secrets)")
def list_tokens(state: StateDep, principal: AdminDep) -> list[dict[str, Any]]:
    return auth.list_tokens(state.ws)


@router.post("/tokens", status_code=201, response_model=CreatedToken, summary="Create an API token (the secret is shown once)",
             responses=BODY_ERRORS)  # fmt: skip
def create_token(request: Request, state: StateDep, body: NewToken, principal: AdminDep) -> dict[str, Any]:
    token_id, token = auth.create_token(state.ws, body.name, body.role, created_by=principal.username)
    audit.record(state.ws, "token_created", principal.username, client_ip(request),
                 token_id=token_id, role=body.role)  # fmt: skip
    return {"id": token_id, "name": body.name, "role": body.role, "token": token}


@router.delete("/tokens/{token_id}", status_code=204, summary="Revoke an API token", responses=NOT_FOUND)
def revoke_token(request: Request, state: StateDep, token_id: str, principal: AdminDep) -> None:
    auth.revoke_token(state.ws, token_id)
    audit.record(state.ws, "token_revoked", principal.username, client_ip(request), token_id=token_id)


@router.get("/audit", response_model=list[AuditEntry], summary="The audit log, newest first")
def audit_log(
    state: StateDep,
    principal: AdminDep,
    limit: Annotated[int, Query(ge=1, le=5000)] = 200,
    event: Annotated[str | None, Query(max_length=64)] = None,
) -> list[dict[str, Any]]:
    return audit.entries(state.ws, limit=limit, event=event)
