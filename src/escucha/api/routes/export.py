"""CSV export of voices with their analysis (formula injection neutralised)."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from escucha.http import audit
from escucha.http.auth import EXPORT, Principal
from escucha.http.deps import ListingFiltersDep, StateDep, require
from escucha.http.errors import ERROR_RESPONSES
from escucha.http.security import client_ip
from escucha.http.serialize import anonymise, csv_value
from escucha.store import Filters

router = APIRouter(tags=["export"], responses=ERROR_RESPONSES)

EXPORT_COLUMNS = (
    "id", "channel", "timestamp", "customer_id", "product", "location", "language", "nps", "csat",
    "ces", "rating", "sentiment", "sentiment_score", "dominant_emotion", "intents", "urgency",
    "title", "text",
)  # fmt: skip
PAGE = 5000


def export_rows(state: object, filters: Filters) -> Iterator[str]:
    """CSV text, page by page (the store file is opened per page, never held)."""
    ws, redact = state.ws, state.redact  # type: ignore[attr-defined]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(EXPORT_COLUMNS)
    offset = 0
    while True:
        df = ws.items(filters, limit=PAGE, offset=offset)
        for r in map(anonymise, df.to_dict("records")):
            writer.writerow([csv_value(redact(r.get(c)) if c in ("text", "title") else r.get(c))
                             for c in EXPORT_COLUMNS])  # fmt: skip
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
        if len(df) < PAGE:
            return
        offset += PAGE


@router.get("/export.csv", summary="Voices and analysis as CSV (analyst and admin)",
            response_class=StreamingResponse, responses={200: {"content": {"text/csv": {}}}})  # fmt: skip
def export_csv(
    request: Request,
    state: StateDep,
    filters: ListingFiltersDep,
    principal: Annotated[Principal, Depends(require(EXPORT))],
) -> StreamingResponse:
    total = state.ws.store.count_items(filters)
    audit.record(state.ws, "export", principal.username, client_ip(request), rows=total,
                 filters={f.name: getattr(filters, f.name) for f in dataclasses.fields(filters)
                          if getattr(filters, f.name) and f.name != "search"},
                 search=bool(filters.search))  # fmt: skip
    name = f"escucha-export-{datetime.now(UTC):%Y%m%d-%H%M%S}.csv"
    return StreamingResponse(
        export_rows(state, filters),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )
