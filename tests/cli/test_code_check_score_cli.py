"""`loopprep code check` prints each problem's mutation score and fails below 100 %."""

from __future__ import annotations

from tests.judge.random_problem import counting_problem


def test_code_check_prints_each_problems_mutation_score(cli, tmp_path) -> None:  # noqa: ANN001
    import yaml

    d = tmp_path / "p"
    d.mkdir()
    good = counting_problem().model_dump(mode="json", exclude_none=True)
    weak = {k: v for k, v in good.items() if k != "random"} | {"id": "count-weak"}
    (d / "count-positive.yaml").write_text(yaml.safe_dump(good, sort_keys=False))
    (d / "count-weak.yaml").write_text(yaml.safe_dump(weak, sort_keys=False))
    r = cli("code", "check", str(d))
    assert r.exit_code == 1, r.output
    out = " ".join(r.stdout.split())
    assert "mutation score 100% (2 of 2 mutants killed; 40 random cases)" in out
    assert "mutation score 50% (1 of 2 mutants killed; random testing skipped)" in out
    assert "Mutation score: 75.0% (3 of 4 mutants killed)." in out
    rep = cli.json("code", "check", str(d), "--only", "count-positive")
    assert rep["problems"][0]["mutation_score"] == 1.0 and rep["problems"][0]["random_cases"] == 40
