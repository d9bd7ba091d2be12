"""The level mapping (knowledge/levels.yaml) is the one place levels get their meaning: the
loader refuses a bar, weights or framework that disagrees with it, and no text in the content
pairs a level with the wrong seniority."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from loopprep.cli.profile_cmd import LEVEL_HELP as CLI_LEVEL_HELP
from loopprep.content.loader import ContentBank, load_bank
from loopprep.content.paths import DATA_ROOT, KNOWLEDGE_DIR
from loopprep.domain import LEVEL_HELP, Level
from loopprep.errors import ContentError

LABEL = r"L4|L5|L6\+?"
WORD = r"junior|mid-level|senior|staff"
# "L5 (senior)", "L5 · senior", "L6+: staff" ... and "senior (L5)", "senior roles (L5 and above)".
AFTER = re.compile(rf"\b({LABEL})(?![\w+])[\s(·:/—-]{{1,4}}({WORD})\b", re.IGNORECASE)
BEFORE = re.compile(rf"\b({WORD})\b[\w\s]{{0,12}}\(({LABEL})(?![\w+])", re.IGNORECASE)


def mapped(bank: ContentBank) -> dict[str, str]:
    out = {lv.label: bank.levels.band(lv).seniority for lv in Level}
    out["L6"] = out["L6+"]
    return out


def level_pairings(text: str) -> list[tuple[str, str]]:
    """Every (level label, seniority word) pair a text states."""
    pairs = [(m.group(1), m.group(2)) for m in AFTER.finditer(text)]
    pairs += [(m.group(2), m.group(1)) for m in BEFORE.finditer(text)]
    return [(label.upper(), word.lower()) for label, word in pairs]


def wrong_pairings(bank: ContentBank, text: str) -> list[tuple[str, str]]:
    truth = mapped(bank)
    return [(label, word) for label, word in level_pairings(text) if truth[label] != word]


def test_the_pairing_check_catches_what_it_should(bank: ContentBank) -> None:
    # The shipped bar once labelled L4/L5 "Mid-level · SWE II / Senior I": L5 is senior.
    assert wrong_pairings(bank, "L4 / L5 · Mid-level") == [("L5", "mid-level")]
    assert wrong_pairings(bank, "junior candidates (L4 in loopprep)") == [("L4", "junior")]
    assert wrong_pairings(bank, "L5 (senior), L6+ (staff), senior roles (L5 and above)") == []


def strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in strings(v)]
    return []


def test_no_content_text_pairs_a_level_with_the_wrong_seniority(bank: ContentBank) -> None:
    files = sorted(KNOWLEDGE_DIR.glob("*.yaml")) + sorted((DATA_ROOT / "plan").glob("*.yaml"))
    bad = {
        path.name: wrong
        for path in files
        if (wrong := [w for s in strings(yaml.safe_load(path.read_text())) for w in wrong_pairings(bank, s)])
    }
    assert bad == {}


def test_bar_weights_and_frameworks_take_their_bands_from_the_mapping(bank: ContentBank) -> None:
    levels = bank.levels
    for side in bank.bar.sides:
        assert sorted(side.levels) == sorted(levels.levels_with(bar_side=side.id))
    for split in bank.weights.level_splits:
        assert sorted(split.levels) == sorted(levels.levels_with(split=split.id))
    assert [levels.band(lv).seniority for lv in Level] == ["mid-level", "senior", "staff"]
    items = [i for g in bank.frameworks["preparation-split"].groups for i in g.items if i.split]
    assert {i.split for i in items} == {s.id for s in bank.weights.level_splits}


def copy_bank(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_ROOT, target)
    return target


@pytest.mark.parametrize(
    ("file", "old", "new", "entry", "field"),
    [
        ("bar.yaml", "levels: [l4, l5]", "levels: [l4]", "execution-bar", "levels"),
        # swapped, so each level is still covered once (the schema's own check) but not as mapped
        ("weights.yaml", "levels: [l4]|levels: [l6-plus]", "levels: [l6-plus]|levels: [l4]", "junior-split", "levels"),
        ("levels.yaml", "split: staff-split", "split: senior-split", "staff-split", "levels"),
        ("levels.yaml", "bar_side: strategy-bar", "bar_side: top-bar", "l6-plus", "bar_side"),
        ("frameworks-around.yaml", "split: staff-split", "split: principal-split", "preparation-split", None),
    ],
)
def test_a_band_that_disagrees_with_the_mapping_is_refused(
    tmp_path: Path, file: str, old: str, new: str, entry: str, field: str | None
) -> None:
    data = copy_bank(tmp_path)
    path = data / "knowledge" / file
    text = path.read_text()
    marks = [f"@{i}@" for i in range(len(old.split("|")))]
    for o, m in zip(old.split("|"), marks, strict=True):
        assert o in text
        text = text.replace(o, m, 1)
    for n, m in zip(new.split("|"), marks, strict=True):
        text = text.replace(m, n)
    path.write_text(text)
    with pytest.raises(ContentError) as info:
        load_bank(data_dir=data)
    problem = next(p for p in info.value.problems if p.entry == entry)
    if field is not None:
        assert problem.field == field
    assert "levels.yaml" in problem.message or "unknown" in problem.message


def test_level_help_agrees_with_the_mapping(bank: ContentBank) -> None:
    """The profile's level help (CLI and schema) names each level's seniority and its Google,
    Meta and Amazon levels as levels.yaml has them."""
    for help_text in (LEVEL_HELP, CLI_LEVEL_HELP):
        for lv in Level:
            band = bank.levels.band(lv)
            chunk = re.search(rf"\b{lv.value} \(([^)]*)\)", help_text)
            assert chunk, (lv, help_text)
            assert chunk.group(1).startswith(band.seniority)
            for rung in band.ladders:
                if rung.company in ("Google", "Meta", "Amazon"):
                    first = rung.titles.split()[0]
                    assert f"{rung.company} {first}" in chunk.group(1), (lv, rung)
