"""The shape of a JSON document: what a snapshot of a public contract pins, without its values.

A dict becomes its keys (sorted) with the shape of each value; a list becomes a one-element list
holding the merged shape of all its elements (so the order of a list does not matter); a scalar
becomes its JSON type name (``str``, ``number``, ``bool``, ``null``: JSON has one number type,
and serialisers differ on writing ``2`` or ``2.0``).  Where elements of a list differ, scalar
types are joined (``"null|str"`` is a field that may be empty) and other alternatives are listed
under ``"one of"``.  Keys named in ``free`` hold user or content data of any form (a test case's
arguments, say) and are shown as ``"any"``.  Renaming or removing a field, or changing its type,
changes the shape; new values do not.
"""

from __future__ import annotations

import json
from typing import Any

NAMES = {str: "str", int: "number", float: "number", bool: "bool", type(None): "null"}
ONE_OF = "one of"


def shape(value: Any, *, free: frozenset[str] = frozenset()) -> Any:
    if isinstance(value, dict):
        return {k: "any" if k in free else shape(v, free=free) for k, v in sorted(value.items())}
    if isinstance(value, list):
        if not value:
            return []
        merged = shape(value[0], free=free)
        for item in value[1:]:
            merged = _merge(merged, shape(item, free=free))
        return [merged]
    return NAMES[type(value)]


def _merge(a: Any, b: Any) -> Any:
    if a == b:
        return a
    if isinstance(a, dict) and isinstance(b, dict) and ONE_OF not in a and ONE_OF not in b:
        return {k: _merge(a[k], b[k]) if k in a and k in b else a.get(k, b.get(k)) for k in sorted({*a, *b})}
    if isinstance(a, list) and isinstance(b, list):
        return [_merge(a[0], b[0])] if a and b else a or b
    if isinstance(a, str) and isinstance(b, str):
        return "|".join(sorted({*a.split("|"), *b.split("|")}))
    alternatives = [*_options(a), *_options(b)]
    scalars = sorted({name for o in alternatives if isinstance(o, str) for name in o.split("|")})
    options = {json.dumps(o, sort_keys=True): o for o in alternatives if not isinstance(o, str)}
    return {ONE_OF: ["|".join(scalars)] * bool(scalars) + [options[k] for k in sorted(options)]}


def _options(s: Any) -> list[Any]:
    return list(s[ONE_OF]) if isinstance(s, dict) and ONE_OF in s else [s]
