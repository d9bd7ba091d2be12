"""Frames on the pipes between the trusted parent and the zygote: an 8-byte header (JSON length,
payload length, big-endian), a JSON object, then raw payload bytes (the child's output)."""

from __future__ import annotations

import json
import os
import struct

HEADER = struct.Struct("!II")
MAX_HEADER = 64 * 1024 * 1024
MAX_PAYLOAD = 64 * 1024 * 1024


class ProtocolError(Exception):
    pass


def encode(obj: dict, payload: bytes = b"") -> bytes:
    head = json.dumps(obj, allow_nan=True).encode()
    return HEADER.pack(len(head), len(payload)) + head + payload


def _read_exact(fd: int, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError("the other end closed the pipe")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int) -> tuple[dict, bytes]:
    """Block until one whole frame arrives on ``fd``."""
    n_head, n_payload = HEADER.unpack(_read_exact(fd, HEADER.size))
    if n_head > MAX_HEADER or n_payload > MAX_PAYLOAD:
        raise ProtocolError("frame too large")
    obj = json.loads(_read_exact(fd, n_head))
    payload = _read_exact(fd, n_payload) if n_payload else b""
    return obj, payload


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
