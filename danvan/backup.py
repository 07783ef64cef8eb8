"""`flask backup FILE` / `flask restore FILE`: the whole database, audit log included, and every
stored file, in one tar.gz that works across backends (SQLite ⇄ PostgreSQL).

Inside: manifest.json (schema revision, row counts, files with sha256), one JSON-lines file per
table (values typed: datetimes, dates, decimals, bytes), and files/<name>. Restore wants an empty
database migrated to the same revision (`flask db upgrade`), writes rows in dependency order
(self-references filled in afterwards), resets PostgreSQL sequences, stores every file through
core/files and checks its sha256, all in one transaction.
"""
from __future__ import annotations

import base64
import io
import json
import tarfile
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask

from danvan.core import files
from danvan.extensions import db

FORMAT = 1


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, time):
        return {"$t": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, bytes | memoryview):
        return {"$b64": base64.b64encode(bytes(value)).decode()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        (key, inner), = value.items()
        if key == "$dt":
            return datetime.fromisoformat(inner)
        if key == "$d":
            return date.fromisoformat(inner)
        if key == "$t":
            return time.fromisoformat(inner)
        if key == "$dec":
            return Decimal(inner)
        if key == "$b64":
            return base64.b64decode(inner)
    return value


def _tables() -> list[sa.Table]:
    # File bytes travel under files/ and go back through the target's own store (FILE_STORAGE).
    return [t for t in db.metadata.sorted_tables if t.name != "file_chunk"]


def _revision() -> str | None:
    return db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def backup(path: Path) -> dict:
    """Write the database and files to `path` (tar.gz); returns the manifest."""
    if db.engine.dialect.name == "postgresql":  # one consistent snapshot of every table
        db.session.execute(sa.text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
    manifest: dict = {"format": FORMAT, "revision": _revision(), "tables": {}, "files": []}
    with tarfile.open(path, "w:gz") as tar:
        for table in _tables():
            keys = [c.key for c in table.columns]
            pk = list(table.primary_key.columns)
            lines = [json.dumps([_encode(row[k]) for k in keys], ensure_ascii=False)
                     for row in db.session.execute(sa.select(table).order_by(*pk)).mappings()]
            manifest["tables"][table.name] = len(lines)
            _add(tar, f"tables/{table.name}.jsonl", ("\n".join(lines) + "\n").encode())
        for name, digest in files.referenced():
            _add(tar, f"files/{name}", files.read(name, digest))
            manifest["files"].append([name, digest])
        _add(tar, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    db.session.rollback()
    return manifest


class RestoreError(Exception):
    pass


def restore(path: Path) -> dict:
    """Load a backup into this (empty, migrated) database and file store; one transaction."""
    with tarfile.open(path, "r:gz") as tar:
        def member(name: str) -> bytes:
            handle = tar.extractfile(name)
            if handle is None:
                raise RestoreError(f"bản sao lưu thiếu {name}")
            return handle.read()

        manifest = json.loads(member("manifest.json"))
        if manifest.get("format") != FORMAT:
            raise RestoreError("định dạng bản sao lưu không được hỗ trợ")
        if manifest["revision"] != _revision():
            raise RestoreError(f"CSDL đích ở phiên bản {_revision()}, bản sao lưu ở {manifest['revision']}: "
                               "chạy `flask db upgrade` cho đúng phiên bản trước")
        for table in db.metadata.sorted_tables:
            if db.session.scalar(sa.select(sa.func.count()).select_from(table)):
                raise RestoreError(f"CSDL đích không rỗng (bảng {table.name}); chỉ phục hồi vào CSDL mới")
        for table in _tables():
            _restore_table(table, member(f"tables/{table.name}.jsonl").decode())
        for name, digest in manifest["files"]:
            stored, got = files.save(member(f"files/{name}"), name)
            if got != digest:
                raise RestoreError(f"tệp {name} sai mã kiểm tra sha256")
        _reset_sequences()
    db.session.commit()
    return manifest


def _restore_table(table: sa.Table, text: str) -> None:
    keys = [c.key for c in table.columns]
    rows = [dict(zip(keys, map(_decode, json.loads(line)))) for line in text.splitlines() if line]
    if not rows:
        return
    # Rows may point at later rows of the same table (a unit's successor): insert those
    # columns empty, then fill them in.
    later = [fk.parent.key for fk in table.foreign_keys if fk.column.table is table]
    db.session.execute(sa.insert(table), [{**r, **dict.fromkeys(later)} for r in rows])
    pk = [c.key for c in table.primary_key.columns]
    stamped = [c.key for c in table.columns if c.onupdate is not None]  # keep updated_at as it was
    for column in later:
        for r in rows:
            if r[column] is not None:
                db.session.execute(sa.update(table).where(*(table.c[k] == r[k] for k in pk))
                                   .values({column: r[column], **{k: r[k] for k in stamped}}))


def _reset_sequences() -> None:
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        column = table.c.get("id")
        if column is not None and column.autoincrement is not False and isinstance(column.type, sa.Integer):
            db.session.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))


def register(app: Flask) -> None:
    @app.cli.command("backup")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    def backup_command(path: Path) -> None:
        """Sao lưu toàn bộ CSDL (kể cả nhật ký) và mọi tệp vào một tệp .tar.gz."""
        manifest = backup(path)
        click.echo(f"Đã sao lưu {sum(manifest['tables'].values())} dòng dữ liệu, "
                   f"{len(manifest['files'])} tệp vào {path}.")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def restore_command(path: Path) -> None:
        """Phục hồi một bản sao lưu vào CSDL rỗng đã `flask db upgrade`."""
        try:
            manifest = restore(path)
        except RestoreError as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from None
        click.echo(f"Đã phục hồi {sum(manifest['tables'].values())} dòng dữ liệu, {len(manifest['files'])} tệp.")
