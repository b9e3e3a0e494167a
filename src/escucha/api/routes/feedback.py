"""Feedback in (one item, a batch, a CSV upload) and out (list with filters, one item)."""

from __future__ import annotations

import logging
import re
import tempfile
import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import (
    APIRouter,
    BackgroundTasks,
    Body,
    Depends,
    File,
    Form,
    Query,
    Request,
    UploadFile,
)
from pydantic import BaseModel

from escucha.analysis import analyse_batch
from escucha.errors import EscuchaError, ValidationError
from escucha.http import audit
from escucha.http.auth import FEEDBACK_WRITE, INGEST, READ, Principal
from escucha.http.deps import ListingFiltersDep, StateDep, require
from escucha.http.errors import BODY_ERRORS, ERROR_RESPONSES, NOT_FOUND, ApiError, error_responses
from escucha.http.security import client_ip
from escucha.http.serialize import anonymise_feedback, clean, frame_records
from escucha.ingest.validate import STRING_FIELDS
from escucha.models import Feedback
from escucha.privacy import redact_feedback
from escucha.store import PendingItem

router = APIRouter(tags=["feedback"], responses=ERROR_RESPONSES)

MAX_BATCH = 1000
UPLOAD_SUFFIXES = (".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".json", ".parquet", ".xlsx")
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class StoreResult(BaseModel):
    inserted: int
    updated: int
    duplicates: int
    ids: list[str]
    analysed: int = 0


class FeedbackPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[dict[str, Any]]


class IngestProblem(BaseModel):
    source: str
    line: int | None
    field: str | None
    reason: str


class IngestResult(BaseModel):
    """What an upload did: ``read == stored + updated + duplicates + quarantined``."""

    source: str
    name: str | None
    read: int
    stored: int
    updated: int
    duplicates: int
    quarantined: int
    customers: int
    problems: list[IngestProblem]
    seconds: float
    warnings: list[str]


class FeedbackDetail(BaseModel):
    feedback: dict[str, Any]
    analysis: dict[str, Any] | None


def _check_text(items: list[Feedback]) -> None:
    """The checks ingest makes on files (characters, metadata, numbers the store holds) → 422."""
    from escucha.ingest.validate import (
        INT64_MAX,
        FieldProblem,
        check_metadata,
        check_text,
        safe_text,
    )

    for i, fb in enumerate(items):
        try:
            for name in ("text", "title", "id", *STRING_FIELDS):
                value = getattr(fb, name)
                if isinstance(value, str):
                    check_text(name, value)
            check_metadata(fb.metadata)
            if fb.reach is not None and fb.reach > INT64_MAX:
                raise FieldProblem("reach", f"{fb.reach} is too large (at most {INT64_MAX})")
        except FieldProblem as exc:
            raise ValidationError(
                f"record {i} ({safe_text(fb.id)}): {exc.reason}", field=exc.field, record=safe_text(fb.id)
            ) from None


@router.post("/feedback", status_code=201, response_model=StoreResult, summary="Add one voice or a batch",
             responses=BODY_ERRORS)  # fmt: skip
def add_feedback(
    request: Request,
    state: StateDep,
    body: Annotated[Feedback | list[Feedback], Body(description=f"One voice or a list of up to {MAX_BATCH}")],
    principal: Annotated[Principal, Depends(require(FEEDBACK_WRITE))],
    background: BackgroundTasks,
    analyze: Annotated[bool, Query(description="Analyse the stored voices right away")] = False,
) -> StoreResult:
    items = body if isinstance(body, list) else [body]
    if not 1 <= len(items) <= MAX_BATCH:
        raise ValidationError(f"send 1 to {MAX_BATCH} voices per request, not {len(items)}", field="body")
    _check_text(items)
    items = state.ws.company_voices(items)  # before redaction: the author says whose words they are
    if state.settings.redact_pii:
        items = [redact_feedback(i) for i in items]
    before = state.ws.store.data_version() if state.settings.watch_live else None
    res = state.ws.add(items)
    audit.record(state.ws, "feedback_posted", principal.username, client_ip(request), voices=len(items),
                 inserted=res.inserted, updated=res.updated)  # fmt: skip
    analysed = 0
    if analyze:
        pending = [PendingItem(id=i.id, content_hash=i.hash, text=i.text, title=i.title, language=i.language,
                               reach=i.reach) for i in items]  # fmt: skip
        analyses, _ = analyse_batch(state.ws.pipeline, pending)
        state.ws.store.save_analyses(pending, analyses)
        analysed = len(analyses)
    if state.settings.watch_live:  # live listening: analysed and watched after the response is sent
        background.add_task(_listen, state, items, analysed == len(items), before)
    return StoreResult(inserted=res.inserted, updated=res.updated, duplicates=res.duplicates,
                       ids=[i.id for i in items], analysed=analysed)  # fmt: skip


def _listen(state: Any, items: list[Feedback], analysed: bool, before: Any) -> None:
    """Analyse the posted voices (unless done) and evaluate the alert rules on their windows, in
    event-time order, one evaluation at a time."""
    lock = state.cache.setdefault("watch_lock", threading.Lock())
    try:
        with lock:
            state.ws.watch_arrived(items, analysed, before)
    except Exception as exc:  # never break the API for the watch; the next voices re-evaluate
        logging.getLogger(__name__).warning("live watch failed: %s", type(exc).__name__)


def _resolve_mapping(state: Any, name: str) -> Any:
    from escucha.ingest import list_presets

    if not _NAME.match(name):
        raise ValidationError(f"bad mapping name {name!r}", field="mapping")
    own = state.ws.path / "mappings" / f"{name}.yaml"
    if own.is_file():
        return own
    if name in list_presets():
        return name
    raise ValidationError(
        f"unknown mapping {name!r}: use a preset ({', '.join(list_presets())}) or a file in "
        f"{state.ws.path / 'mappings'}",
        field="mapping",
    )


@router.post("/feedback/upload", status_code=201, response_model=IngestResult, summary="Ingest an uploaded file with a preset or mapping",
             responses=error_responses(400, 413))  # fmt: skip
def upload_feedback(
    state: StateDep,
    file: Annotated[UploadFile, File(description="CSV, JSONL, Parquet or Excel file")],
    mapping: Annotated[str, Form(description="Preset name or a mapping in the workspace's mappings/ folder")],
    principal: Annotated[Principal, Depends(require(INGEST))],
    source_name: Annotated[str | None, Form(max_length=100)] = None,
) -> dict[str, Any]:
    spec = _resolve_mapping(state, mapping)
    name = Path(file.filename or "upload.csv").name
    safe = re.sub(r"[^\w.-]", "_", name)[:100] or "upload.csv"
    if not safe.lower().endswith(UPLOAD_SUFFIXES):
        raise ValidationError(f"{name!r}: unsupported file type; use {', '.join(UPLOAD_SUFFIXES)}", field="file")
    limit = state.settings.max_upload_mb * (1 << 20)
    with tempfile.TemporaryDirectory(prefix="escucha-upload-") as tmp:
        dest = Path(tmp) / safe
        written = 0
        with dest.open("wb") as out:
            while chunk := file.file.read(1 << 20):
                written += len(chunk)
                if written > limit:
                    raise ApiError(413, f"{name!r} is larger than {state.settings.max_upload_mb} MB", field="file")
                out.write(chunk)
        try:
            summary = state.ws.ingest(dest, spec, source_name=source_name or Path(safe).stem)
        except EscuchaError as exc:  # name the uploaded file, not the temporary copy
            exc.message = exc.message.replace(str(dest), safe)
            exc.record = safe if exc.record else None
            raise

    audit.record(state.ws, "ingest", principal.username, file=safe, mapping=mapping,
                 stored=summary.stored, quarantined=summary.quarantined)  # fmt: skip
    data = summary.to_dict(raw_chars=0)
    data["source"] = safe
    for p in data["problems"]:
        p.pop("raw", None)
        p["source"] = safe
    return data


@router.get("/feedback", response_model=FeedbackPage, summary="Voices with their analysis, newest first")
def list_feedback(
    state: StateDep,
    filters: ListingFiltersDep,
    principal: Annotated[Principal, Depends(require(READ))],
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> FeedbackPage:
    total = state.ws.store.count_items(filters)
    rows = frame_records(state.ws.items(filters, limit=limit, offset=offset), state.redact)
    return FeedbackPage(total=total, limit=limit, offset=offset, items=rows)


@router.get("/feedback/{item_id:path}", response_model=FeedbackDetail, summary="One voice with its analysis",
            responses=NOT_FOUND)  # fmt: skip
def get_feedback(
    state: StateDep, item_id: str, principal: Annotated[Principal, Depends(require(READ))]
) -> FeedbackDetail:
    fb, an = state.ws.get(item_id)
    data = {k: clean(v) for k, v in anonymise_feedback(fb).model_dump().items()}
    for k in ("text", "title"):
        data[k] = state.redact(data.get(k))
    analysis = None
    if an is not None:
        analysis = an.to_record()
        if state.settings.display_redaction:
            for s in analysis["sentences"]:
                s["text"] = state.redact(s["text"])
            for a in analysis["aspects"]:
                a["evidence"] = state.redact(a["evidence"])
    return FeedbackDetail(feedback=data, analysis=analysis)
