"""The partner registry kept in its YAML file: edits are validated, saved atomically, and
picked up by other processes when the file changes."""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from pathlib import Path

import yaml

from adapter.errors import ConfigurationError, Conflict
from adapter.exchange.partners import Partner, PartnerRegistry, load_registry

log = logging.getLogger(__name__)


class RegistryFile:
    """One registry object shared by the listener and the admin API, reloaded on file change."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = Path(path) if path else None
        self.lock = threading.Lock()
        self.registry = PartnerRegistry()
        self.stamp: float | None = None
        self.reload_if_changed()

    def reload_if_changed(self) -> bool:
        """Re-read the file when its modification time moved; True when it did."""
        if self.path is None or not self.path.exists():
            return False
        stamp = self.path.stat().st_mtime
        if stamp == self.stamp:
            return False
        fresh = load_registry(self.path)
        with self.lock:
            self.registry.partners = fresh.partners  # same object: listeners see the change
            self.stamp = stamp
        return True

    def refresh(self) -> None:
        """Reload if changed; a broken edit keeps the registry as it was and is logged once."""
        try:
            self.reload_if_changed()
        except ConfigurationError as error:
            log.error("partners file %s not reloaded: %s", self.path, error.issues)
            self.stamp = self.path.stat().st_mtime if self.path else None

    def put(self, partner: Partner, entry: dict) -> None:
        with self.lock:
            entries = self._entries()
            entries = [e for e in entries if e.get("id") != partner.id] + [entry]
            self._save(entries)
            self.registry.put(partner)

    def remove(self, partner_id: str) -> None:
        with self.lock:
            self.registry.remove(partner_id)
            self._save([e for e in self._entries() if e.get("id") != partner_id])

    def _entries(self) -> list[dict]:
        if self.path is None:
            raise Conflict(
                "No partners file is configured; set ADAPTER_EXCHANGE_PARTNERS_FILE to edit them"
            )
        if not self.path.exists():
            return []
        document = yaml.safe_load(self.path.read_text(encoding="utf-8")) or {}
        return list(document.get("partners") or [])

    def _save(self, entries: list[dict]) -> None:
        assert self.path is not None  # noqa: S101 -- _entries() refused a missing path
        text = yaml.safe_dump({"partners": entries}, sort_keys=False)
        # Write beside the file and rename: a reader never sees half a registry.
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".yaml")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, self.path)
        self.stamp = self.path.stat().st_mtime
