"""Micro-surveys: NPS, CSAT, CES and open questions with conditional and adaptive follow-ups, in
Spanish and English, delivered by signed link, e-mail or an embeddable widget; fatigue rules and
quotas; answers land through the workspace's ingest and are analysed at once.

The package takes a :class:`SurveyContext` (store, settings, layout, the workspace's ingest and
pipeline), never the workspace itself: ``Workspace.surveys`` builds one.
"""

from __future__ import annotations

from escucha.surveys.context import SurveyContext
from escucha.surveys.definitions import Question, Survey, parse_survey
from escucha.surveys.service import Surveys

__all__ = ["Question", "Survey", "SurveyContext", "Surveys", "parse_survey"]
