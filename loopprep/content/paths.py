"""Where shipped content lives: one folder per kind under ``content/data``."""

from __future__ import annotations

from pathlib import Path

CONTENT_ROOT = Path(__file__).parent
DATA_ROOT = CONTENT_ROOT / "data"
SCHEMA_DIR = CONTENT_ROOT / "schema"
KNOWLEDGE_DIR = DATA_ROOT / "knowledge"
PROBLEMS_DIR = DATA_ROOT / "problems"
STATS_CASES_DIR = DATA_ROOT / "stats-cases"
ESTIMATE_PRESETS_DIR = DATA_ROOT / "estimate-presets"
PLAN_DIR = DATA_ROOT / "plan"
