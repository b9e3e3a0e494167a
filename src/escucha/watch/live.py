"""Live listening from a folder: each new file is ingested, analysed inline and the alert rules
evaluated on the windows its voices fall in (``escucha watch --folder DIR``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

SEEN_DOCS = "watch_folder_seen"
SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".parquet", ".xlsx")


class FolderWatcher:
    """Looks at ``folder`` for files it has not seen (by name, size and modification time)."""

    def __init__(self, ws: Any, folder: Path, mapping: Any = "jsonl_feedback"):
        self.ws = ws
        self.folder = Path(folder)
        self.mapping = mapping

    def _key(self, p: Path) -> str:
        st = p.stat()
        return f"{p.resolve()}|{st.st_size}|{int(st.st_mtime)}"

    def poll(self) -> list[dict[str, Any]]:
        """Ingest the new files (oldest name first); returns the alerts they raised."""
        if not self.folder.is_dir():
            from escucha.errors import ConfigError

            raise ConfigError(f"{self.folder} is not a folder", field="folder")
        seen = self.ws.store.get_docs(SEEN_DOCS)
        new_alerts: list[dict[str, Any]] = []
        for p in sorted(self.folder.iterdir()):
            if not p.is_file() or p.suffix.lower() not in SUFFIXES or p.name.startswith("."):
                continue
            key = self._key(p)
            if key in seen:
                continue
            since = pd.Timestamp.now(tz="UTC").tz_localize(None) - pd.Timedelta(seconds=1)
            self.ws.ingest(p, self.mapping, source_name=p.stem)
            self.ws.analyze()
            days = self.ws.watch.days_ingested_since(since)
            new_alerts += self.ws.watch.evaluate(days)
            self.ws.store.put_docs(SEEN_DOCS, {key: {"file": p.name, "at": pd.Timestamp.now(tz="UTC").isoformat()}})
        return new_alerts
