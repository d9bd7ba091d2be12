"""One function per user action: store + content + engines -> a typed result.

The web app renders these results; the CLI prints them or dumps them with ``--json``; the JSON
API serves the same models, so the three never disagree.
"""
