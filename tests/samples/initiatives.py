"""Samples for 'Dân vận khéo' routes: registrations and recognition decisions."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from danvan.extensions import db
from danvan.initiatives import config, registration
from danvan.initiatives.models import Initiative, InitiativeRecognition


def make_initiative(unit, *, year: int = 2024, name: str = "Mô hình «Dân vận khéo» thử nghiệm", state: str = "draft",
                    field_index: int = 0, is_new: bool = True, **extra) -> Initiative:
    province = config.province_of(unit)
    config.ensure_config(province)
    field = config.fields_of(province.id)[field_index]
    kind = config.kinds_of(province.id)[0]
    data = dict(unit_id=unit.id, unit=unit, year=year, name=name, kind_id=kind.id, field_id=field.id,
                organisation="Hội Liên hiệp Phụ nữ", is_new=is_new, state=state,
                situation="Thực trạng", goals="Mục tiêu", content="Nội dung", area="Địa bàn", forces="Lực lượng",
                resources="Nguồn lực", start_on=date(year, 3, 1), end_on=date(year, 12, 31),
                expected_results="Kết quả", sustain="Duy trì")
    data.update(extra)
    data["search_key"] = registration.search_key_for(name, data["organisation"], unit, field)
    obj = Initiative(**data)
    db.session.add(obj)
    db.session.flush()
    return obj


def _initiative(world):
    return make_initiative(world.c1).id, make_initiative(world.c3).id


def _recognition(world):
    def make(unit):
        r = InitiativeRecognition(unit_id=unit.id, year=2024, number=1, number_text="1-QĐ/HU",
                                  decided_on=date(2024, 6, 1), title="Quyết định công nhận")
        db.session.add(r)
        db.session.flush()
        return r.id
    return make(world.d1), make(world.d2)


SAMPLES = {"initiative_id": _initiative, "recognition_id": _recognition}


def _report(world):
    from danvan.initiatives.models import InitiativeReport

    def make(unit):
        r = db.session.scalar(sa.select(InitiativeReport).where(InitiativeReport.unit_id == unit.id))
        if r is not None:
            return r.id
        r = InitiativeReport(unit_id=unit.id, year=2024, total=1)
        db.session.add(r)
        db.session.flush()
        return r.id
    return make(world.d1), make(world.d2)


SAMPLES["initiative_report_id"] = _report
