"""The workspace folder layout: every file escucha reads or writes in a workspace, named once.

A workspace is a folder::

    escucha.yaml     settings (see docs/settings.md)
    escucha.duckdb   the store (unless ``store_url`` points to PostgreSQL)
    taxonomy.yaml    the company's own aspects (optional)
    rules.yaml       the company's own intent/aspect rules (optional)
    company.yaml     brand promises, journey, owners, aspect labels (optional)
    promises.yaml    brand promises (optional; overrides company.yaml's)
    journey.yaml     the customer journey (optional; overrides company.yaml's)
    notify.yaml      delivery channels for alerts and e-mails (optional)
    alerts.yaml      the reputation watch's alert rules (optional; defaults apply)
    cases.yaml       case rules, queues, SLA policies (optional; escucha.cases ships defaults)
    playbooks.yaml   recovery playbooks for agents (optional; escucha.cases ships defaults)
    models/NAME/     models trained with ``escucha train``
    report.html      the last report written by ``escucha report``
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class WorkspaceLayout:
    """Paths of one workspace folder (nothing is created or read here)."""

    root: Path

    @property
    def config(self) -> Path:
        return self.root / "escucha.yaml"

    @property
    def store(self) -> Path:
        return self.root / "escucha.duckdb"

    @property
    def taxonomy(self) -> Path:
        return self.root / "taxonomy.yaml"

    @property
    def rules(self) -> Path:
        return self.root / "rules.yaml"

    @property
    def company(self) -> Path:
        return self.root / "company.yaml"

    @property
    def promises(self) -> Path:
        return self.root / "promises.yaml"

    @property
    def journey(self) -> Path:
        return self.root / "journey.yaml"

    @property
    def alerts(self) -> Path:
        return self.root / "alerts.yaml"

    @property
    def notify(self) -> Path:
        return self.root / "notify.yaml"

    @property
    def cases(self) -> Path:
        return self.root / "cases.yaml"

    @property
    def playbooks(self) -> Path:
        return self.root / "playbooks.yaml"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def report(self) -> Path:
        return self.root / "report.html"

    def model(self, name: str) -> Path:
        """The folder of the trained model ``name``."""
        return self.models / name

    def custom_model(self) -> Path | None:
        """The company's own label model (``escucha train``), if the workspace has one."""
        found = sorted(p.parent for p in self.models.glob("*/meta.json"))
        return found[0] if found else None


def read_company(path: Path) -> dict[str, Any]:
    """A ``company.yaml`` as a mapping (empty when absent); a clear error when it is not one."""
    import yaml

    from escucha.errors import ConfigError

    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}", field="company.yaml") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top", field="company.yaml")
    return data
