"""The Clock: create, show, check off, re-plan and export the study plan.

The plan rows are the source of truth for progress; the engine (``engines/clock``) makes and
re-makes the tasks.  Every function here is one user action shared by the web app and the CLI.
"""

from __future__ import annotations

from loopprep.services.plan.actions import (
    complete_item,
    create_plan,
    follow_profile,
    mark_item_done,
    plan_today,
    replan_plan,
    set_task_status,
)
from loopprep.services.plan.calendar import calendar_ics
from loopprep.services.plan.inputs import (
    DEFAULTS,
    SETTINGS_ID,
    WEEKDAYS,
    LoopRoundIn,
    PlanSettingsIn,
    parse_settings,
    plan_rules,
)
from loopprep.services.plan.views import (
    DayView,
    PhaseView,
    PlanSettingsView,
    PlanView,
    ProgressView,
    StatusResult,
    TaskView,
    TodayView,
    show_plan,
    today_plan,
)

__all__ = [
    "DEFAULTS",
    "DayView",
    "LoopRoundIn",
    "PhaseView",
    "PlanSettingsIn",
    "PlanSettingsView",
    "PlanView",
    "ProgressView",
    "SETTINGS_ID",
    "StatusResult",
    "TaskView",
    "TodayView",
    "WEEKDAYS",
    "calendar_ics",
    "complete_item",
    "create_plan",
    "follow_profile",
    "mark_item_done",
    "parse_settings",
    "plan_rules",
    "plan_today",
    "replan_plan",
    "set_task_status",
    "show_plan",
    "today_plan",
]
