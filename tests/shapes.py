"""The shape of a JSON document: what a snapshot of a public contract pins, without its values.

A dict becomes its keys (sorted) with the shape of each value; a list becomes a one-element list
holding the merged shape of all its elements (so the order of a list does not matter); a scalar
becomes its JSON type name (``str``, ``number``, ``bool``, ``null``: JSON has one number type,
and serialisers differ on writing ``2`` or ``2.0``).  Where elements of a
list differ, the types are joined: ``"null|str"`` is a field that may be empty.  Renaming or
removing a field, or changing its type, changes the shape; new values do not.
"""

from __future__ import annotations

from typing import Any

NAMES = {str: "str", int: "number", float: "number", bool: "bool", type(None): "null"}


def shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        if not value:
            return []
        merged = shape(value[0])
        for item in value[1:]:
            merged = _merge(merged, shape(item))
        return [merged]
    return NAMES[type(value)]


def _merge(a: Any, b: Any) -> Any:
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: _merge(a[k], b[k]) if k in a and k in b else a.get(k, b.get(k)) for k in sorted({*a, *b})}
    if isinstance(a, list) and isinstance(b, list):
        if not a or not b:
            return a or b
        return [_merge(a[0], b[0])]
    if a == b:
        return a
    return "|".join(sorted(set(_names(a)) | set(_names(b))))


def _names(s: Any) -> list[str]:
    return s.split("|") if isinstance(s, str) else [repr(s)]
