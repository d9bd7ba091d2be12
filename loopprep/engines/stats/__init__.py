"""Experimentation statistics: power, intervals, SRM, corrections, CUPED, diff-in-diff, peeking,
and the experiment analyser.

Every public function returns a :class:`~loopprep.engines.stats.result.StatResult` (the answer,
the method used, the alternatives' answers, the steps, the inputs and any warnings) or raises
:class:`~loopprep.engines.stats.result.BadInput` naming the field and its valid range.
scipy/statsmodels are imported inside the modules of this package, never at CLI import time.
"""
