"""Every shipped content file (every kind under content/data) is in loopprep's own words: no run of 7 words is
lifted from the seeds.

The seed articles live beside the repository (../shared/seeds) in the workplace and in CI.
Source titles (sources*.yaml), a list of pitfall names and inline lists of ids (`items: [a-b, c-d]`,
which name content, not prose) are allowed to match."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from loopprep.content.paths import DATA_ROOT

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
N = 7
ID_LIST = re.compile(r"\[[a-z0-9, -]+\]")
ALLOWED = {"p hacking simpson s paradox goodhart s law survivorship bias"}


def _words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9 ]+", " ", text.lower().replace("’", "'")).split()


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the seed articles are not at {SEEDS}")
def test_no_sentence_is_copied_from_the_seeds() -> None:
    seed_words = _words(" ".join(p.read_text() for p in sorted(SEEDS.glob("0*.txt"))))
    grams = {tuple(seed_words[i : i + N]) for i in range(len(seed_words) - N + 1)}
    allowed = {tuple(a.split()[i : i + N]) for a in ALLOWED for i in range(len(a.split()) - N + 1)}
    copied = []
    texts = [p for p in DATA_ROOT.rglob("*") if p.suffix in {".yaml", ".md"}]
    kinds = {p.relative_to(DATA_ROOT).parts[0] for p in texts}
    assert kinds == {"knowledge", "problems", "stats-cases", "estimate-presets", "plan"}, kinds
    for path in sorted(texts):
        if path.name.startswith("sources"):
            continue
        words = _words(ID_LIST.sub(" ", path.read_text()))
        for i in range(len(words) - N + 1):
            gram = tuple(words[i : i + N])
            if gram in grams and gram not in allowed:
                copied.append(f"{path.relative_to(DATA_ROOT)}: {' '.join(gram)}")
    assert not copied, "rewrite these in your own words:\n" + "\n".join(copied)
