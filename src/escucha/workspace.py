"""The Workspace: one folder with a store, settings and a company's own models and rules.

It is the main object that the CLI, the REST API and notebooks use::

    ws = escucha.open("my-workspace")
    ws.ingest("reviews.csv", mapping="cuba_hotels_es")
    ws.analyze()
    ws.metrics(by=["channel"])
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

import escucha.cases.employee_cx  # noqa: F401  (registers the employee × customer insight)
from escucha.analysis import AnalyzeSummary, analyse_store, workspace_domains
from escucha.config import Settings
from escucha.errors import ConfigError
from escucha.ingest.speakers import company_handles, mark_company_voices
from escucha.insights.base import InsightContext, InsightResult
from escucha.layout import WorkspaceLayout
from escucha.models import Analysis, Customer, Feedback, content_hash
from escucha.notify import Notifier
from escucha.pipeline import Pipeline
from escucha.store import Filters, Store, open_store
from escucha.watch import Watch

if TYPE_CHECKING:
    from escucha.ingest import IngestSummary
    from escucha.portal import Portal
    from escucha.surveys import Surveys

log = logging.getLogger(__name__)



class Workspace:
    """A folder holding one company's voices, analyses and configuration."""

    def __init__(self, path: str | Path, settings: Settings | None = None, create: bool = True):
        self.path = Path(path).expanduser().resolve()
        if not self.path.exists():
            if not create:
                raise ConfigError(f"no workspace at {self.path}; run `escucha --workspace {path} init`")
            self.path.mkdir(parents=True)
        self.layout = WorkspaceLayout(self.path)
        self.settings = settings or Settings.for_workspace(self.path)
        self.store: Store = open_store(
            self.settings.store_url or str(self.layout.store),
            lock_timeout=self.settings.lock_timeout_s,
        )
        self.store.migrate()
        cfg = self.layout.config
        if not cfg.exists():
            cfg.write_text(
                "# escucha workspace settings (environment variables ESCUCHA_* override these)\n"
                "# pipeline: [language, sentences, sentiment, emotion, aspects, intent, urgency]\n"
                "# redact_pii: false\n",
                encoding="utf-8",
            )

    def __repr__(self) -> str:
        return f"Workspace({str(self.path)!r})"

    # -- pipeline ---------------------------------------------------------------------------
    def analyzer_config(self) -> dict[str, dict[str, Any]]:
        """Per-analyser configuration from the workspace's own files (taxonomy, rules, models)."""
        config: dict[str, dict[str, Any]] = {}
        taxonomy, rules = self.layout.taxonomy, self.layout.rules
        for name in ("aspects", "intent"):
            opts: dict[str, Any] = {}
            if rules.exists():
                opts["rules_path"] = rules
            if name == "aspects":
                if taxonomy.exists():
                    opts["taxonomy_path"] = taxonomy
                opts["domains"] = self.domains()
            config[name] = opts
        for name, opts in self.settings.analyzers.items():
            config[name] = {**config.get(name, {}), **opts}
        return config

    def domains(self) -> list[str]:
        """The taxonomy domain packs this workspace's aspects use: the ``domains`` setting, or with
        ``auto`` (the default) the packs its voices are about, chosen once and kept in the store."""
        return workspace_domains(self.store, self.settings.domains)

    def custom_model(self) -> Path | None:
        """The company's own label model (``escucha train``), if the workspace has one."""
        return self.layout.custom_model()

    def pipeline_spec(self) -> tuple[list[str], dict[str, dict[str, Any]], str]:
        """The analyser names, their configuration and the configuration fingerprint of this workspace."""
        names = list(self.settings.pipeline)
        config = self.analyzer_config()
        model = self.custom_model()
        if model is not None and "custom_labels" not in names:
            names.append("custom_labels")
            config["custom_labels"] = {"model_path": model}
        return names, config, self._config_fingerprint()

    @cached_property
    def pipeline(self) -> Pipeline:
        names, config, salt = self.pipeline_spec()
        return Pipeline.from_names(names, config, salt=salt)

    def _config_fingerprint(self) -> str:
        """A hash of the workspace files that change what the analysers read (taxonomy, rules, domains,
        model), so editing them re-analyses the voices."""
        default_domains = Settings.model_fields["domains"].get_default(call_default_factory=True)
        parts = [] if list(self.settings.domains) == default_domains else [",".join(self.settings.domains)]
        if self.settings.analyzers:
            parts.append(repr(sorted(self.settings.analyzers.items())))
        for f in (self.layout.taxonomy, self.layout.rules):
            if f.exists():
                parts.append(f.name + f.read_text(encoding="utf-8"))
        model = self.custom_model()
        if model is not None:
            parts.append((model / "meta.json").read_text(encoding="utf-8"))
        return content_hash(*parts)[:12] if parts else ""  # "" = the default pipeline

    # -- data in ----------------------------------------------------------------------------
    def ingest(
        self,
        source: str | Path | pd.DataFrame | Iterable[dict[str, Any]],
        mapping: Any = None,
        *,
        source_name: str | None = None,
        progress: Callable[..., None] | None = None,
        on_stored: Callable[[list[Feedback]], None] | None = None,
    ) -> IngestSummary:
        """Read a file (CSV, JSONL, Parquet, Excel), a DataFrame or dicts into the store
        (``on_stored``: gets each batch of voices as stored)."""
        from escucha.ingest import ingest

        redact = None
        if self.settings.redact_pii:
            from escucha.privacy import redact as redact_text

            redact = redact_text
        return ingest(
            self.store, source, mapping, source_name=source_name, progress=progress, redact=redact,
            on_stored=on_stored, company_handles=self.company_handles(),
        )

    def company_handles(self) -> frozenset[str]:
        """The company's own accounts (``social_handles`` in company.yaml): their voices are the
        company's words (``speaker = "agent"``) whichever way they come in."""
        return company_handles(self.layout.company)

    def company_voices(self, items: Sequence[Feedback | dict[str, Any]]) -> list[Feedback]:
        """``items`` as Feedback, the company accounts' voices marked ``speaker = "agent"``."""
        fb = [i if isinstance(i, Feedback) else Feedback.model_validate(i) for i in items]
        handles = self.company_handles()
        return mark_company_voices(fb, handles) if handles else fb

    def add(self, items: Sequence[Feedback | dict[str, Any]]) -> Any:
        """Add already-structured voices (Feedback objects or dicts with Feedback's fields)."""
        return self.store.upsert_items(self.company_voices(items))

    def add_customers(self, customers: Sequence[Customer | dict[str, Any]]) -> int:
        cs = [c if isinstance(c, Customer) else Customer.model_validate(c) for c in customers]
        return self.store.upsert_customers(cs)

    def load_customers(self, path: str | Path, id_column: str = "customer_id", name_column: str = "name") -> int:
        """Load a customer table (CSV, Parquet or Excel): one row per customer, other columns become
        attributes (segment, tier, lifetime value, …)."""
        p = Path(path)
        readers: dict[str, Callable[[Path], pd.DataFrame]] = {
            ".parquet": pd.read_parquet, ".xlsx": pd.read_excel, ".xls": pd.read_excel
        }
        df = readers.get(p.suffix.lower(), pd.read_csv)(p)
        if id_column not in df.columns:
            raise ConfigError(f"{p}: no column {id_column!r} with the customer id", field=id_column)
        df = df.dropna(subset=[id_column])
        attrs = [c for c in df.columns if c not in (id_column, name_column)]
        customers = [
            Customer(
                id=str(r[id_column]),
                name=None if name_column not in df or pd.isna(r[name_column]) else str(r[name_column]),
                attributes={c: (None if pd.isna(r[c]) else r[c]) for c in attrs},
            )
            for r in df.to_dict("records")
        ]
        return self.add_customers(customers)

    # -- analysis ---------------------------------------------------------------------------
    def analyze(
        self, progress: Callable[[int, int], None] | None = None, limit: int | None = None
    ) -> AnalyzeSummary:
        """Analyse new and changed voices (resumable)."""
        return analyse_store(self.store, self.pipeline, self.settings.batch_size, progress, limit)

    def precompute_insights(self, retry_failed: bool = True) -> dict[str, float]:
        """Compute every dashboard page's insight result and store it (seconds per result built);
        pages then answer from the store until the data, configuration or curation changes."""
        from escucha.insights.stored import precompute

        return precompute(self.context, retry_failed=retry_failed)

    def pending(self) -> int:
        return self.store.count_pending(self.pipeline.version)

    # -- data out ---------------------------------------------------------------------------
    @property
    def context(self) -> InsightContext:
        """A fresh :class:`InsightContext` on this workspace (what insights read)."""
        return InsightContext(self.store, self.settings, self.layout)

    @cached_property
    def notifier(self) -> Notifier:
        """The delivery outbox for alerts, escalations and customer e-mails (channels in notify.yaml)."""
        return Notifier.from_layout(self.store, self.layout)

    @cached_property
    def watch(self) -> Watch:
        """The reputation watch: alerts (replay, live), watch list, rules (alerts.yaml)."""
        return Watch(self.store, self.layout, lambda: self.notifier, promises=self.promises,
                     language=lambda: self.settings.ui_language)  # fmt: skip

    def listen(self, items: Sequence[Feedback | dict[str, Any]]) -> dict[str, Any]:
        """Live listening: store voices, analyse them inline and evaluate the alert rules on the
        windows they fall in (late voices re-evaluate their own window; alerts never repeat)."""
        fb = self.company_voices(items)
        before = self.store.data_version()
        res = self.store.upsert_items(fb)
        alerts = self.watch_arrived(fb, before=before)
        return {"inserted": res.inserted, "updated": res.updated, "duplicates": res.duplicates,
                "analysed": len(fb), "alerts": alerts}  # fmt: skip

    def watch_arrived(
        self, items: Sequence[Feedback], analysed: bool = False, before: Any = None
    ) -> list[dict[str, Any]]:
        """Analyse stored voices that just arrived (unless ``analysed``) and evaluate the alert
        rules on their windows, in event-time order; returns the new alerts (delivered).
        ``before``: the store's data version before they were stored (lets the watch add them to
        what it has read instead of reading everything again)."""
        from escucha.analysis import analyse_batch
        from escucha.store import PendingItem

        if not items:
            return []
        items = sorted(items, key=lambda f: (f.timestamp is None, f.timestamp))
        absorbed = False
        if not analysed:
            pending = [PendingItem(id=i.id, content_hash=i.hash, text=i.text, title=i.title, language=i.language,
                                   reach=i.reach) for i in items]  # fmt: skip
            analyses, _ = analyse_batch(self.pipeline, pending)
            self.store.save_analyses(pending, analyses)
            absorbed = self.watch.absorb(zip(items, analyses, strict=True), before)
        days = sorted({(i.timestamp or pd.Timestamp.now(tz="UTC")).date().isoformat() for i in items})
        return self.watch.evaluate(days, trust_cache=not analysed and absorbed)

    def insight(self, name: str, **params: Any) -> InsightResult[Any]:
        """Compute the registered insight ``name`` (see :func:`escucha.insights.base.all_insights`)."""
        return self.context.run(name, **params)

    def metrics(
        self,
        by: str | Sequence[str] = (),
        period: str | None = None,
        filters: Filters | None = None,
        min_volume: int = 0,
    ) -> pd.DataFrame:
        """Metrics with 95% CIs per group; with ``period``, also the change vs the previous period
        and whether it is significant. Employee groups below the anonymity threshold show nothing."""
        return self.context.metrics(by, period, filters, min_volume)

    def items(self, filters: Filters | None = None, limit: int | None = 100, offset: int = 0) -> pd.DataFrame:
        return self.store.items(filters, limit, offset)

    def get(self, item_id: str) -> tuple[Feedback, Analysis | None]:
        return self.store.get_item(item_id)

    def aspects(self, filters: Filters | None = None) -> pd.DataFrame:
        return self.store.aspects(filters)

    def quarantine(self) -> pd.DataFrame:
        return self.store.quarantine()

    def counts(self) -> dict[str, int]:
        return self.store.counts()

    # -- insights (each lives in escucha.insights.*, found by name in the registry) ---------------
    def drivers(self, target: str = "nps", **kw: Any) -> pd.DataFrame:
        """Key drivers of ``target`` (nps, csat or rating): impact, importance with CIs, quadrant."""
        return self.insight("drivers", target=target, **kw).data  # type: ignore[no-any-return]

    def journey(self, journey: Any = None, **kw: Any) -> dict[str, Any]:
        """The customer journey map: per stage and touchpoint, volume, feeling, effort, moments of truth."""
        return self.insight("journey", journey=journey, **kw).data  # type: ignore[no-any-return]

    def promises(self, promises: Any = None, **kw: Any) -> list[dict[str, Any]]:
        """Promise vs experience: per brand promise, kept vs broken, gap score, trend, quotes."""
        return self.insight("promises", promises=promises, **kw).data  # type: ignore[no-any-return]

    def plan(self, by: str | None = None, top: int = 20, **kw: Any) -> list[dict[str, Any]]:
        """The improvement plan: ranked problems with impact parts, owner, evidence and credits."""
        return self.insight("plan", by=by, top=top, **kw).data  # type: ignore[no-any-return]

    def themes(self, refresh: bool = False, **kw: Any) -> pd.DataFrame:
        """Themes found in the customers' own words (discovered on first use or with ``refresh``)."""
        return self.insight("themes", refresh=refresh, **kw).data  # type: ignore[no-any-return]

    def ideas(self, top: int = 20, **kw: Any) -> list[dict[str, Any]]:
        """The ideas board: suggestions clustered, with supporters and the first proposer."""
        return self.insight("ideas", top=top, **kw).data  # type: ignore[no-any-return]

    def segments(self, k: int | None = None, seed: int = 0, **kw: Any) -> dict[str, Any]:
        """Needs-based customer segments, described in words."""
        return self.insight("segments", k=k, seed=seed, **kw).data  # type: ignore[no-any-return]

    # -- listening at the source: micro-surveys and the co-creation portal ------------------------
    @cached_property
    def surveys(self) -> Surveys:
        """Micro-surveys: answers go through :meth:`ingest` and are analysed at once."""
        from escucha.surveys import SurveyContext, Surveys

        return Surveys(SurveyContext(self.store, self.settings, self.layout, self.ingest, lambda: self.pipeline))

    @cached_property
    def portal(self) -> Portal:
        """The public co-creation portal (ideas, votes, statuses, credits)."""
        from escucha.portal import Portal, PortalContext

        return Portal(PortalContext(self.store, self.settings, self.layout))


def open(path: str | Path, create: bool = True, **settings: Any) -> Workspace:
    """Open (or create) the workspace at ``path``."""
    p = Path(path).expanduser().resolve()
    s = Settings.for_workspace(p, **settings) if settings else None
    return Workspace(p, s, create=create)
