"""A test-only problem with random cases, and a mutant that every fixed test lets through."""

from __future__ import annotations

from loopprep.engines.judge.problem import Problem

REFERENCE = "import numpy as np\n\ndef count_positive(x):\n    return int((np.asarray(x) > 0).sum())\n"
ZERO_COUNTS = "import numpy as np\n\ndef count_positive(x):\n    return int((np.asarray(x) >= 0).sum())\n"
GENERATOR = (
    "def generate(rng, size):\n    return {'args': [rng.integers(-2, 3, size=size).astype(float)], 'kwargs': {}}\n"
)


def counting_problem(**over) -> Problem:
    data = {
        "id": "count-positive",
        "title": "Count the positives",
        "difficulty": "easy",
        "topics": ["numerics"],
        "roles": ["ml-engineer"],
        "companies": ["faang"],
        "statement": "Return how many entries of x are strictly positive (zero is not positive).",
        "function": "count_positive",
        "signature": "def count_positive(x: ndarray) -> int",
        "returns": "int",
        "params": {"x": "ndarray[float64]"},
        "starter": "def count_positive(x):\n    raise NotImplementedError\n",
        "reference": REFERENCE,
        "mutants": [
            {"bug": "counts zeros as positive", "group": "off-by-one", "source": ZERO_COUNTS},
            {"bug": "counts everything", "source": "def count_positive(x):\n    return len(x)\n"},
        ],
        "tests": [{"args": [[1.0, -1.0]], "expected": 1, "visible": True}]
        + [
            {"args": [[float(v) for v in range(-i, i + 2) if v]], "expected": i + 1, "note": f"run {i}"}
            for i in range(5)
        ],
        "random": {"cases": 40, "seed": 500, "generator": GENERATOR},
    }
    data.update(over)
    return Problem.model_validate(data)
