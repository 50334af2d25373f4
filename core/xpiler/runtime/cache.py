"""Where compiled artifacts and generated headers are kept, by content hash.

``XPILER_CACHE_DIR`` overrides the default ``~/.cache/xpiler``. Entries are immutable
(named by the hash of everything that went into them), so concurrent processes can share
the cache: each writes to a temporary name and renames.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path


def root() -> Path:
    base = os.environ.get("XPILER_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "xpiler")
    return Path(base)


def path(kind: str, name: str) -> Path:
    d = root() / kind
    d.mkdir(parents=True, exist_ok=True)
    return d / name


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode() if isinstance(p, str) else p)
        h.update(b"\0")
    return h.hexdigest()[:24]
