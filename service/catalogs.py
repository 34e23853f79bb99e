"""The parsed catalogs of stored definition versions.

A version never changes after it is stored, so its catalog is built once per process and kept,
keyed by content hash: the same files make the same catalog, whatever database holds them.
"""

import threading

from sqlalchemy import select

from workflows.catalog import Catalog, build_catalog

from .db import db
from .models import DefinitionVersion

_catalogs: dict[str, Catalog] = {}
_lock = threading.Lock()


def keep(catalog: Catalog) -> None:
    """Keep the catalog of a version just deployed, so it is not built again."""
    with _lock:
        _catalogs.setdefault(catalog.content_hash, catalog)


def catalog_of(version_id: int, digest: str | None = None) -> Catalog:
    """The catalog of a stored version (``digest`` is its content hash, when known)."""
    if digest is None:
        digest = db.session.scalar(
            select(DefinitionVersion.content_hash).where(DefinitionVersion.id == version_id)
        )
    catalog = _catalogs.get(digest)
    if catalog is not None:
        return catalog
    version = db.session.get(DefinitionVersion, version_id)
    catalog = build_catalog({f.path: f.content for f in version.files}, checked=True)
    with _lock:
        return _catalogs.setdefault(digest, catalog)
