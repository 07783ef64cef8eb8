"""File storage behind one interface: the database backend, checksums on read, streaming
downloads, and `flask files migrate --to database` (verifying, resumable)."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from danvan.core import files

PDF = b"%PDF-1.4\n" + "Biên bản họp".encode() * 300_000 + b"\n%%EOF"  # about 5 MB


def _store(world, data=PDF, name="bien-ban.pdf"):
    return files.store(FileStorage(io.BytesIO(data), filename=name), owner_type="Test", owner_id=1,
                       unit_id=world.c1.id, actor=None)


@pytest.fixture
def database_storage(app, monkeypatch):
    monkeypatch.setitem(app.config, "FILE_STORAGE", "database")


def test_database_storage_streams_the_exact_bytes(app, db_session, world, login_as, database_storage):
    attachment = _store(world)
    chunks = db_session.scalars(sa.select(files.FileChunk.seq).where(files.FileChunk.name == attachment.stored_name))
    assert len(list(chunks)) == -(-len(PDF) // (1024 * 1024))  # 1 MB rows, never one 5 MB value
    assert not files.FolderStore(app.config["UPLOAD_DIR"]).exists(attachment.stored_name)
    response = login_as("viewer", world.d1b).get(f"/tep/{attachment.id}")
    assert response.status_code == 200 and response.is_streamed
    assert response.get_data() == PDF
    assert response.headers["Content-Length"] == str(len(PDF))
    assert "bien-ban.pdf" in response.headers["Content-Disposition"]


@pytest.mark.parametrize("backend", ["folder", "database"])
def test_damaged_file_is_refused_with_a_vietnamese_page(app, db_session, world, login_as, monkeypatch, backend):
    monkeypatch.setitem(app.config, "FILE_STORAGE", backend)
    attachment = _store(world, b"%PDF-1.4\nmot hai ba\n")
    files.store_for().save(attachment.stored_name, b"%PDF-1.4\nmot hai bon\n")  # same size, other bytes
    response = login_as("viewer", world.d1b).get(f"/tep/{attachment.id}")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "mã kiểm tra sha256 không khớp" in page and "mot hai" not in page


def test_files_migrate_to_database_verifies_and_resumes(app, db_session, world):
    first, second = _store(world, b"%PDF-1.4\nmot\n"), _store(world, b"%PDF-1.4\nhai\n")
    lost = _store(world, b"%PDF-1.4\nba\n")
    files.FolderStore(app.config["UPLOAD_DIR"]).delete(lost.stored_name)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["files", "migrate", "--to", "database"])
    assert result.exit_code == 1, result.output
    assert "Đã chuyển 2 tệp, 0 tệp đã có sẵn, 1 tệp lỗi." in result.output
    assert lost.stored_name in result.output
    db_store = files.DatabaseStore()
    for att in (first, second):
        files.verify(att.stored_name, att.sha256, db_store)
    again = runner.invoke(args=["files", "migrate", "--to", "database"])  # resumed: nothing copied twice
    assert "Đã chuyển 0 tệp, 2 tệp đã có sẵn, 1 tệp lỗi." in again.output
