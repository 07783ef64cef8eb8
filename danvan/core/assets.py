"""Static files with content-hashed names, served by WhiteNoise before Flask; HTML compressed.

At start-up every file under static/ (fonts excepted: only the PDF renderer reads them, from disk)
is copied once to instance/static-build/ as `name.<sha256[:12]>.ext`, with gzip and brotli variants
beside it. `url_for('static', filename='css/app.css')` then gives the hashed address, which
WhiteNoise serves with a one-year immutable Cache-Control, the compressed variant the browser
accepts, and no session cookie or `Vary: Cookie` (Flask never sees the request). A changed file
gets a new name, so a browser never keeps an old one.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from flask import Flask
from flask_compress import Compress
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

SKIP_DIRS = {"fonts"}
HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
YEAR = 365 * 24 * 3600
compress = Compress()


def _hashed_name(rel: str, data: bytes) -> str:
    stem, dot, ext = rel.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:12]
    return f"{stem}.{digest}.{ext}" if dot else f"{rel}.{digest}"


def _write_once(path: Path, data: bytes) -> None:
    """Atomic: two workers starting together may build the same file."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def build(static: Path, out: Path) -> dict[str, str]:
    """Copy and compress the hashed files; returns {'css/app.css': 'css/app.<hash>.css'}."""
    manifest: dict[str, str] = {}
    compressor = Compressor(quiet=True)
    for path in sorted(static.rglob("*")):
        rel = path.relative_to(static).as_posix()
        if not path.is_file() or rel.split("/", 1)[0] in SKIP_DIRS:
            continue
        data = path.read_bytes()
        manifest[rel] = _hashed_name(rel, data)
        target = out / manifest[rel]
        if target.exists():
            continue
        if compressor.should_compress(str(target)):
            _write_once(target.with_name(target.name + ".gz"), compressor.compress_gzip(data))
            _write_once(target.with_name(target.name + ".br"), compressor.compress_brotli(data))
        _write_once(target, data)   # last: its presence means the variants are there
    return manifest


def init_app(app: Flask) -> None:
    out = Path(app.instance_path) / "static-build"
    manifest = build(Path(app.static_folder), out)
    app.extensions["static_manifest"] = manifest

    @app.url_defaults
    def hashed_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and values.get("filename") in manifest:
            values["filename"] = manifest[values["filename"]]

    app.wsgi_app = WhiteNoise(app.wsgi_app, root=str(out), prefix=app.static_url_path, max_age=YEAR,
                              immutable_file_test=lambda path, url: bool(HASHED.search(url)))
    app.config.setdefault("COMPRESS_MIMETYPES", ["text/html", "text/css", "application/javascript",
                                                 "application/json", "text/plain"])
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 4)
    app.config.setdefault("COMPRESS_MIN_SIZE", 1024)
    compress.init_app(app)
