"""Fuzz ingest: seeded mutations of good files, each ingested through the real CLI code path.

Every mutation starts from a good file (CSV, TSV, JSONL, Excel, Parquet or gzipped CSV, written
fresh with ids unique to the mutation), changes some rows or the whole file in one of the ways
issue 15 lists, and runs ``escucha ingest`` on it: in-process with Typer's CliRunner, and every
``--subprocess-every``-th one as a real ``python -m escucha`` process. An outcome is

- ``ok``: exit 0;
- ``clean error``: an EscuchaError (exit 2 in a subprocess) with a message;
- ``traceback``: any other exception, or a traceback on a subprocess's stderr.

``good rows lost`` counts rows the mutation did not touch (and that are readable once the file is
whole) that are not in the store afterwards; mutations that damage a binary container as a whole
have no rows that must survive, and must end as ok or a clean error.

    python bench/fuzz_ingest.py --n 1200 --seed 15

prints the figures and writes bench/results/fuzz_ingest.json.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from typer.testing import CliRunner

from escucha.cli import app
from escucha.errors import EscuchaError

ROWS = 24
WORDS = ["servicio", "atención", "pedido", "retraso", "genial", "caro", "app", "niño", "€", "ok",
         "café", "reembolso", "vuelo", "maleta", "amable", "nunca más", "10/10", "😀"]  # fmt: skip


@dataclass
class Case:
    """One mutated file: where it is, how to ingest it, which ids must land."""

    kind: str
    path: Path
    args: list[str]
    good: set[str]
    expect_error: bool = False
    whole_file: bool = False  # the container is damaged: no row must survive
    extra: dict[str, Any] = field(default_factory=dict)


def _text(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 8)))


def _rows(rng: random.Random, tag: str) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{tag}-{i}",
            "text": _text(rng) + (', "dijo"\n' if rng.random() < 0.1 else ""),
            "timestamp": f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)} 1{rng.randint(0, 9)}:00:00",
            "reach": rng.randint(0, 5000),
            "product": rng.choice(["app", "web", "tienda"]),
        }
        for i in range(ROWS)
    ]


def _csv_bytes(rows: list[dict[str, Any]], delim: str = ",", encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    pd.DataFrame(rows).to_csv(buf, index=False, sep=delim, lineterminator="\n")
    return buf.getvalue().encode(encoding)


def _jsonl_bytes(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()


def _lines_of(data: bytes) -> list[bytes]:
    return data.split(b"\n")


MAPPING = ["--text-col", "text", "--time-col", "timestamp", "--id-col", "id"]
JSONL_MAPPING = ["--preset", "jsonl_feedback"]

# -- row mutations: (name, function(row dict) -> (row dict or raw line bytes)) -------------------
BAD_VALUES: list[tuple[str, str, Any]] = [
    ("surrogate_text", "text", "mal \ud800 servicio"),
    ("surrogate_meta", "agent", "\udfff"),
    ("nul_text", "text", "a\x00b"),
    ("huge_int", "reach", 99999999999999999999),
    ("huge_float", "reach", 1e30),
    ("negative_reach", "reach", -4),
    ("date_max", "timestamp", "9999-12-31 23:59:59 -0800"),
    ("date_min", "timestamp", "0001-01-01T00:00:00+01:00"),
    ("not_a_date", "timestamp", "ayer por la tarde"),
    ("empty_text", "text", "   "),
    ("deep_meta", "nest", "DEEP"),
    ("inf_meta", "score", float("inf")),
]


def _jsonl_line(row: dict[str, Any]) -> bytes:
    if row.get("nest") == "DEEP":
        row = {**row, "nest": None}
        head = json.dumps(row, ensure_ascii=False)[:-1]
        depth = 100_000 if random.random() < 0.5 else 200
        return (head + ', "deep": ' + "[" * depth + "]" * depth + "}").encode()
    text = json.dumps(row, ensure_ascii=False, allow_nan=True)
    return text.encode("utf-8", "surrogatepass")


def mutate_rows_jsonl(rng: random.Random, tag: str, d: Path, n: int) -> Case:
    rows = _rows(rng, tag)
    bad_at = set(rng.sample(range(ROWS), k=rng.randint(1, 4)))
    lines = []
    kinds = []
    for i, row in enumerate(rows):
        if i in bad_at:
            kind, col, value = rng.choice(BAD_VALUES)
            kinds.append(kind)
            lines.append(_jsonl_line({**row, col: value}))
        else:
            lines.append(_jsonl_line(row))
    p = d / f"{tag}.jsonl"
    p.write_bytes(b"\n".join(lines) + b"\n")
    good = {r["id"] for i, r in enumerate(rows) if i not in bad_at}
    return Case("jsonl_values:" + "+".join(sorted(set(kinds))), p, JSONL_MAPPING, good)


def mutate_rows_csv(rng: random.Random, tag: str, d: Path, n: int) -> Case:
    rows = _rows(rng, tag)
    bad_at = set(rng.sample(range(ROWS), k=rng.randint(1, 4)))
    kinds = []
    for i in sorted(bad_at):
        kind, col, value = rng.choice(
            [b for b in BAD_VALUES if b[0] not in ("deep_meta", "inf_meta", "surrogate_meta")]
        )
        if kind.startswith("surrogate"):
            kind, value = "bad_bytes", "BADBYTES"
        kinds.append(kind)
        rows[i] = {**rows[i], col: value}
    data = _csv_bytes(rows).replace(b"BADBYTES", b"mal\xff\xfe servicio")
    p = d / f"{tag}.csv"
    p.write_bytes(data)
    good = {r["id"] for i, r in enumerate(rows) if i not in bad_at}
    return Case("csv_values:" + "+".join(sorted(set(kinds))), p, MAPPING, good)


def mutate_thousands(rng: random.Random, tag: str, d: Path, n: int) -> Case:
    rows = _rows(rng, tag)
    for r in rows:
        r["reach"] = (
            f"{rng.randint(1, 99)},{rng.randint(100, 999)}"
            if rng.random() < 0.5
            else f"{rng.randint(1, 99)}.000"
        )
    p = d / f"{tag}.csv"
    p.write_bytes(_csv_bytes(rows))
    return Case("csv_thousands", p, [*MAPPING], {r["id"] for r in rows}, extra={"reach_col": True})


def mutate_line_noise(rng: random.Random, tag: str, d: Path, n: int) -> Case:
    """Garbage lines, flipped bytes, a stray quote or delimiter in some physical lines."""
    rows = _rows(rng, tag)
    for r in rows:  # single-line records, so a damaged line is one row
        r["text"] = r["text"].replace("\n", " ")
    fmt = rng.choice(["csv", "jsonl"])
    data = _csv_bytes(rows) if fmt == "csv" else _jsonl_bytes(rows)
    lines = _lines_of(data)
    first = 1 if fmt == "csv" else 0
    touched: set[int] = set()
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(first, len(lines) - 1)
        op = rng.choice(["flip", "quote", "garbage", "delim", "cut"])
        line = bytearray(lines[i])
        if op == "flip" and line:
            line[rng.randrange(len(line))] = rng.randrange(256)
        elif op == "quote":
            line.insert(rng.randrange(len(line) + 1), ord('"'))
        elif op == "delim":
            line.insert(rng.randrange(len(line) + 1), ord(","))
        elif op == "cut":
            line = line[: rng.randrange(len(line) + 1)]
        else:
            lines.insert(
                i, bytes(rng.randrange(256) for _ in range(rng.randint(1, 40))).replace(b"\n", b"")
            )
            touched = {j + 1 if j >= i else j for j in touched}
            touched.add(i)
            continue
        lines[i] = bytes(line).replace(b"\n", b"")
        touched.add(i)
    ids = [f"{tag}-{k}" for k in range(ROWS)]
    good = set()
    for j, line in enumerate(lines[first:], first):
        if j in touched:
            continue
        for rid in ids:
            if f'"{rid}"'.encode() in line or line.startswith(f"{rid},".encode()):
                good.add(rid)
    p = d / f"{tag}.{fmt}"
    p.write_bytes(b"\n".join(lines))
    return Case(f"{fmt}_line_noise", p, MAPPING if fmt == "csv" else JSONL_MAPPING, good)


def mutate_line_ends(rng: random.Random, tag: str, d: Path, n: int) -> Case:
    """Bare \\r (old Mac), \\r\\n (Windows) or a mix, with quoted newlines inside."""
    rows = _rows(rng, tag)
    data = _csv_bytes(rows)
    style = rng.choice(["cr", "crlf", "mixed"])
    if style == "cr":
        data = data.replace(b"\n", b"\r")
    elif style == "crlf":
        data = data.replace(b"\n", b"\r\n")
    else:
        data = b"".join(
            line + rng.choice([b"\r", b"\n", b"\r\n"]) for line in data.split(b"\n")[:-1]
        )
    p = d / f"{tag}.csv"
    p.write_bytes(data)
    return Case(f"csv_line_ends_{style}", p, MAPPING, {r["id"] for r in rows})


def mutate_encoding(rng: random.Random, tag: str, d: Path, n: int) -> Case:
    rows = _rows(rng, tag)
    for r in rows:
        r["text"] = r["text"].replace("😀", "¡olé!")
    enc = rng.choice(["cp1252", "latin-1", "utf-16", "utf-8-sig"])
    for r in rows:
        r["text"] = r["text"].encode(enc, "replace").decode(enc)
    delim = rng.choice([",", ";", "\t"])
    p = d / f"{tag}.{'tsv' if delim == chr(9) else 'csv'}"
    p.write_bytes(_csv_bytes(rows, delim=delim, encoding=enc))
    return Case(f"encoding_{enc}", p, MAPPING, {r["id"] for r in rows})


def mutate_binary(rng: random.Random, tag: str, d: Path, n: int) -> Case:
    """A gzipped CSV, Excel or Parquet file, truncated or with flipped bytes (or intact)."""
    rows = _rows(rng, tag)
    fmt = rng.choice(["xlsx", "parquet", "csv.gz"])
    p = d / f"{tag}.{fmt}"
    df = pd.DataFrame(rows)
    if fmt == "xlsx":
        df.to_excel(p, index=False)
    elif fmt == "parquet":
        df.to_parquet(p)
    else:
        p.write_bytes(gzip.compress(_csv_bytes(rows)))
    data = bytearray(p.read_bytes())
    op = rng.choice(["truncate", "flip", "intact", "empty", "junk"])
    if op == "truncate":
        data = data[: rng.randrange(len(data))]
    elif op == "flip":
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif op == "empty":
        data = bytearray()
    elif op == "junk":
        data = bytearray(rng.randbytes(rng.randint(1, 500)))
    p.write_bytes(bytes(data))
    good = {r["id"] for r in rows} if op == "intact" else set()
    return Case(f"{fmt}_{op}", p, MAPPING, good, whole_file=op != "intact")


def mutate_typed_cells(rng: random.Random, tag: str, d: Path, n: int) -> Case:
    """Excel and Parquet with bad values in typed cells (huge numbers, odd dates, control chars)."""
    rows = _rows(rng, tag)
    bad_at = set(rng.sample(range(ROWS), k=rng.randint(1, 4)))
    for i in bad_at:
        rows[i]["reach"] = rng.choice([10**19, -3, 1.5])
        rows[i]["timestamp"] = rng.choice(
            ["9999-12-31 23:59:59 -0800", "nope", "0001-01-01 00:00:00 +0100"]
        )
    fmt = rng.choice(["xlsx", "parquet"])
    p = d / f"{tag}.{fmt}"
    df = pd.DataFrame(rows)
    df["reach"] = df["reach"].astype(object).map(str) if fmt == "parquet" else df["reach"]
    if fmt == "xlsx":
        df.to_excel(p, index=False)
    else:
        df.to_parquet(p)
    good = {r["id"] for i, r in enumerate(rows) if i not in bad_at}
    return Case(f"{fmt}_typed_cells", p, [*MAPPING], good, extra={"reach_col": True})


def mutate_cli_misuse(rng: random.Random, tag: str, d: Path, n: int) -> Case:
    """Mapping and path mistakes that must be clean errors."""
    rows = _rows(rng, tag)
    p = d / f"{tag}.csv"
    p.write_bytes(_csv_bytes(rows))
    kind = rng.choice(
        ["text_col", "time_col", "encoding", "directory", "ws_is_file", "mapping_encoding"]
    )
    args = list(MAPPING)
    extra: dict[str, Any] = {}
    if kind == "text_col":
        args[1] = "nope"
    elif kind == "time_col":
        args[3] = "nope"
    elif kind == "encoding":
        args += ["--encoding", "klingon"]
    elif kind == "directory":
        p = d
    elif kind == "ws_is_file":
        extra["workspace"] = p
    else:
        m = d / f"{tag}.yaml"
        m.write_text("encoding: klingon\ncolumns: {text: text}\n", encoding="utf-8")
        args = ["--mapping", str(m)]
    return Case(f"cli_{kind}", p, args, set(), expect_error=True, extra=extra)


def mutate_identity(rng: random.Random, tag: str, d: Path, n: int) -> Case:
    """The same file under another name, ingested twice: the second adds nothing."""
    rows = _rows(rng, tag)
    p = d / f"{tag}.csv"
    p.write_bytes(_csv_bytes(rows))
    copy = d / f"{tag}_copy.csv"
    copy.write_bytes(p.read_bytes())
    return Case("identity_renamed_copy", p, MAPPING, {r["id"] for r in rows}, extra={"copy": copy})


MUTATORS: list[tuple[Callable[..., Case], int]] = [
    (mutate_rows_jsonl, 4), (mutate_rows_csv, 4), (mutate_line_noise, 4), (mutate_line_ends, 2),
    (mutate_encoding, 2), (mutate_binary, 3), (mutate_typed_cells, 2), (mutate_thousands, 1),
    (mutate_cli_misuse, 1), (mutate_identity, 1),
]  # fmt: skip


# -- running -----------------------------------------------------------------------------------
def _stored(ws_path: Path, tag: str) -> tuple[set[str], int]:
    import escucha

    ws = escucha.open(ws_path, create=False)
    try:
        df = ws.store._df("SELECT source_id FROM items WHERE source_id LIKE ?", [f"{tag}-%"])
        return set(df["source_id"]), len(df)
    finally:
        ws.store.close()


def run_in_process(runner: CliRunner, ws: Path, case: Case) -> tuple[str, str]:
    res = runner.invoke(
        app, ["--workspace", str(ws), "ingest", str(case.path), *case.args, "--json"]
    )
    if res.exception is None or (isinstance(res.exception, SystemExit) and res.exit_code == 0):
        return "ok", ""
    if isinstance(res.exception, EscuchaError):
        return "clean error", res.exception.message
    if isinstance(res.exception, SystemExit) and res.exit_code == 2:  # click usage error
        return "clean error", res.output[-300:]
    tb = "".join(traceback.format_exception(res.exception))
    return "traceback", tb[-2000:]


def run_subprocess(ws: Path, case: Case) -> tuple[str, str]:
    cmd = [
        sys.executable,
        "-m",
        "escucha",
        "--workspace",
        str(ws),
        "ingest",
        str(case.path),
        *case.args,
        "--json",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=os.environ.copy())
    if "Traceback (most recent call last)" in proc.stderr:
        return "traceback", proc.stderr[-2000:]
    if proc.returncode == 0:
        return "ok", ""
    if proc.returncode == 2 and "error" in proc.stderr:
        return "clean error", proc.stderr.strip()[-300:]
    return "traceback", f"exit {proc.returncode}: {proc.stderr[-2000:]}"


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n", type=int, default=1200, help="mutations to try")
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument(
        "--subprocess-every", type=int, default=40, help="every Nth runs as a real process"
    )
    ap.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "fuzz_ingest.json"
    )
    args = ap.parse_args()

    rng = random.Random(args.seed)
    random.seed(args.seed)
    runner = CliRunner()
    population = [m for m, w in MUTATORS for _ in range(w)]
    outcomes: Counter[str] = Counter()
    by_kind: dict[str, Counter[str]] = {}
    good_total = lost_total = duplicated = 0
    failures: list[dict[str, Any]] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="escucha-fuzz-") as tmp:
        root = Path(tmp)
        for n in range(args.n):
            if n % 100 == 0:
                ws = root / f"ws{n // 100}"
            d = root / f"m{n}"
            d.mkdir()
            tag = f"m{n}"
            case = rng.choice(population)(rng, tag, d, n)
            target = case.extra.get("workspace", ws)
            via = (
                "subprocess" if args.subprocess_every and n % args.subprocess_every == 0 else "cli"
            )
            outcome, detail = (
                run_subprocess if via == "subprocess" else lambda w, c: run_in_process(runner, w, c)
            )(target, case)
            if outcome == "ok" and case.expect_error:
                outcome, detail = "traceback", "expected a clean error, got exit 0"
            lost: set[str] = set()
            if outcome == "traceback":
                ws = root / f"ws{n}-fresh"  # a crash may leave the workspace locked
            elif not case.expect_error and case.good:
                try:
                    stored, _ = _stored(ws, tag)
                except Exception:  # no workspace, or a broken one: nothing of this file landed
                    stored = set()
                lost = case.good - stored
                if "copy" in case.extra and outcome == "ok":
                    res = runner.invoke(
                        app,
                        [
                            "--workspace",
                            str(ws),
                            "ingest",
                            str(case.extra["copy"]),
                            *case.args,
                            "--json",
                        ],
                    )
                    again = json.loads(res.output) if res.exception is None else {}
                    duplicated += int(again.get("stored", -1) != 0)
                    _, count = _stored(ws, tag)
                    duplicated += int(count != len(case.good))
            good_total += len(case.good)
            lost_total += len(lost)
            outcomes[outcome] += 1
            by_kind.setdefault(case.kind.split(":")[0], Counter())[outcome] += 1
            if outcome == "traceback" or lost:
                failures.append({"n": n, "kind": case.kind, "via": via, "outcome": outcome,
                                 "lost": sorted(lost)[:10], "detail": detail})  # fmt: skip
    seconds = time.perf_counter() - started
    result = {
        "seed": args.seed,
        "tried": args.n,
        "ok": outcomes["ok"],
        "clean_error": outcomes["clean error"],
        "traceback": outcomes["traceback"],
        "good_rows": good_total,
        "good_rows_lost": lost_total,
        "stored_twice": duplicated,
        "seconds": round(seconds, 1),
        "by_kind": {k: dict(v) for k, v in sorted(by_kind.items())},
        "failures": failures[:50],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"tried {args.n}  ok {outcomes['ok']}  clean error {outcomes['clean error']}  "
          f"traceback {outcomes['traceback']}  good rows lost {lost_total} of {good_total}  "
          f"stored twice {duplicated}  ({seconds:.0f}s)")  # fmt: skip
    for f in failures[:5]:
        print(
            f"  #{f['n']} {f['kind']} via {f['via']}: {f['outcome']}, lost {f['lost']}\n    {f['detail'][-400:]}"
        )


if __name__ == "__main__":
    main()
