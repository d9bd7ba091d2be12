"""ML coding pages (/code/...) and their JSON twins (/api/code/...)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
