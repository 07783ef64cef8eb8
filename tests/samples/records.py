"""Samples for issued records: a conference's invitation issued in C1 (own) and in C3 (other),
with its Word file and a signed scan, so every download route has something to serve."""
from __future__ import annotations

import io
from datetime import date

from docx import Document
from PIL import Image
from werkzeug.datastructures import FileStorage

from danvan.core import records
from tests.samples.conferences import make_conference

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _bytes(save) -> bytes:
    out = io.BytesIO()
    save(out)
    return out.getvalue()


def _record(world):
    docx = _bytes(Document().save)
    jpg = _bytes(lambda out: Image.new("RGB", (20, 28), "white").save(out, "JPEG"))

    def build(unit):
        conf = make_conference(unit)
        record = records.issue(owner_type="Conference", owner_id=conf.id, doc_key="giay-moi", unit=unit,
                               number_text="1-GM/X", issued_on=date(2026, 12, 1), title="Giấy mời", data={},
                               pdf=PDF, docx=docx, actor=None)
        records.attach_signed(record, FileStorage(io.BytesIO(jpg), filename="scan.jpg"), actor=None)
        return record
    return build(world.c1).id, build(world.c3).id


SAMPLES = {"issued_record_id": _record}
