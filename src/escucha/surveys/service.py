"""The surveys of one workspace, as one object the Workspace facade, the CLI and the API use."""

from __future__ import annotations

import builtins
import secrets
from typing import Any

from escucha.surveys import invitations as inv
from escucha.surveys import responses as resp
from escucha.surveys.context import LOCK, SurveyContext
from escucha.surveys.definitions import Survey, parse_survey, survey_from_doc
from escucha.surveys.results import results


class Surveys:
    """Create surveys, invite customers (fatigue rules, quotas, e-mail), answer and read results."""

    def __init__(self, ctx: SurveyContext):
        self.ctx = ctx

    def create(self, spec: dict[str, Any]) -> Survey:
        """A new survey from a definition (see ``escucha.surveys.definitions``)."""
        survey_id = "sv_" + secrets.token_hex(5)
        survey = parse_survey({k: v for k, v in spec.items() if k not in ("id", "created_at", "status")},
                              survey_id=survey_id, created_at=inv.now_utc().isoformat())  # fmt: skip
        with LOCK:
            self.ctx.store.put_docs(inv.SURVEYS, {survey_id: survey.to_doc()})
        self.ctx.forget_survey(survey_id)
        return survey

    def list(self) -> list[Survey]:
        docs = self.ctx.store.get_docs(inv.SURVEYS).values()
        return sorted((survey_from_doc(d) for d in docs), key=lambda s: s.created_at)

    def get(self, survey_id: str) -> Survey:
        return inv.get_survey(self.ctx, survey_id)

    def close(self, survey_id: str) -> Survey:
        with LOCK:
            doc = self.get(survey_id).to_doc()
            doc["status"] = "closed"
            self.ctx.store.put_docs(inv.SURVEYS, {survey_id: doc})
        self.ctx.forget_survey(survey_id)
        return survey_from_doc(doc)

    def invite(self, survey_id: str, recipients: builtins.list[Any], *, trigger: str | None = None,
               language: str | None = None, send_email: bool = False) -> dict[str, Any]:  # fmt: skip
        """Invite customers (ids or e-mails): ``invited`` with links, ``refused`` with reasons; with
        ``send_email`` each invited customer with an address gets the link by e-mail."""
        out: dict[str, Any] = inv.invite(self.ctx, survey_id, recipients, trigger=trigger, language=language)
        if send_email and out["invited"]:
            from escucha.surveys.email import send_invitations

            out["email"] = send_invitations(self.ctx, self.get(survey_id), out["invited"])
        return out

    def widget_token(self, survey_id: str) -> str:
        """The signed open link of the survey (for the embeddable widget: ``/s/<token>``)."""
        self.get(survey_id)
        return inv.widget_token(self.ctx, survey_id)

    def resolve(self, token: str, lang: str | None = None) -> resp.Link:
        return resp.resolve(self.ctx, token, lang)

    def results(self, survey_id: str) -> dict[str, Any]:
        return results(self.ctx, survey_id)

    def responses(self, survey_id: str | None = None) -> builtins.list[dict[str, Any]]:
        return resp.responses(self.ctx, survey_id)
