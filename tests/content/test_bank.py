"""One content bank for every kind: each shipped file validates, a user's directory may add
problems, frameworks and model presets, and broken or hostile user files are named and skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loopprep.content.loader import PROBLEMS_FOLDER, check_directory, load_bank, parse_file, parse_problem
from loopprep.content.paths import DATA_ROOT, PROBLEMS_DIR
from loopprep.content.reader import read_yaml
from loopprep.errors import ContentError

FRAMEWORK = """kind: frameworks
entries:
  - id: my-closing-line
    title: My closing line
    category: in-the-room
    summary: What I say when the interviewer asks for my questions.
    groups:
      - id: lines
        title: Lines
        items:
          - id: ask
            title: Ask about the team
            detail: One question about how the team decides what to build next.
    sources: [seed-day-of-interview]
"""
MODEL = """kind: model-presets
models:
  - id: my-tiny-llm
    name: My tiny LLM
    layers: 2
    hidden: 64
    heads: 4
    kv_heads: 4
    head_dim: 16
    ffn: 256
    vocab: 1000
    max_context: 512
    source: {title: "my own config", url: "https://example.org/config.json"}
"""


def _user_dir(tmp_path: Path) -> Path:
    user = tmp_path / "mine"
    (user / PROBLEMS_FOLDER).mkdir(parents=True)
    (user / "frameworks.yaml").write_text(FRAMEWORK)
    (user / "models.yaml").write_text(MODEL)
    text = (PROBLEMS_DIR / "stable-softmax.yaml").read_text()
    (user / PROBLEMS_FOLDER / "my-softmax.yaml").write_text(text.replace("id: stable-softmax", "id: my-softmax", 1))
    return user


@pytest.mark.parametrize(
    "path", sorted(p for p in DATA_ROOT.rglob("*") if p.suffix == ".yaml"), ids=lambda p: str(p.relative_to(DATA_ROOT))
)
def test_every_shipped_file_validates(path: Path) -> None:
    parse = parse_problem if path.parent == PROBLEMS_DIR else parse_file
    doc, problems = parse(path, path.name)
    assert problems == [] and doc is not None


def test_the_bank_holds_every_kind(bank) -> None:  # noqa: ANN001
    assert "stable-softmax" in bank.coding.problems and bank.coding.origin["stable-softmax"] == "shipped"
    assert len(bank.stats_cases.cases) >= 10 and bank.stats_cases.sources
    assert {"llama-3-8b"} <= set(bank.estimate.models) and "h100-sxm" in bank.estimate.accelerators
    assert "bf16" in bank.estimate.dtypes and bank.plan.kinds
    assert check_directory(DATA_ROOT) == []


def test_a_user_directory_adds_a_problem_a_framework_and_a_model(tmp_path: Path) -> None:
    user = _user_dir(tmp_path)
    assert check_directory(user) == []
    bank = load_bank(user)
    assert bank.user_problems == ()
    assert bank.coding.origin["my-softmax"] == "yours" and "my-closing-line" in bank.frameworks
    assert "my-tiny-llm" in bank.user_models and "my-tiny-llm" not in bank.estimate.models


def test_a_broken_user_directory_names_file_entry_and_field(tmp_path: Path) -> None:
    user = _user_dir(tmp_path)
    problem = user / PROBLEMS_FOLDER / "my-softmax.yaml"
    problem.write_text(problem.read_text().replace("difficulty: easy", "difficulty: trivial", 1))
    (user / "frameworks.yaml").write_text(FRAMEWORK.replace("category: in-the-room", "category: nowhere"))
    problems = check_directory(user)
    where = {(Path(p.file).name, p.entry, p.field) for p in problems}
    assert ("my-softmax.yaml", "my-softmax", "difficulty") in where
    assert ("frameworks.yaml", "my-closing-line", "category") in where
    bank = load_bank(user)  # skipped whole, the rest still loads
    assert "my-softmax" not in bank.coding.problems and "my-closing-line" not in bank.frameworks
    assert "my-tiny-llm" in bank.user_models


def test_yaml_aliases_are_refused_in_user_files(tmp_path: Path) -> None:
    user = tmp_path / "mine"
    user.mkdir()
    laughs = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    laughs += [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]" for i in range(12)]
    (user / "bomb.yaml").write_text("kind: frameworks\n" + "\n".join(laughs) + "\nentries: []\n")
    (user / "frameworks.yaml").write_text(FRAMEWORK)
    bank = load_bank(user)
    [problem] = bank.user_problems
    assert problem.file.endswith("bomb.yaml") and "anchor or alias" in problem.message and "line 2" in problem.message
    assert "my-closing-line" in bank.frameworks  # the good file still loads
    _, refused = read_yaml(user / "bomb.yaml", "bomb.yaml")
    assert refused and "write each value out in full" in refused[0].message


def test_a_broken_shipped_problem_stops_loopprep(tmp_path: Path) -> None:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(DATA_ROOT, data)
    f = data / PROBLEMS_FOLDER / "log-loss.yaml"
    f.write_text(f.read_text().replace("difficulty:", "difficulty: impossible\nx_difficulty:", 1))
    with pytest.raises(ContentError) as info:
        load_bank(data_dir=data)
    assert any(p.file.endswith("log-loss.yaml") and p.entry == "log-loss" for p in info.value.problems)


def test_user_model_presets_reach_the_estimation_kit(tmp_path: Path, sqlite_ctx) -> None:  # noqa: ANN001
    from loopprep.services import estimate
    from loopprep.services.context import AppContext

    user = _user_dir(tmp_path)
    ctx = AppContext(settings=sqlite_ctx.settings, engine=sqlite_ctx.engine, bank=load_bank(user))
    assert estimate.presets(ctx).model("my-tiny-llm").layers == 2
    assert json.loads(estimate.list_presets(ctx).model_dump_json())  # the listing still renders
