"""Build the demo and show where the brand's own replies go: stored as speaker ``agent``, out of the
customer listing, the channel figures and the themes' key phrases.

    .venv/bin/python scripts/demo_speakers.py /tmp/demo-speakers   # prints JSON, writes OUT.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from escucha.demo.build import build_demo
from escucha.store import Filters

BRAND_WORDS = ("lamentamos", "molestias", "sorry", "sentimos", "dm", "nos alegra")


def main(out: Path) -> dict[str, Any]:
    ws, _ = build_demo(out, n=6000, seed=7, console=None)
    everything = ws.store.items(Filters(agents=True), limit=None)
    customers = ws.store.items(Filters(), limit=None)
    by_brand = everything["metadata"].fillna("").str.contains('"author": "@LumenHogar', case=False)
    themes = ws.themes(refresh=True)
    phrases = {str(t["label"]): [str(p) for p in t["key_phrases"]] for t in themes.to_dict("records")}
    social = ws.metrics(by="channel").set_index("channel").loc["social"]
    res = {
        "voices": len(everything),
        "customer_voices": len(customers),
        "speaker_agent": int((everything["speaker"] == "agent").sum()) if "speaker" in everything else 0,
        "by_brand_accounts": int(by_brand.sum()),
        "brand_in_customer_listing": int(customers["id"].isin(everything.loc[by_brand, "id"]).sum()),
        "social_volume": int(social["volume"]),
        "social_sentiment_index": round(float(social["sentiment_index"]), 1),
        "themes": len(phrases),
        "themes_with_brand_words": {
            k: v for k, v in phrases.items() if any(f" {w} " in f" {p} " for p in v for w in BRAND_WORDS)
        },
    }
    out.with_suffix(".json").write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    return res


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/demo-speakers")),
                     ensure_ascii=False, indent=1))  # fmt: skip
