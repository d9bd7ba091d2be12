"""The ML coding judge: a warm zygote process forks one sandboxed child per submission.

``client`` runs in the trusted parent (the web server or the CLI) and grades; ``zygote``,
``sandbox`` and ``harness`` run in the judge's own process tree and import only the standard
library and numpy.
"""
