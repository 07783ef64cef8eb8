"""Samples for foundation routes: units, users, attachments."""
from __future__ import annotations

import io

from werkzeug.datastructures import FileStorage

from danvan.core import files


def _unit(world):
    return world.c1.id, world.c3.id


def _user(world):
    return (world.create_user(world.c1, ["officer"]).id, world.create_user(world.c3, ["officer"]).id)


def _attachment(world):
    def make(unit):
        upload = FileStorage(io.BytesIO(b"%PDF-1.4\n%test\n"), filename="bien-ban.pdf")
        return files.store(upload, owner_type="Test", owner_id=1, unit_id=unit.id, actor=None).id
    return make(world.c1), make(world.c3)


SAMPLES = {"unit_id": _unit, "user_id": _user, "attachment_id": _attachment}
