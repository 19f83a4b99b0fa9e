"""Proof files on the local filesystem (the default)."""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

from .base import Storage, StorageError

_KEY = re.compile(r"^[a-z0-9][a-z0-9/_.-]{0,199}$")


class LocalStorage(Storage):
    def __init__(self, root: Path):
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    @classmethod
    def from_config(cls, instance_path: str, cfg: dict[str, Any]) -> LocalStorage:
        root = Path(cfg.get("LOCAL_ROOT") or "uploads")
        return cls(root if root.is_absolute() else Path(instance_path) / root)

    def _path(self, key: str) -> Path:
        if not _KEY.match(key) or ".." in key:
            raise StorageError(f"bad storage key {key!r}")
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise StorageError(f"key escapes the storage root: {key!r}")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)  # atomic: readers see the whole file or none
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise StorageError(f"no such object {key!r}") from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def local_path(self, key: str) -> Path | None:
        path = self._path(key)
        return path if path.is_file() else None
