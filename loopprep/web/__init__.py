"""The FastAPI web app: a thin adapter that renders service results."""
