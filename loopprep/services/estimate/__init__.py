"""Estimation kit: presets (shipped YAML + the user's own models, ``services/user_models.py``), the calculators
behind one registry shared by the web app and the CLI, and the drills with their history.

Every calculator takes a pydantic parameter model (the same fields as the CLI options and the
web form / query string) and returns :class:`EstimateView`, the public ``--json`` contract:
``{"result": {NAME: {"value", "unit"}}, "steps": [{"label", "formula", "value", "unit"}],
"inputs": {...}, "warnings": [...]}``.
"""

from __future__ import annotations

from loopprep.content.schema.estimate import SourceRef as SourceRef
from loopprep.services.estimate.audit import (
    CheckView as CheckView,
)
from loopprep.services.estimate.audit import (
    ClaimView as ClaimView,
)
from loopprep.services.estimate.audit import (
    check_the_numbers as check_the_numbers,
)
from loopprep.services.estimate.calculators import (
    BIG as BIG,
)
from loopprep.services.estimate.calculators import (
    CALCULATORS as CALCULATORS,
)
from loopprep.services.estimate.calculators import (
    RUN_CACHE_SIZE as RUN_CACHE_SIZE,
)
from loopprep.services.estimate.calculators import (
    Calculator as Calculator,
)
from loopprep.services.estimate.calculators import (
    CostParams as CostParams,
)
from loopprep.services.estimate.calculators import (
    EstimateView as EstimateView,
)
from loopprep.services.estimate.calculators import (
    GpusParams as GpusParams,
)
from loopprep.services.estimate.calculators import (
    IndexParams as IndexParams,
)
from loopprep.services.estimate.calculators import (
    InflightParams as InflightParams,
)
from loopprep.services.estimate.calculators import (
    KvBudgetParams as KvBudgetParams,
)
from loopprep.services.estimate.calculators import (
    KvParams as KvParams,
)
from loopprep.services.estimate.calculators import (
    Params as Params,
)
from loopprep.services.estimate.calculators import (
    QpsParams as QpsParams,
)
from loopprep.services.estimate.calculators import (
    QuantityOut as QuantityOut,
)
from loopprep.services.estimate.calculators import (
    RooflineParams as RooflineParams,
)
from loopprep.services.estimate.calculators import (
    StepOut as StepOut,
)
from loopprep.services.estimate.calculators import (
    StorageParams as StorageParams,
)
from loopprep.services.estimate.calculators import (
    TrainParams as TrainParams,
)
from loopprep.services.estimate.calculators import (
    WeightsParams as WeightsParams,
)
from loopprep.services.estimate.calculators import (
    calculator as calculator,
)
from loopprep.services.estimate.calculators import (
    parse_params as parse_params,
)
from loopprep.services.estimate.calculators import (
    run as run,
)
from loopprep.services.estimate.calculators import (
    run_labelled as run_labelled,
)
from loopprep.services.estimate.calculators import (
    view_of as view_of,
)
from loopprep.services.estimate.catalog import (
    AcceleratorPreset as AcceleratorPreset,
)
from loopprep.services.estimate.catalog import (
    DtypeRow as DtypeRow,
)
from loopprep.services.estimate.catalog import (
    GpuRow as GpuRow,
)
from loopprep.services.estimate.catalog import (
    ModelPreset as ModelPreset,
)
from loopprep.services.estimate.catalog import (
    ModelRow as ModelRow,
)
from loopprep.services.estimate.catalog import (
    Presets as Presets,
)
from loopprep.services.estimate.catalog import (
    PresetsView as PresetsView,
)
from loopprep.services.estimate.catalog import (
    list_presets as list_presets,
)
from loopprep.services.estimate.catalog import (
    presets as presets,
)
from loopprep.services.estimate.catalog import (
    shipped_presets as shipped_presets,
)
from loopprep.services.estimate.drills import (
    AttemptRow as AttemptRow,
)
from loopprep.services.estimate.drills import (
    DrillHistory as DrillHistory,
)
from loopprep.services.estimate.drills import (
    DrillResult as DrillResult,
)
from loopprep.services.estimate.drills import (
    DrillView as DrillView,
)
from loopprep.services.estimate.drills import (
    KindStats as KindStats,
)
from loopprep.services.estimate.drills import (
    WeekStats as WeekStats,
)
from loopprep.services.estimate.drills import (
    answer_drill as answer_drill,
)
from loopprep.services.estimate.drills import (
    drill_history as drill_history,
)
from loopprep.services.estimate.drills import (
    kinds as kinds,
)
from loopprep.services.estimate.drills import (
    new_drill as new_drill,
)
from loopprep.services.estimate.drills import (
    parse_answer as parse_answer,
)
from loopprep.services.estimate.drills import (
    plan_items as plan_items,
)
