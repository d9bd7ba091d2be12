"""loopprep: practise the ML / AI engineer and data scientist interview loop."""

__version__ = "0.1.0"
