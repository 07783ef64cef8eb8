"""Issue 12, point 8: a stored upload is named for the type its content has, and downloads
carry a safe Content-Disposition."""
from __future__ import annotations

import io
from urllib.parse import unquote

import pytest
import sqlalchemy as sa

from danvan.core.files import Attachment
from danvan.plans import documents
from tests.samples.plans import DOC

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n%x\n"


@pytest.mark.parametrize("name, content, stored", [
    ("x.html", PDF, "x.pdf"),
    ("shell.php", PNG, "shell.png"),
    ("../../../etc/passwd", PDF, "passwd.pdf"),
    ("..\\..\\boot.ini.exe", PNG, "boot.ini.png"),
    ("Báo cáo quý.pdf.html", PDF, "Báo cáo quý.pdf.pdf"),
    ("bao;cao <b>.pdf", PNG, "bao;cao b.png"),
])
def test_uploads_take_the_extension_of_their_content(world, login_as, db_session, name, content, stored):
    officer = login_as("officer", world.c1)
    doc = documents.create_document(world.c1, DOC, actor=officer.user)
    response = officer.post_form(f"/van-ban/{doc.id}/tep", {"file": (io.BytesIO(content), name)},
                                 content_type="multipart/form-data")
    assert response.status_code == 303
    attachment = db_session.scalar(sa.select(Attachment).where(Attachment.owner_id == doc.id))
    assert attachment.filename == stored
    download = officer.get(f"/tep/{attachment.id}")
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.mimetype in ("application/pdf", "image/png")
    encoded = disposition.split("filename*=UTF-8''")[1] if "filename*=" in disposition else \
        disposition.split('filename=')[1].strip('"')
    assert unquote(encoded) == stored
    assert disposition.count('"') in (0, 2)   # the name cannot break out of its quotes


def test_an_old_row_with_the_users_extension_downloads_with_the_detected_one(world, login_as, db_session):
    officer = login_as("officer", world.c1)
    doc = documents.create_document(world.c1, DOC, actor=officer.user)
    officer.post_form(f"/van-ban/{doc.id}/tep", {"file": (io.BytesIO(PDF), "bien-ban.pdf")},
                      content_type="multipart/form-data")
    attachment = db_session.scalar(sa.select(Attachment).where(Attachment.owner_id == doc.id))
    attachment.filename = "bien-ban.html"       # as stored before the rule existed
    db_session.flush()
    disposition = officer.get(f"/tep/{attachment.id}").headers["Content-Disposition"]
    assert "bien-ban.pdf" in disposition and ".html" not in disposition
