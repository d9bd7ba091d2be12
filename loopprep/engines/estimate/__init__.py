"""Exact napkin math for ML and LLM systems: pure calculators that show their working."""
