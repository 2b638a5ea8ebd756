"""The wire format between the grading process and the student's process.

Plain data only, never pickle: the grader decodes what an untrusted process sends, and
unpickling is code execution. JSON for scalars and containers, raw little-endian bytes
(base64) with an allow-listed dtype for arrays and tensors. Anything else a student
function returns stays in the student's process and crosses as a *reference* that the
grader can pass back or call, but never materialise.

Frames are length-prefixed (8 bytes, big-endian) so that a student cannot desynchronise the
channel with stray output, and a frame over ``MAX_FRAME`` is refused before it is read.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import struct
import sys
from typing import Any, BinaryIO

import numpy as np

MAX_FRAME = 256 * 1024 * 1024
# dtypes that carry no objects: decoding can never run code or reference memory
SAFE_DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
               "float16", "float32", "float64", "complex64", "complex128"}


class WireError(Exception):
    """The other side sent something that is not valid on this channel."""


class Ref:
    """A handle on an object that lives in the student's process."""

    def __init__(self, ref_id: int, type_name: str, summary: str, callable_: bool):
        self.ref_id, self.type_name, self.summary, self.callable = ref_id, type_name, summary, callable_

    def __repr__(self) -> str:
        return f"<student {self.type_name}: {self.summary}>"


def _encode_array(arr: np.ndarray, is_torch: bool) -> dict:
    if arr.dtype.name not in SAFE_DTYPES:
        raise TypeError(f"arrays of dtype {arr.dtype} cannot cross the grading boundary")
    shape = list(arr.shape)     # ascontiguousarray makes a 0-d array 1-d: keep the real shape
    arr = np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<"), copy=False)
    return {"__nd__": base64.b64encode(arr.tobytes()).decode("ascii"), "dtype": arr.dtype.name,
            "shape": shape, "torch": is_torch}


def encode(value: Any, make_ref=None) -> Any:
    """``value`` as JSON-ready data; objects that are not plain data go to ``make_ref``."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2**63 else {"__bigint__": str(value)}
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, (list, tuple)):
        items = [encode(v, make_ref) for v in value]
        return items if isinstance(value, list) else {"__tuple__": items}
    if isinstance(value, dict):
        return {"__dict__": [[encode(k, make_ref), encode(v, make_ref)] for k, v in value.items()]}
    if isinstance(value, (set, frozenset)):
        return {"__set__": [encode(v, make_ref) for v in value]}
    if isinstance(value, bytes):
        return {"__bytes__": base64.b64encode(value).decode("ascii")}
    if isinstance(value, Ref):
        return {"__ref__": value.ref_id}
    if isinstance(value, np.generic):
        return encode(value.item(), make_ref)
    if isinstance(value, np.ndarray):
        return _encode_array(value, False)
    torch = sys.modules.get("torch")     # no tensor can exist unless torch was imported
    if torch is not None and isinstance(value, torch.Tensor):
        t = value.detach().cpu()
        if t.dtype == torch.bfloat16:
            t = t.float()
        return _encode_array(t.numpy(), True)
    if make_ref is None:
        raise TypeError(f"cannot send a {type(value).__name__} over the grading channel")
    return make_ref(value)


def decode(data: Any, resolve_ref=None) -> Any:
    """Inverse of ``encode``; ``resolve_ref(id, meta)`` turns a reference into a local object."""
    if isinstance(data, list):
        return [decode(v, resolve_ref) for v in data]
    if not isinstance(data, dict):
        return data
    if "__nd__" in data:
        dtype = str(data.get("dtype"))
        if dtype not in SAFE_DTYPES:
            raise WireError(f"refused array of dtype {dtype!r}")
        raw = base64.b64decode(data["__nd__"])
        shape = [int(s) for s in data["shape"]]
        arr = np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<")).reshape(shape).astype(dtype)
        if data.get("torch"):
            torch = _torch()
            return torch.from_numpy(arr.copy()) if torch is not None else arr
        return arr
    if "__tuple__" in data:
        return tuple(decode(v, resolve_ref) for v in data["__tuple__"])
    if "__dict__" in data:
        return {_hashable(decode(k, resolve_ref)): decode(v, resolve_ref) for k, v in data["__dict__"]}
    if "__set__" in data:
        return {_hashable(decode(v, resolve_ref)) for v in data["__set__"]}
    if "__bytes__" in data:
        return base64.b64decode(data["__bytes__"])
    if "__float__" in data:
        return float(data["__float__"])
    if "__bigint__" in data:
        return int(data["__bigint__"])
    if "__ref__" in data:
        if resolve_ref is None:
            raise WireError("unexpected object reference")
        return resolve_ref(data["__ref__"], data)
    raise WireError(f"unknown value on the wire: keys {sorted(data)[:5]}")


def _hashable(v):
    if isinstance(v, list):
        return tuple(_hashable(x) for x in v)
    return v


def digest(value: Any) -> str:
    """A stable hash of plain data (for keying reference snapshots by call arguments)."""
    blob = json.dumps(encode(value), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def write_frame(stream: BinaryIO, message: dict) -> None:
    payload = json.dumps(message, separators=(",", ":"), allow_nan=False).encode()
    stream.write(struct.pack(">Q", len(payload)) + payload)
    stream.flush()


def read_frame(stream: BinaryIO, limit: int = MAX_FRAME) -> dict:
    header = _read_exact(stream, 8)
    (size,) = struct.unpack(">Q", header)
    if size > limit:
        raise WireError(f"message of {size} bytes exceeds the {limit}-byte limit")
    try:
        message = json.loads(_read_exact(stream, size))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise WireError(f"malformed message: {e}") from None
    if not isinstance(message, dict):
        raise WireError("malformed message: not an object")
    return message


def _read_exact(stream: BinaryIO, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = stream.read(n - got)
        if not chunk:
            raise EOFError("the other process closed the channel")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _torch():
    try:
        import torch
    except ImportError:  # the wire works without torch (e.g. a numpy-only assignment)
        return None
    return torch
