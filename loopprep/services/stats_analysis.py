"""Analyse an experiment from a CSV (path, upload bytes or stream), and diff-in-diff from a
panel CSV.  The file is read in chunks (pandas), so memory stays flat for millions of rows."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel

from loopprep.engines.stats.result import BadInput
from loopprep.errors import InvalidInput
from loopprep.services.stats import QuantityOut, StatsAnswer, StepOut, run_engine

CHUNK_ROWS = 250_000
MAX_SEGMENT_LEVELS = 50  # a breakdown by more values than this is unreadable, and memory grows with it
Progress = Callable[[int, int], None]


class EffectOut(BaseModel):
    metric: str
    variant: str
    kind: str
    n_control: int
    n_treatment: int
    mean_control: float
    mean_treatment: float
    effect: float
    lower: float
    upper: float
    p_value: float
    relative: float | None
    p_adjusted: float | None
    cuped_effect: float | None
    cuped_lower: float | None
    cuped_upper: float | None
    cuped_p_value: float | None
    cuped_rho: float | None
    segment: str | None
    segment_value: str | None


class AnalysisReport(BaseModel):
    rows: int
    control: str
    variants: list[str]
    counts: dict[str, int]
    srm_p_value: float
    srm: bool
    srm_verdict: str
    verdict: str
    effects: list[EffectOut]
    segment_effects: list[EffectOut]
    adjust_method: str
    segments: list[str]  # the columns broken down by: text columns and segment_ columns
    segments_ignored: list[str]  # segment columns left out for having too many distinct values


class AnalysisAnswer(StatsAnswer):
    """The stats contract plus the full ``report`` (per-variant counts, effects, segments)."""

    report: AnalysisReport


class _Counting(io.RawIOBase):
    """A binary reader that reports how many bytes have been read."""

    def __init__(self, raw: IO[bytes], total: int, progress: Progress | None) -> None:
        self.raw, self.total, self.progress, self.done = raw, total, progress, 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        data = self.raw.read(len(b))
        n = len(data)
        b[:n] = data
        self.done += n
        if self.progress:
            self.progress(self.done, self.total)
        return n


def _fail(field: str, message: str, hint: str = "") -> InvalidInput:
    return InvalidInput(message, hint or "Fix the file and upload it again.", field=field)


def _header(raw: bytes) -> list[str]:
    import csv

    line = raw.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace").strip("\r")
    if not line.strip():
        raise _fail("file", "The file is empty: the first line must be a header (e.g. unit,variant,converted).")
    return [c.strip() for c in next(csv.reader([line]))]


def _check_first_row(raw: bytes, cols: list[str], field: str) -> None:
    """Refuse a file whose first data row has more fields than the header: pandas would silently
    take the first field as the row index and shift every column by one."""
    import csv

    lines = raw.decode("utf-8-sig", errors="replace").splitlines()
    if len(lines) < 2 or (len(lines) == 2 and not raw.endswith(b"\n")):
        return  # no complete data row in the first 64 KB: the parser checks the rest
    row = next(csv.reader([lines[1]]), [])
    if len(row) > len(cols):
        raise _fail(
            field,
            f"Row 2 has {len(row)} fields but the header has {len(cols)} columns: every value would be read "
            "under the wrong column.",
            "Add the missing column name to the header, or remove the extra field (often a trailing comma).",
        )


def analyse_csv(
    source: Path | bytes,
    *,
    control: str = "control",
    variant_col: str = "variant",
    unit_col: str | None = None,
    split: str | None = None,
    threshold: float = 0.001,
    confidence: float = 0.95,
    adjust: str = "holm",
    progress: Progress | None = None,
) -> AnalysisAnswer:
    """SRM, effects, CUPED, segments and corrected p-values for an experiment CSV.

    Columns: a unit id (``unit_col``, default the first column), ``variant_col``, metric
    columns (0/1 = proportion), optional ``pre_<metric>`` columns, and segments: every column
    named ``segment_<name>`` and every other text column (``device``, ``country``), judged on
    the first 64 KB.  A segment with more than ``MAX_SEGMENT_LEVELS`` distinct values is left
    out with a warning.  Raises ``InvalidInput`` naming the column (and the row) of a malformed
    file."""
    import pandas as pd

    from loopprep.engines.stats.analyse import Accumulator, analyse

    if isinstance(source, Path):
        if not source.is_file():
            raise InvalidInput(f"There is no file at {source}.", "Check the path.", field="file")
        total = source.stat().st_size
        with source.open("rb") as fh:
            head = fh.read(64 * 1024)
        opener: Callable[[], IO[bytes]] = lambda: source.open("rb")  # noqa: E731
    else:
        total, head = len(source), source[: 64 * 1024]
        opener = lambda: io.BytesIO(source)  # noqa: E731
    cols = _header(head)
    _check_first_row(head, cols, "file")
    if len(set(cols)) != len(cols):
        dup = next(c for c in cols if cols.count(c) > 1)
        raise _fail("file", f"Column '{dup}' appears twice in the header.")
    if variant_col not in cols:
        raise _fail(
            "variant_col",
            f"No column '{variant_col}' (the variant) in the header; the columns are {', '.join(cols)}.",
            "Name the variant column with variant_col / --variant-col.",
        )
    unit = unit_col or cols[0]
    if unit not in cols:
        raise _fail("unit_col", f"No unit id column '{unit}'; the columns are {', '.join(cols)}.")
    if unit == variant_col:
        raise _fail("unit_col", "The first column is the variant: put the unit id first or name it with unit_col.")
    pres = [c for c in cols if c.startswith("pre_")]
    others = [c for c in cols if c not in (unit, variant_col) and c not in pres]
    text = set(_text_columns(head, [c for c in others if not c.startswith("segment_")], partial=total > len(head)))
    segments = [c for c in others if c.startswith("segment_") or c in text]
    metrics = [c for c in others if c not in segments]
    if not metrics:
        verb = (
            "holds text, so it is read as a segment"
            if len(segments) == 1
            else "hold text, so they are read as segments"
        )
        read_as = f" ({', '.join(segments)} {verb})" if segments else ""
        raise _fail(
            "file",
            f"No metric columns{read_as}: add at least one numeric column besides the unit id and the variant.",
        )
    cuped = [m for m in metrics if f"pre_{m}" in pres]
    split_shares = None
    if split:
        try:
            split_shares = [float(x) for x in split.split(",") if x.strip()]
        except ValueError:
            raise InvalidInput(
                f"split must be numbers separated by commas (e.g. 50,50); got '{split}'.", field="split"
            ) from None
    acc = Accumulator(metrics=tuple(metrics), segments=tuple(segments), cuped=tuple(cuped))
    levels: dict[str, set[str]] = {s: set() for s in segments}
    ignored: list[str] = []
    pairs: list[Any] = []
    dtypes = {c: str for c in (unit, variant_col, *segments)}
    line = 2  # the first data row is line 2 of the file
    try:
        with opener() as raw:
            reader = pd.read_csv(
                io.BufferedReader(_Counting(raw, total, progress), buffer_size=1 << 20),
                chunksize=CHUNK_ROWS,
                dtype=dtypes,
                keep_default_na=True,
                na_values=[""],
                skipinitialspace=True,
                encoding="utf-8-sig",
                index_col=False,
            )
            for chunk in reader:
                _check_chunk(chunk, line, variant_col, metrics + pres)
                seg_values = {}
                for s in acc.segments:
                    values = chunk[s].fillna("(blank)")
                    levels[s].update(values.unique()[: MAX_SEGMENT_LEVELS + 1])
                    if len(levels[s]) > MAX_SEGMENT_LEVELS:
                        acc.drop_segment(s)
                        ignored.append(s)
                    else:
                        seg_values[s] = values.to_numpy()
                acc.add(
                    chunk[variant_col].to_numpy(),
                    {m: _numeric(chunk[m]) for m in metrics},
                    pre={m: _numeric(chunk[f"pre_{m}"]) for m in cuped},
                    segments=seg_values,
                )
                pairs.append(_unit_pairs(chunk[unit], chunk[variant_col]))
                line += len(chunk)
    except pd.errors.ParserError as exc:
        found = re.search(r"line (\d+)", str(exc))
        where = f"row {found.group(1)}" if found else "a row"
        raise _fail(
            "file",
            f"The CSV is malformed at {where}: {str(exc).split(':')[-1].strip()}",
            f"Every row needs the {len(cols)} columns of the header.",
        ) from None
    except pd.errors.EmptyDataError:
        raise _fail("file", "The file has a header but no rows.") from None
    except UnicodeDecodeError:
        raise _fail("file", "The file is not UTF-8 text; save it as a UTF-8 CSV.") from None
    if acc.rows == 0:
        raise _fail("file", "The file has a header but no rows.")
    unit_warnings = _unit_checks(pairs, acc.rows, unit)
    try:
        a = analyse(
            acc, control=control, split=split_shares, threshold=threshold, confidence=confidence, adjust_method=adjust
        )
    except BadInput as exc:
        raise InvalidInput(exc.message, "Check the file and the options.", field=exc.field) from None
    answer = _answer(a, confidence, segments=list(acc.segments), ignored=ignored)
    seg_warnings = [
        f"Column '{s}' has more than {MAX_SEGMENT_LEVELS} distinct values, too many to break the results down by: "
        "it is left out. Group it into fewer values (or drop it) to see a breakdown."
        for s in ignored
    ]
    answer.warnings = unit_warnings + seg_warnings + answer.warnings
    return answer


def _text_columns(head: bytes, candidates: list[str], *, partial: bool) -> list[str]:
    """The candidate columns whose values in the first 64 KB are mostly not numbers: a ``device``
    or ``country`` column is a segment, while a numeric column with the odd typo stays a metric
    (and the typo is reported with its row)."""
    import pandas as pd

    if not candidates:
        return []
    sample = head[: head.rfind(b"\n") + 1] if partial else head  # drop a row cut at the 64 KB mark
    try:
        frame = pd.read_csv(
            io.BytesIO(sample),
            dtype=str,
            usecols=candidates,
            keep_default_na=True,
            na_values=[""],
            skipinitialspace=True,
            encoding="utf-8-sig",
            index_col=False,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError):
        return []  # the streaming read below reports the problem with its row
    out = []
    for c in candidates:
        values = frame[c].dropna()
        numbers = int(pd.to_numeric(values, errors="coerce").notna().sum())
        if len(values) and numbers * 2 < len(values):
            out.append(c)
    return out


def _unit_pairs(units: Any, variants: Any) -> Any:
    """The distinct (unit, variant) pairs of a chunk, as 64-bit hashes (16 bytes a pair)."""
    import numpy as np
    import pandas as pd

    h = pd.util.hash_pandas_object(units.fillna(""), index=False).to_numpy()
    v = pd.util.hash_pandas_object(variants.astype(str), index=False).to_numpy()
    return np.unique(np.stack([h, v], axis=1), axis=0)


def _unit_checks(pairs: list[Any], rows: int, unit: str) -> list[str]:
    """Each unit should be one row in one arm: refuse a file whose rows all share one unit id
    (the first column is not the unit) and warn about repeated units and units in several arms."""
    import numpy as np

    if not pairs:
        return []
    both = np.unique(np.concatenate(pairs), axis=0)
    units, per_unit = np.unique(both[:, 0], return_counts=True)
    if len(units) == 1 and rows > 1:
        raise _fail(
            "unit_col",
            f"All {rows:,} rows have the same unit id (column '{unit}'): the analyser needs one row per unit.",
            "Put the unit id in the first column or name it with unit_col / --unit-col.",
        )
    out = []
    crossed = int((per_unit > 1).sum())
    if crossed:
        out.append(
            f"{crossed:,} unit(s) appear in more than one variant: assignment leaked between arms, so the "
            "effects are diluted and the SRM check is off. Find out why before trusting the result."
        )
    if len(units) < rows:
        out.append(
            f"{rows - len(units):,} row(s) repeat a unit id (column '{unit}'): rows are treated as independent "
            "units, so the intervals are too narrow. Aggregate to one row per unit first."
        )
    return out


def _numeric(col: Any) -> Any:
    import pandas as pd

    return pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)


def _check_chunk(chunk: Any, first_line: int, variant_col: str, numeric: list[str]) -> None:
    import pandas as pd

    blank = chunk[variant_col].isna().to_numpy()
    if blank.any():
        i = int(blank.argmax())
        raise _fail("file", f"Row {first_line + i}, column '{variant_col}': the variant is empty.")
    for c in numeric:
        if pd.api.types.is_numeric_dtype(chunk[c]):
            continue
        coerced = pd.to_numeric(chunk[c], errors="coerce")
        bad = (coerced.isna() & chunk[c].notna()).to_numpy()
        if bad.any():
            i = int(bad.argmax())
            raise _fail(
                "file",
                f"Row {first_line + i}, column '{c}': '{chunk[c].iloc[i]}' is not a number.",
                "Metric and pre_ columns must be numeric (0/1 for conversions); leave a cell empty if missing.",
            )


def _answer(a: Any, confidence: float, *, segments: list[str], ignored: list[str]) -> AnalysisAnswer:
    def eo(e: Any) -> EffectOut:
        return EffectOut(**{k: getattr(e, k) for k in EffectOut.model_fields})

    result: dict[str, QuantityOut] = {
        "rows": QuantityOut(value=a.rows, unit="rows"),
        "srm_p_value": QuantityOut(value=a.srm_p_value, unit="probability"),
        "srm": QuantityOut(value=a.srm, unit="flag"),
    }
    for v, n in a.counts.items():
        result[f"count.{v}"] = QuantityOut(value=n, unit="units")
    for e in a.effects:
        key = f"{e.metric}.{e.variant}"
        result[f"{key}.effect"] = QuantityOut(value=e.effect, unit="rate" if e.kind == "proportion" else "metric units")
        result[f"{key}.lower"] = QuantityOut(value=e.lower, unit=result[f"{key}.effect"].unit)
        result[f"{key}.upper"] = QuantityOut(value=e.upper, unit=result[f"{key}.effect"].unit)
        result[f"{key}.p_value"] = QuantityOut(value=e.p_value, unit="probability")
        result[f"{key}.p_adjusted"] = QuantityOut(value=e.p_adjusted, unit="probability")
        if e.cuped_effect is not None:
            result[f"{key}.cuped_effect"] = QuantityOut(value=e.cuped_effect, unit=result[f"{key}.effect"].unit)
    report = AnalysisReport(
        rows=a.rows,
        control=a.control,
        variants=list(a.variants),
        counts=dict(a.counts),
        srm_p_value=a.srm_p_value,
        srm=a.srm,
        srm_verdict=a.srm_verdict,
        verdict=a.verdict,
        effects=[eo(e) for e in a.effects],
        segment_effects=[eo(e) for e in a.segment_effects],
        adjust_method=a.adjust_method,
        segments=segments,
        segments_ignored=ignored,
    )
    return AnalysisAnswer(
        result=result,
        method="SRM chi-square first; per metric a two-proportion z-test with Newcombe's interval (0/1 metrics) or "
        f"Welch's t (others); CUPED with theta pooled across arms; {a.adjust_method} correction across metrics",
        alternatives=[],
        steps=[
            StepOut(
                label="sample ratio mismatch",
                formula="chi-square goodness of fit vs the planned split",
                value=a.srm_p_value,
            ),
            StepOut(label="effects", formula=f"treatment - control, {confidence:.0%} intervals", value=len(a.effects)),
            StepOut(
                label="CUPED",
                formula="Y' = Y - theta (X - mean X), theta = cov(X, Y) / var(X)",
                value=sum(e.cuped_effect is not None for e in a.effects),
            ),
            StepOut(
                label="segments",
                formula="every text column besides the unit and the variant, and every segment_ column, at most "
                f"{MAX_SEGMENT_LEVELS} values each: " + (", ".join(segments) or "none"),
                value=len(segments),
            ),
            StepOut(
                label="multiple testing",
                formula=f"{a.adjust_method} across metric x variant tests",
                value=len(a.effects),
            ),
        ],
        inputs={"control": a.control, "confidence": confidence, "adjust": a.adjust_method},
        warnings=([a.srm_verdict] if a.srm else []) + list(a.warnings),
        summary=a.verdict,
        report=report,
    )


MAX_PANEL_ROWS = 10_000_000  # about 240 MB of arrays; a bigger panel is a job for a notebook


def did_from_csv(source: Path | bytes, *, confidence: float = 0.95) -> StatsAnswer:
    """Diff-in-diff with unit-clustered SEs from a CSV (path or bytes) with columns unit,
    treated, post, y.  Read in chunks of the four columns, keeping compact arrays (a unit id
    becomes an integer code), at most ``MAX_PANEL_ROWS`` rows.  Raises ``InvalidInput`` naming
    the column and row of a bad cell."""
    import numpy as np
    import pandas as pd

    from loopprep.engines.stats.did import did_panel

    if isinstance(source, Path) and not source.is_file():
        raise InvalidInput(f"There is no file at {source}.", "Check the path.", field="panel")
    head = source.open("rb").read(64 * 1024) if isinstance(source, Path) else source[: 64 * 1024]
    try:
        cols = _header(head)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, exc.hint, field="panel") from None
    try:
        _check_first_row(head, cols, "panel")
    except InvalidInput as exc:
        raise InvalidInput(exc.message, exc.hint, field="panel") from None
    missing = [c for c in ("unit", "treated", "post", "y") if c not in cols]
    if missing:
        raise InvalidInput(
            f"The panel CSV lacks column(s) {', '.join(missing)}; it needs unit,treated,post,y.", field="panel"
        )
    codes: dict[str, int] = {}
    parts: dict[str, list[Any]] = {"unit": [], "treated": [], "post": [], "y": []}
    line = 2
    try:
        reader = pd.read_csv(
            source if isinstance(source, Path) else io.BytesIO(source),
            usecols=["unit", "treated", "post", "y"],
            dtype={"unit": str},
            index_col=False,
            chunksize=CHUNK_ROWS,
            encoding="utf-8-sig",
        )
        for chunk in reader:
            if line - 2 + len(chunk) > MAX_PANEL_ROWS:
                raise InvalidInput(
                    f"The panel has more than {MAX_PANEL_ROWS:,} rows.",
                    "Aggregate it first (one row per unit and period is enough for diff-in-diff).",
                    field="panel",
                )
            for c in ("treated", "post", "y"):
                coerced = pd.to_numeric(chunk[c], errors="coerce")
                bad = coerced.isna().to_numpy()
                if bad.any():
                    i = int(bad.argmax())
                    raise InvalidInput(
                        f"Row {line + i}, column '{c}': '{chunk[c].iloc[i]}' is not a number.", field="panel"
                    )
                parts[c].append(coerced.to_numpy(dtype=np.float32 if c != "y" else float))
            local, uniques = pd.factorize(chunk["unit"].fillna(""))
            mapping = np.array([codes.setdefault(u, len(codes)) for u in uniques], dtype=np.int64)
            parts["unit"].append(mapping[local] if len(mapping) else local.astype(np.int64))
            line += len(chunk)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput(f"The panel CSV cannot be read: {exc}", "Check the file.", field="panel") from None
    if line == 2:
        raise InvalidInput("The panel CSV has a header but no rows.", field="panel")
    unit, treated, post, y = (np.concatenate(parts[c]) for c in ("unit", "treated", "post", "y"))
    try:
        return run_engine(did_panel, unit, treated, post, y, confidence=confidence)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, exc.hint, field="panel") from None
