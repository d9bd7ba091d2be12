"""ML coding problems: one YAML file per problem (format: ``content/data/problems/README.md``).

The judge engine owns the problem model and its type grammar (it grades against them), so the
content schema is that model; the bank validates files with it like every other kind."""

from __future__ import annotations

from loopprep.engines.judge.problem import Problem

__all__ = ["Problem"]
