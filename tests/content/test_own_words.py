"""The content (knowledge base and coding problems) is in loopprep's own words: no run of 7 words is
lifted from the seeds.

The seed articles live beside the repository (../shared/seeds) in the workplace and in CI.
Source titles (sources*.yaml) and a list of pitfall names are allowed to match."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from loopprep.content.loader import DATA_DIR
from loopprep.judge.bank import SHIPPED_DIR as PROBLEMS_DIR

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
N = 7
ALLOWED = {"p hacking simpson s paradox goodhart s law survivorship bias"}


def _words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9 ]+", " ", text.lower().replace("’", "'")).split()


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the seed articles are not at {SEEDS}")
def test_no_sentence_is_copied_from_the_seeds() -> None:
    seed_words = _words(" ".join(p.read_text() for p in sorted(SEEDS.glob("0*.txt"))))
    grams = {tuple(seed_words[i : i + N]) for i in range(len(seed_words) - N + 1)}
    allowed = {tuple(a.split()[i : i + N]) for a in ALLOWED for i in range(len(a.split()) - N + 1)}
    copied = []
    texts = [*DATA_DIR.glob("*.yaml"), *PROBLEMS_DIR.glob("*.yaml"), PROBLEMS_DIR / "README.md"]
    for path in sorted(texts):
        if path.name.startswith("sources"):
            continue
        words = _words(path.read_text())
        for i in range(len(words) - N + 1):
            gram = tuple(words[i : i + N])
            if gram in grams and gram not in allowed:
                copied.append(f"{path.name}: {' '.join(gram)}")
    assert not copied, "rewrite these in your own words:\n" + "\n".join(copied)
