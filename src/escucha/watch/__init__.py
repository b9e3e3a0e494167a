"""The reputation watch: live listening, anomaly and viral-risk alerts grouped into incidents, first opinions and
influencers, reputation scores (see :class:`escucha.watch.engine.Watch`)."""

from escucha.watch.alerts import AlertBook
from escucha.watch.anomaly import ModelParams
from escucha.watch.engine import Watch
from escucha.watch.incidents import IncidentBook, IncidentParams
from escucha.watch.replay import alert_id, detect
from escucha.watch.rules import Rules

__all__ = ["AlertBook", "IncidentBook", "IncidentParams", "ModelParams", "Rules", "Watch", "alert_id", "detect"]
