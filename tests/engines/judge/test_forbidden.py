"""The static forbidden-name check: imports, aliases, from-imports, attribute chains, ``__import__``,
and names that only look like a forbidden one."""

from __future__ import annotations

import ast
import textwrap

import pytest

from loopprep.engines.judge.forbidden import Hit, forbidden_use

INV = ["numpy.linalg.inv"]


def hit(source: str, forbidden: list[str]) -> Hit | None:
    return forbidden_use(ast.parse(textwrap.dedent(source)), forbidden)


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("import numpy as np\nnp.linalg.inv(a)", 2),
        ("import numpy\nnumpy.linalg.inv(a)", 2),
        ("import numpy.linalg\nnumpy.linalg.inv(a)", 2),
        ("import numpy.linalg as la\nla.inv(a)", 2),
        ("from numpy import linalg\nlinalg.inv(a)", 2),
        ("from numpy import linalg as L\nL.inv(a)", 2),
        ("from numpy.linalg import inv", 1),
        ("from numpy.linalg import inv as invert", 1),
        ("from numpy.linalg import solve, inv", 1),
        ("import numpy as np\nf = np.linalg.inv\n", 2),  # a reference is as good as a call
        ("import numpy as np\nnp.linalg.inv.__call__(a)", 2),
        ("__import__('numpy').linalg.inv(a)", 1),
        ("__import__('numpy.linalg').linalg.inv(a)", 1),  # without a fromlist it returns the top package
        ("__import__('numpy.linalg', fromlist=['inv']).inv(a)", 1),
        ("import importlib\nimportlib.import_module('numpy.linalg').inv(a)", 2),
        ("from importlib import import_module\nimport_module('numpy').linalg.inv(a)", 2),
        ("from numpy.linalg import *\ninv(a)", 2),
        ("from numpy import *\nlinalg.inv(a)", 2),
    ],
)
def test_ways_of_reaching_a_forbidden_function(source: str, line: int) -> None:
    assert hit(source, INV) == Hit("numpy.linalg.inv", line)


@pytest.mark.parametrize(
    "source",
    [
        "import numpy as np\nnp.linalg.solve(a, b)",
        "import numpy as np\nnp.linalg.inverse_thing(a)",  # looks similar, is another name
        "import numpy as np\nnp.linalg.invert(a)",
        "import numpy as np\nnp.linalg.pinv(a)",
        "import numpy as np\nnp.invert(a)",
        "from numpy.linalg import pinv\npinv(a)",
        "from numpy.linalg import inverse_thing",
        "import numpy as np\nnp.linalg\n",
        "import numpy.linalg as la\nla.norm(a)",
        "def inv(a):\n    return a\ninv(1)",  # the user's own function of that name
        "class M:\n    def inv(self):\n        pass\nM().inv()",
        "x = {'inv': 1}\nx['inv']",
        "s = 'numpy.linalg.inv'",
        "# numpy.linalg.inv is forbidden",
        "from numpy import *\nsolve(a, b)",
        "from numpy.linalg import *\npinv(a)",
        "__import__('numpy').linalg.solve(a)",
        "import numpy_linalg_inv\nnumpy_linalg_inv.x()",
    ],
)
def test_names_that_only_look_forbidden_pass(source: str) -> None:
    assert hit(source, INV) is None


def test_line_of_the_first_use() -> None:
    source = """\
    import numpy as np


    def solve(a):
        b = np.linalg.solve(a, a)
        return np.linalg.inv(b) @ np.linalg.inv(a)
    """
    assert hit(source, INV) == Hit("numpy.linalg.inv", 6)


def test_imports_of_a_forbidden_module() -> None:
    assert hit("import sklearn", ["sklearn"]) == Hit("sklearn", 1)
    assert hit("import sklearn.linear_model as lm", ["sklearn"]) == Hit("sklearn", 1)
    assert hit("x = 1\nfrom sklearn.cluster import KMeans", ["sklearn"]) == Hit("sklearn", 2)
    assert hit("from scipy import special", ["scipy"]) == Hit("scipy", 1)
    assert hit("scipy = __import__('scipy')", ["scipy"]) == Hit("scipy", 1)
    assert hit("import importlib\nm = importlib.import_module('scipy.special')", ["scipy"]) == Hit("scipy", 2)


def test_a_module_entry_forbids_everything_below_it_and_nothing_beside_it() -> None:
    assert hit("import numpy as np\nnp.linalg.eig(a)", ["numpy.linalg"]) == Hit("numpy.linalg", 2)
    assert hit("import numpy as np\nnp.linalg.norm(a)", ["numpy.linalg"]) == Hit("numpy.linalg", 2)
    assert hit("import numpy as np\nnp.linalgebra(a)", ["numpy.linalg"]) is None
    assert hit("import sklearnish", ["sklearn"]) is None
    assert hit("import scipy_extra", ["scipy"]) is None
    assert hit("import numpy as np\nnp.dot(a, b)", ["numpy.linalg"]) is None


def test_importing_a_parent_package_is_allowed() -> None:
    assert hit("import numpy as np", INV) is None
    assert hit("import numpy.linalg", INV) is None
    assert hit("from numpy import linalg", INV) is None


def test_whole_module_entry_matches_the_bare_name() -> None:
    assert hit("import numpy as np\nnp", ["numpy"]) == Hit("numpy", 1)


def test_several_entries_report_the_earliest_use() -> None:
    source = "import numpy as np\nx = np.linalg.eig(a)\nimport scipy"
    assert hit(source, ["scipy", "numpy.linalg.eig"]) == Hit("numpy.linalg.eig", 2)


def test_relative_imports_are_not_read() -> None:
    assert hit("from . import numpy\nnumpy.linalg.inv(a)", INV) is None


def test_no_forbidden_list_means_no_hit() -> None:
    assert hit("import scipy\nimport numpy as np\nnp.linalg.inv(a)", []) is None


def test_use_inside_nested_scopes() -> None:
    source = """\
    import numpy as np


    class Model:
        def fit(self, x):
            return [np.linalg.inv(v) for v in x]
    """
    assert hit(source, INV) == Hit("numpy.linalg.inv", 6)


def test_import_inside_a_function() -> None:
    source = """\
    def f(a):
        from numpy.linalg import inv
        return inv(a)
    """
    assert hit(source, INV) == Hit("numpy.linalg.inv", 2)
