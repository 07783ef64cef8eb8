"""Demo history 2021–2024 for the demo province: about 2,000 registrations a year with the seeds'
shape (2021: 2.011 = 1.354 mới + 657 duy trì; Thành ủy Bắc Kạn 279 đăng ký, 202 công nhận;
Phường Xuất Hóa 07 mô hình), uneven fields, late consolidated lists. Bulk inserts only."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from danvan import calls
from danvan.auth.models import User, UserRole
from danvan.core.numbering import DocumentCounter
from danvan.core.units import Unit
from danvan.core.vntext import TZ, fold, today_local
from danvan.core.workflow import WorkflowHistory
from danvan.extensions import db
from danvan.initiatives import config, registration
from danvan.initiatives.models import (
    Initiative,
    InitiativeRecognition,
    InitiativeReport,
    InitiativeScore,
)
from danvan.units import demo as units_demo

# year: (registered, new, recognised share)
YEARS = {2021: (2011, 1354, 0.74), 2022: (2046, 1236, 0.75), 2023: (2087, 1198, 0.77), 2024: (2125, 1170, 0.76)}
CITY = "Thành ủy Bắc Kạn"
WARD = "Phường Xuất Hóa"
CITY_2021 = (279, 202)
# Consolidated lists sent after the deadline (31/03): (unit, year, days late).
LATE = {("Huyện ủy Pác Nặm", 2021): 6, ("Huyện ủy Na Rì", 2023): 3, ("Huyện ủy Ngân Sơn", 2024): 9,
        ("Huyện ủy Pác Nặm", 2024): 2}
# Fields a unit never covers: the unevenness the province must see.
NO_FIELD = {"Huyện ủy Pác Nặm": {2}, "Đảng ủy Khối Doanh nghiệp tỉnh": {2}, "Đảng ủy Quân sự tỉnh": {0, 1}}
FIELD_WEIGHTS = [38, 30, 12, 20]  # kinh tế, văn hóa – xã hội, quốc phòng – an ninh, xây dựng HTCT

TOPICS = [
    ["Hỗ trợ hộ nghèo phát triển chăn nuôi lợn đen", "Vận động nhân dân trồng rừng gỗ lớn",
     "Tổ hợp tác trồng cam, quýt", "Liên kết sản xuất miến dong", "Phát triển du lịch cộng đồng",
     "Giúp nhau giảm nghèo bền vững", "Hiến đất làm đường giao thông nông thôn",
     "Chuyển đổi số trong tiêu thụ nông sản", "Nuôi ong lấy mật", "Trồng chè Shan tuyết theo hướng hữu cơ",
     "Tiết kiệm vì phụ nữ nghèo", "Cựu chiến binh giúp nhau làm kinh tế", "Thanh niên khởi nghiệp"],
    ["Xây dựng gia đình văn hóa, hạnh phúc", "Giữ gìn bản sắc văn hóa dân tộc Tày", "Câu lạc bộ hát Then, đàn Tính",
     "Phụ nữ chung tay bảo vệ môi trường", "Thắp sáng đường quê", "Con đường hoa",
     "Vận động xóa bỏ hủ tục trong việc cưới, việc tang", "Nhà vệ sinh hợp vệ sinh", "Tủ sách cộng đồng",
     "Phân loại rác thải tại nguồn", "Nâng bước em tới trường", "Nhà văn hóa thôn sáng, xanh, sạch"],
    ["Tổ tự quản về an ninh, trật tự", "Camera an ninh", "Thôn không có tội phạm và tệ nạn xã hội",
     "Dân quân tự vệ giúp dân", "Phòng, chống ma túy tại cộng đồng", "Tổ hòa giải ở cơ sở",
     "Tiếng kẻng an ninh", "Phòng cháy, chữa cháy rừng"],
    ["Chi bộ dân chủ, kỷ cương", "Dân vận chính quyền trong cải cách hành chính", "Đối thoại định kỳ với nhân dân",
     "Đảng viên nhận giúp đỡ hộ khó khăn", "Bộ phận một cửa thân thiện", "Cán bộ, đảng viên gần dân",
     "Sinh hoạt chi bộ gắn với nắm bắt dư luận", "Thực hiện tốt Quy chế dân chủ ở cơ sở"],
]
VILLAGES = ["Nà Pài", "Khuổi Hẻo", "Bản Cám", "Pác Ngòi", "Nà Hang", "Bó Lù", "Cốc Tộc", "Nà Mầm", "Slam Vè",
            "Nà Làng", "Khuổi Khí", "Bản Chán", "Phiêng Phàng", "Nà Ngần", "Tổ 1", "Tổ 7", "Tổ 10", "Pò Đon",
            "Nà Quản", "Khau Bang", "Bản Duồm", "Nà Tông", "Keo Ên", "Nặm Dất"]
ORGS = [("Hội Liên hiệp Phụ nữ", 24), ("Hội Nông dân", 20), ("Mặt trận Tổ quốc", 14), ("Đoàn Thanh niên", 13),
        ("Hội Cựu chiến binh", 11), ("Chính quyền", 9), ("Công an", 5), ("Chi bộ", 4)]


def _split(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """Integers proportional to weights that add up to total exactly."""
    s = sum(weights) or 1
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    rest = sorted(range(len(weights)), key=lambda i: raw[i] - out[i], reverse=True)
    for i in rest[: total - sum(out)]:
        out[i] += 1
    return out


def _local(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ).astimezone(UTC)


def _reviewers(root: Unit) -> dict[str, dict[int, int]]:
    """Demo actors for the timeline: an officer who filed for each unit, and the leader of the ban
    reviewing it (a district's Ban Dân vận for its communes, the province's for the districts)."""
    rows = db.session.execute(
        sa.select(User.id, User.unit_id, UserRole.role, Unit.parent_id, Unit.kind)
        .join(UserRole, UserRole.user_id == User.id).join(Unit, Unit.id == User.unit_id)
        .where(Unit.path.startswith(root.path)).order_by(User.id)).all()
    officer: dict[int, int] = {}
    ban_leader: dict[int, int] = {}   # committee unit id -> leader of its ban
    for user_id, unit_id, role, parent_id, kind in rows:
        if role == "officer":
            officer.setdefault(unit_id, user_id)
        if role == "leader" and kind == "ban" and parent_id is not None:
            ban_leader.setdefault(parent_id, user_id)
    return {"officer": officer, "ban_leader": ban_leader}


def _history_rows(ids, rows, decisions, rec_ids, reviewers, year: int) -> list[dict]:
    """submit → accept (→ recognise) rows, so old models show a real timeline."""
    units = {u.id: u for u in db.session.scalars(sa.select(Unit).where(
        Unit.id.in_({r["unit_id"] for r in rows})))}
    decision_text = {rec_id: d["number_text"] for rec_id, (d, _) in zip(rec_ids, decisions)}
    out = []
    for obj_id, r in zip(ids, rows):
        unit = units[r["unit_id"]]
        reviewer = reviewers["ban_leader"].get(unit.parent_id)   # the level above reviews
        base = dict(object_type="Initiative", object_id=obj_id, on_behalf_of_id=None)
        out.append(dict(base, transition="submit", from_state="draft", to_state="submitted", comment="",
                        actor_id=reviewers["officer"].get(unit.id), at=r["submitted_at"]))
        out.append(dict(base, transition="accept", from_state="submitted", to_state="accepted", comment="",
                        actor_id=reviewer, at=_local(date(year, 4, 15))))
        if r["state"] == "recognised":
            out.append(dict(base, transition="recognise", from_state="accepted", to_state="recognised",
                            comment=f"Quyết định số {decision_text[r['recognition_id']]}", actor_id=reviewer,
                            at=_local(date(year, 5, 20))))
    return out


def seed(shape: str = "2023") -> str:
    root = units_demo.province(shape)
    if shape != "2023" or root is None:
        return "dân vận khéo: chỉ tạo lịch sử cho tỉnh mẫu 2023"
    config.ensure_config(root)
    units = list(db.session.scalars(sa.select(Unit).where(Unit.path.startswith(root.path))))
    if db.session.scalar(sa.select(Initiative.id).where(Initiative.unit_id.in_([u.id for u in units])).limit(1)):
        return "dân vận khéo: đã có, bỏ qua"
    rng = random.Random(2021)
    reviewers = _reviewers(root)
    fields = config.fields_of(root.id)
    kinds = config.kinds_of(root.id)
    criteria = config.criteria_of(root.id)
    by_id = {u.id: u for u in units}
    reporting = sorted((u for u in units if u.parent_id == root.id and u.kind in ("huyen_uy", "dang_uy_truc_thuoc")),
                       key=lambda u: u.name)
    communes = {d.id: sorted((u for u in units if u.parent_id == d.id and u.kind == "xa"), key=lambda u: u.name)
                for d in reporting}
    # Registering units of each reporting unit: its communes, or itself when it has none.
    weight = {u.id: rng.uniform(0.6, 1.4) for u in units}
    ward = next(u for u in units if u.name == WARD)
    city = next(u for u in units if u.name == CITY)
    prev_by_unit: dict[int, list[tuple[int, int, str]]] = {}   # unit -> [(id, field index, name)] last year
    total_rows = 0
    counters: dict[tuple[int, int], int] = {}
    for year, (total, new_total, rec_share) in YEARS.items():
        deadline = date(year, 3, 31)
        # Per reporting unit totals.
        dweights = [len(communes[d.id]) * 1.0 if communes[d.id] else 3.5 for d in reporting]
        if year == 2021:
            others = [d for d in reporting if d.id != city.id]
            split = _split(total - CITY_2021[0], [w * rng.uniform(0.8, 1.2) for d, w in zip(reporting, dweights)
                                                  if d.id != city.id], rng)
            per_district = dict(zip([d.id for d in others], split)) | {city.id: CITY_2021[0]}
        else:
            per_district = dict(zip([d.id for d in reporting],
                                    _split(total, [w * rng.uniform(0.9, 1.1) for w in dweights], rng)))
        # Per registering unit.
        per_unit: dict[int, int] = {}
        for d in reporting:
            targets = communes[d.id] or [d]
            if year == 2021 and d.id == city.id:
                others = [u for u in targets if u.id != ward.id]
                per_unit[ward.id] = 7
                per_unit.update(zip([u.id for u in others], _split(CITY_2021[0] - 7, [weight[u.id] for u in others],
                                                                    rng)))
            else:
                per_unit.update(zip([u.id for u in targets],
                                    _split(per_district[d.id], [weight[u.id] for u in targets], rng)))
        # Maintained: proportional to last year's registrations of the unit, never more than it had.
        maintained_total = total - new_total
        if prev_by_unit:
            caps = {uid: min(len(prev_by_unit.get(uid, [])), n) for uid, n in per_unit.items()}
            maint = dict(zip(caps, _split(maintained_total, [float(c) for c in caps.values()], rng)))
            for uid in maint:
                maint[uid] = min(maint[uid], caps[uid])
            short = maintained_total - sum(maint.values())
            for uid in sorted(caps, key=lambda u: caps[u] - maint[u], reverse=True):
                if short <= 0:
                    break
                add = min(short, caps[uid] - maint[uid])
                maint[uid] += add
                short -= add
        else:
            maint = dict(zip(per_unit, _split(maintained_total, [float(n) for n in per_unit.values()], rng)))
        rows = []
        district_of = {}
        for d in reporting:
            for u in communes[d.id] or [d]:
                district_of[u.id] = d
        late_units = {uid for uid in per_unit if rng.random() < 0.04}
        for uid, n in per_unit.items():
            unit = by_id[uid]
            district = district_of[uid]
            banned = NO_FIELD.get(district.name, set())
            allowed = [i for i in range(len(fields)) if i not in banned]
            prev = list(prev_by_unit.get(uid, []))
            rng.shuffle(prev)
            for k in range(n):
                maintained = k < maint.get(uid, 0)
                if maintained and prev:
                    prev_id, fi, name = prev.pop()
                else:
                    prev_id = None
                    fi = rng.choices(allowed, weights=[FIELD_WEIGHTS[i] for i in allowed])[0]
                    village = rng.choice(VILLAGES)
                    name = f"{rng.choice(TOPICS[fi])} tại {'' if village.startswith('Tổ') else 'thôn '}{village}"
                org = rng.choices([o for o, _ in ORGS], weights=[w for _, w in ORGS])[0]
                day = deadline - timedelta(days=rng.randint(3, 60))
                if uid in late_units and rng.random() < 0.5:
                    day = deadline + timedelta(days=rng.randint(1, 12))
                field_ = fields[fi]
                rows.append(dict(
                    unit_id=uid, year=year, name=name, search_key=registration.search_key_for(name, org, unit, field_),
                    kind_id=kinds[0 if rng.random() < 0.86 else rng.choice([1, 2])].id, field_id=field_.id,
                    organisation=org, is_new=not maintained, previous_id=prev_id,
                    situation=f"Trên địa bàn {unit.name} còn nhiều khó khăn; cần phát huy vai trò của nhân dân.",
                    goals=f"Thực hiện hiệu quả mô hình «{name}» trong năm {year}.",
                    content="Tuyên truyền, vận động; phân công cán bộ, đảng viên phụ trách; sơ kết, tổng kết.",
                    area=f"{unit.name}; hội viên, đoàn viên và nhân dân trên địa bàn.",
                    forces=f"{org} chủ trì, phối hợp các đoàn thể và trưởng thôn.",
                    resources="Nhân dân đóng góp ngày công; nguồn lồng ghép các chương trình mục tiêu.",
                    budget=round(rng.uniform(5, 300), 2), start_on=date(year, 4, 1), end_on=date(year, 12, 31),
                    expected_results="Nâng cao đời sống, tạo đồng thuận trong nhân dân.",
                    sustain="Gắn với phong trào thi đua của địa phương; nhân rộng ra các thôn.",
                    state="accepted", submitted_at=_local(day), exemplary=False, version=1,
                    created_at=_local(day), updated_at=_local(day),
                ))
        # Recognition: the level above recognises a share of each district's models (202/279 in the city 2021).
        by_district: dict[int, list[int]] = {}
        for i, r in enumerate(rows):
            by_district.setdefault(district_of[r["unit_id"]].id, []).append(i)
        decisions = []
        for d in reporting:
            idx = by_district.get(d.id, [])
            n_rec = CITY_2021[1] if (year == 2021 and d.id == city.id) else round(len(idx) * rec_share)
            chosen = rng.sample(idx, n_rec)
            issuer = d if communes[d.id] else root
            key = (issuer.id, year)
            counters[key] = counters.get(key, 0) + rng.randint(8, 30)
            code = issuer.code or "ĐU"
            decisions.append((dict(unit_id=issuer.id, year=year, number=counters[key],
                                   number_text=f"{counters[key]}-QĐ/{code}", decided_on=date(year, 5, 20),
                                   title=f"Quyết định công nhận mô hình, điển hình «Dân vận khéo» năm {year} — "
                                         f"{d.name}"), chosen))
        for i in range(len(rows)):
            rows[i]["total_score"] = rng.randint(62, 97)
        rec_ids = db.session.execute(sa.insert(InitiativeRecognition).returning(
            InitiativeRecognition.id, sort_by_parameter_order=True),
            [dict(d, created_at=_local(d["decided_on"]), updated_at=_local(d["decided_on"])) for d, _ in decisions]
        ).scalars().all()
        for rec_id, (_, chosen) in zip(rec_ids, decisions):
            for i in chosen:
                rows[i]["state"] = "recognised"
                rows[i]["recognition_id"] = rec_id
                rows[i]["total_score"] = max(rows[i]["total_score"], 70)
                rows[i]["exemplary"] = rows[i]["total_score"] >= 95
        for r in rows:
            r.setdefault("recognition_id", None)
        ids = db.session.execute(sa.insert(Initiative).returning(Initiative.id, sort_by_parameter_order=True),
                                 rows).scalars().all()
        scores = []
        for obj_id, r in zip(ids, rows):
            parts = _split(r["total_score"], [c.max_score for c in criteria], rng)
            scores.extend(dict(initiative_id=obj_id, criterion_id=c.id, score=min(p, c.max_score),
                               scored_at=_local(date(year, 5, 10))) for c, p in zip(criteria, parts))
        db.session.execute(sa.insert(InitiativeScore), scores)
        db.session.execute(sa.insert(WorkflowHistory), _history_rows(ids, rows, decisions, rec_ids, reviewers, year))
        prev_by_unit = {}
        for obj_id, r in zip(ids, rows):
            fi = next(i for i, f in enumerate(fields) if f.id == r["field_id"])
            prev_by_unit.setdefault(r["unit_id"], []).append((obj_id, fi, r["name"]))
        # Consolidated lists: 11/11 sent, a few late.
        reports = []
        for d in reporting:
            idx = by_district.get(d.id, [])
            late = LATE.get((d.name, year))
            sent = date(year, 3, 31) + timedelta(days=late) if late else date(year, 3, rng.randint(20, 30))
            reports.append(dict(unit_id=d.id, year=year, sent_at=_local(sent, 15), total=len(idx),
                                new_count=sum(1 for i in idx if rows[i]["is_new"]),
                                maintained_count=sum(1 for i in idx if not rows[i]["is_new"]),
                                recognised_count=sum(1 for i in idx if rows[i]["state"] == "recognised"),
                                note="", created_at=_local(sent, 15), updated_at=_local(sent, 15)))
        db.session.execute(sa.insert(InitiativeReport), reports)
        _past_call(root, reporting, year)
        total_rows += len(rows)
    db.session.execute(sa.insert(DocumentCounter), [
        dict(issuer_unit_id=uid, type_code="QĐ", year=y, last_number=n) for (uid, y), n in counters.items()])
    db.session.flush()
    call = _next_year_call(root, reporting)
    return (f"dân vận khéo: {total_rows:,} đăng ký 2021–2024 (2021: 2.011 = 1.354 mới + 657 duy trì)"
            .replace(",", ".") + (f"; yêu cầu «{call}»" if call else ""))


def _bdv(root: Unit) -> Unit | None:
    return db.session.scalar(sa.select(Unit).where(Unit.parent_id == root.id, Unit.kind == "ban",
                                                   Unit.code == "BDVTU"))


def _past_call(root: Unit, reporting: list[Unit], year: int) -> None:
    """The province's registration call of a past year (deadline 31/03), answered by the lists sent:
    the one deadline every page judges on-time and late by."""
    issuer = _bdv(root) or root
    title = f"Đăng ký mô hình Dân vận khéo năm {year}"
    created = _local(date(year, 1, 15))
    call = calls.Call(unit=issuer, title=title, search_key=fold(title), kind=registration.CALL_KIND, year=year,
                      deadline=date(year, 3, 31), created_at=created, updated_at=created,
                      targets=[calls.CallTarget(unit=d) for d in reporting])
    db.session.add(call)
    db.session.flush()
    sent = db.session.execute(sa.select(InitiativeReport.id, InitiativeReport.unit_id, InitiativeReport.sent_at)
                              .where(InitiativeReport.year == year,
                                     InitiativeReport.unit_id.in_([d.id for d in reporting]))).all()
    db.session.execute(sa.insert(calls.CallSubmission), [
        dict(call_id=call.id, unit_id=unit_id, object_type="InitiativeReport", object_id=rid, state="submitted",
             submitted_at=at, last_submitted_at=at, updated_at=at) for rid, unit_id, at in sent])


def _next_year_call(root: Unit, reporting: list[Unit]) -> str | None:
    """The province's call for next year's registrations, answered by the
    districts' consolidated lists; its tracking page starts with every unit pending."""
    year = today_local().year + 1
    bdv = _bdv(root)
    if bdv is None:
        return None
    title = f"Đăng ký mô hình Dân vận khéo năm {year}"
    calls.create_call(bdv, {"title": title, "kind": registration.CALL_KIND, "year": year, "deadline": date(year, 3, 31),
                            "description": "Các huyện ủy, thành ủy, đảng ủy trực thuộc tổng hợp đăng ký mô hình, "
                                           "điển hình «Dân vận khéo» của đơn vị và gửi về Ban Dân vận Tỉnh ủy."},
                      reporting, actor=None, notify=False)
    return title



