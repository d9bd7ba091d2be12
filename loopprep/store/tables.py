"""The user's data.  Changed only through Alembic migrations (``store/migrations``)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Float, Integer, MetaData, String, Table, Text

metadata = MetaData()

profile = Table(
    "profile",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("role", String(40), nullable=False),
    Column("level", String(20), nullable=False),
    Column("company_types", JSON, nullable=False),
    Column("loop_date", Date, nullable=False),
    Column("target_companies", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Key/value facts about the store itself (e.g. the digest of the content last indexed).
store_meta = Table(
    "store_meta",
    metadata,
    Column("key", String(80), primary_key=True),
    Column("value", Text, nullable=False),
)

# The search index is dialect-specific (an FTS5 virtual table on SQLite, a table with a
# generated tsvector on PostgreSQL); it is created by the migration and used through
# store/search.py, so it is not declared here.

# Estimation kit: one row per answered drill (regenerated from kind + seed, so the question is
# not stored).
estimate_drill_attempt = Table(
    "estimate_drill_attempt",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("seed", Integer, nullable=False),
    Column("answer", Float, nullable=False),
    Column("truth", Float, nullable=False),
    Column("ratio", Float, nullable=False),
    Column("grade", String(10), nullable=False),
    Column("seconds", Float, nullable=True),
    Column("answered_at", DateTime(timezone=True), nullable=False, index=True),
)

# The Clock: the plan's settings (one row) and its tasks with their progress.  Task keys are
# stable across re-plans (calendar UIDs are built on them); ``sequence`` is the calendar
# SEQUENCE, raised when a block changes; dropped tasks stay with their reason.

plan_settings = Table(
    "plan_settings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("start_date", Date, nullable=False),
    Column("weekday_minutes", Integer, nullable=False),
    Column("weekend_minutes", Integer, nullable=False),
    Column("days_off", JSON, nullable=False),
    Column("loop_rounds", JSON, nullable=False),
    Column("start_times", JSON, nullable=False),
    Column("time_zone", String(64), nullable=False),
    Column("alarm_minutes", Integer, nullable=False),
    Column("profile_snapshot", JSON, nullable=False),
    Column("notices", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

plan_task = Table(
    "plan_task",
    metadata,
    Column("key", String(160), primary_key=True),
    Column("day", Date, nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("title", Text, nullable=False),
    Column("minutes", Integer, nullable=False),
    Column("phase", String(20), nullable=False),
    Column("item_kind", String(20), nullable=False),
    Column("item", String(80), nullable=False),
    Column("round", String(40), nullable=True),
    Column("new_material", Boolean, nullable=False),
    Column("at", String(16), nullable=True),
    Column("counts", Boolean, nullable=False),
    Column("status", String(10), nullable=False),
    Column("reason", Text, nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Stats lab: an attempt at an experimentation case (the user's answer, self-scored checklist,
# numeric sub-answers graded against the calculators).
stats_case_attempt = Table(
    "stats_case_attempt",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", String(80), nullable=False, index=True),
    Column("answer", Text, nullable=False),
    Column("checked", JSON, nullable=False),
    Column("checklist_total", Integer, nullable=False),
    Column("numeric", JSON, nullable=False),
    Column("numeric_correct", Integer, nullable=False),
    Column("numeric_total", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# ML coding: every run and submission with its code, verdict and per-test timings (``cases``:
# index, visible, note, status, ms; never a hidden test's data).  ``perf`` is filled after the
# verdict: time and peak memory on the larger input against the reference's.
code_attempt = Table(
    "code_attempt",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("problem_id", String(60), nullable=False, index=True),
    Column("mode", String(10), nullable=False),
    Column("code", Text, nullable=False),
    Column("verdict", String(20), nullable=False),
    Column("message", Text, nullable=False),
    Column("passed", Integer, nullable=False),
    Column("total", Integer, nullable=False),
    Column("cases", JSON, nullable=False),
    Column("elapsed_s", Float, nullable=True),
    Column("latency_ms", Float, nullable=False),
    Column("perf", JSON, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# The reference solutions' figures on each problem's larger input, measured by `code check`
# (or on first need) and keyed by a digest of the reference and its generator.  Derived data:
# not exported.
code_reference_perf = Table(
    "code_reference_perf",
    metadata,
    Column("problem_id", String(60), primary_key=True),
    Column("digest", String(64), nullable=False),
    Column("ms", Float, nullable=False),
    Column("peak_bytes", Integer, nullable=False),
    Column("measured_at", DateTime(timezone=True), nullable=False),
)

# The user's own model presets (a Hugging Face-style config.json each, added in the app or with
# `estimate models --add`), ids ``user-<name>``.  Shipped presets are content; on an id clash
# the row here wins.
user_model_preset = Table(
    "user_model_preset",
    metadata,
    Column("id", String(70), primary_key=True),
    Column("config", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# The code of a run or submit the judge could not grade (busy or failed): never an attempt, kept
# so it is not lost.  One per problem; the next graded attempt at the problem deletes it.
code_draft = Table(
    "code_draft",
    metadata,
    Column("problem_id", String(60), primary_key=True),
    Column("code", Text, nullable=False),
    Column("saved_at", DateTime(timezone=True), nullable=False),
    Column("reason", String(20), nullable=False),  # judge-busy | judge-error
)
