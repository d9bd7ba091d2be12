"""The judge as the adapters hold it: the web app keeps one per worker, a CLI command one per run.

The adapters never import :mod:`loopprep.judge` themselves (an import-linter contract keeps them
to services); this module hands them the client, the errors a caller catches and the source-size
bound a form states.
"""

from __future__ import annotations

from loopprep.engines.judge.problem import MAX_SOURCE_BYTES
from loopprep.judge.client import Judge, JudgeBusy, JudgeUnavailable

__all__ = ["MAX_SOURCE_BYTES", "Judge", "JudgeBusy", "JudgeUnavailable"]
