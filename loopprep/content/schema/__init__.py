"""Pydantic schemas for every kind of content, one module per kind."""

from loopprep.content.schema.knowledge import *  # noqa: F403
from loopprep.content.schema.knowledge import KINDS, ContentFile  # noqa: F401
