"""Demo: 108 blocs with 1,265 current members (7–13 each) and some history, criteria sets for blocs and
members, evaluations 2023–2025. Bulk inserts."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa

from danvan.auth.models import User, UserRole
from danvan.blocs.criteria import rate
from danvan.blocs.models import Bloc, BlocMember, CriteriaSet, Criterion, Evaluation, EvaluationScore
from danvan.core import cache
from danvan.core.units import Unit
from danvan.core.vntext import fmt_number, fold
from danvan.core.workflow import WorkflowHistory
from danvan.extensions import db
from danvan.units import demo as units_demo

TOTAL_MEMBERS = 1265
# The usual order of seats; a bloc of n members takes the first n (the head comes first).
SEATS = [
    ("thuong_truc_hdnd", "Phó Chủ tịch HĐND {x}"),
    ("lanh_dao_ubnd", "Phó Chủ tịch UBND {x}"),
    ("chu_tich_mttq", "Chủ tịch Ủy ban MTTQ Việt Nam {x}"),
    ("hoi_phu_nu", "Chủ tịch Hội Liên hiệp Phụ nữ {x}"),
    ("doan_thanh_nien", "Bí thư Đoàn Thanh niên Cộng sản Hồ Chí Minh {x}"),
    ("hoi_nong_dan", "Chủ tịch Hội Nông dân {x}"),
    ("hoi_ccb", "Chủ tịch Hội Cựu chiến binh {x}"),
    ("truong_cong_an", "Trưởng Công an {x}"),
    ("hoi_quan_chung", "Chủ tịch Hội Người cao tuổi {x}"),
    ("cong_chuc", "Công chức Văn hóa – Xã hội"),
    ("hieu_truong", "Hiệu trưởng Trường Tiểu học {x}"),
    ("y_te", "Trạm trưởng Trạm Y tế {x}"),
]
SURNAMES = ["Nguyễn", "Hoàng", "Nông", "Triệu", "Hà", "Lý", "Ma", "Đặng", "Lường", "Bế", "Dương", "Lục", "Hứa",
            "Bàn", "Sầm", "Chu", "Lưu", "Phùng"]
MIDDLE_M = ["Văn", "Đức", "Minh", "Quang", "Thanh", "Hữu", "Xuân"]
MIDDLE_F = ["Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Kim"]
GIVEN_M = ["An", "Bình", "Chiến", "Dũng", "Hưng", "Khánh", "Nam", "Phúc", "Quý", "Sơn", "Tuấn", "Việt", "Hải",
           "Long", "Thắng", "Toàn", "Cường", "Định"]
GIVEN_F = ["Hằng", "Linh", "Mai", "Oanh", "Phương", "Thảo", "Uyên", "Xuân", "Yến", "Lan", "Hoa", "Nga", "Huyền",
           "Thúy", "Dung"]
BLOC_CRITERIA = [
    ("Xây dựng và thực hiện chương trình, kế hoạch công tác dân vận năm gắn với nghị quyết của cấp ủy, HĐND", 20),
    ("Xây dựng, thực hiện quy chế hoạt động; giao ban Khối định kỳ", 15),
    ("Nắm bắt tình hình Nhân dân, tham mưu giải quyết kịp thời những vấn đề phát sinh", 20),
    ("Phối hợp tuyên truyền, vận động Nhân dân thực hiện nhiệm vụ chính trị; phong trào «Dân vận khéo»", 20),
    ("Thực hiện Quy chế dân chủ ở cơ sở", 15),
    ("Chế độ thông tin, báo cáo; sơ kết, tổng kết", 10),
]
MEMBER_CRITERIA = [
    ("Thực hiện nhiệm vụ thành viên Khối được phân công", 30),
    ("Tham dự đầy đủ giao ban, sinh hoạt Khối", 20),
    ("Nắm tình hình, phản ánh kịp thời ý kiến, kiến nghị của Nhân dân trong lĩnh vực phụ trách", 20),
    ("Tham gia xây dựng, nhân rộng mô hình «Dân vận khéo»", 15),
    ("Gương mẫu, giữ mối liên hệ mật thiết với Nhân dân", 15),
]


def _name(rng: random.Random) -> str:
    if rng.random() < 0.4:
        return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"


def sizes(n_blocs: int, total: int, rng: random.Random, low: int = 7, high: int = 13) -> list[int]:
    """n sizes in [low, high] adding up to total (as the province's 108 blocs and 1,265 members)."""
    out = [rng.randint(9, 13) for _ in range(n_blocs)]
    while sum(out) != total:
        i = rng.randrange(n_blocs)
        if sum(out) > total and out[i] > low:
            out[i] -= 1
        elif sum(out) < total and out[i] < high:
            out[i] += 1
    return out


def _scores(rng: random.Random, criteria: list[tuple[int, Decimal]], quality: float) -> list[Decimal]:
    return [min(mx, max(Decimal(0), (mx * Decimal(str(round(rng.uniform(quality - 0.15, quality + 0.1), 2))))
                        .quantize(Decimal("0.5")))) for _, mx in criteria]


def seed(shape: str = "2023") -> str:
    root = units_demo.province(shape)
    if root is None or shape != "2023":
        return "khối dân vận: chỉ tạo cho tỉnh mẫu 2023"
    in_root = sa.select(Unit.id).where(Unit.path.startswith(root.path))
    if db.session.scalar(sa.select(Bloc.id).where(Bloc.unit_id.in_(in_root)).limit(1)):
        return "khối dân vận: đã có, bỏ qua"
    return build(root, rng=random.Random(108))


def build(root: Unit, *, rng: random.Random, total_members: int = TOTAL_MEMBERS, evaluations: bool = True) -> str:
    communes = list(db.session.execute(sa.select(Unit.id, Unit.name, Unit.parent_id).where(
        Unit.path.startswith(root.path), Unit.kind == "xa", Unit.valid_to.is_(None)).order_by(Unit.path)))
    if not communes:
        return "khối dân vận: không có xã nào"
    total_members = min(max(total_members, 7 * len(communes)), 13 * len(communes))
    counts = sizes(len(communes), total_members, rng)
    flagged = set(rng.sample(range(len(communes)), min(2, len(communes))))
    now = datetime.now(UTC)
    bloc_rows = []
    for i, (uid, name, _) in enumerate(communes):
        bloc_rows.append({"unit_id": uid, "name": f"Khối dân vận {name}", "name_key": fold(f"Khối dân vận {name}"),
                          "roster_state": "draft" if i in flagged else "confirmed",
                          "flag_reasons": "", "confirmed_at": None if i in flagged else now,
                          "established_on": date(2020, 11, 1), "created_at": now, "updated_at": now, "version": 1})
    db.session.execute(sa.insert(Bloc.__table__), bloc_rows)
    bloc_ids = dict(db.session.execute(sa.select(Bloc.unit_id, Bloc.id).where(
        Bloc.unit_id.in_([c.id for c in communes]))).all())
    member_rows = []
    for i, ((uid, name, _), n) in enumerate(zip(communes, counts, strict=True)):
        place = name.split(" ", 1)[0].lower().replace("thị", "thị trấn").replace("thị trấn trấn", "thị trấn")
        head_pos = "bi_thu" if rng.random() < 0.7 else "pho_bi_thu"
        if i in flagged:
            head_pos = "lanh_dao_ubnd"  # a roster breaking the rule: saved only as a draft
        seats = [(head_pos, {"bi_thu": "Bí thư Đảng ủy", "pho_bi_thu": "Phó Bí thư Thường trực Đảng ủy",
                             "lanh_dao_ubnd": "Chủ tịch UBND"}[head_pos])] + SEATS[: n - 1]
        joined = date(2020, 11, 1) if rng.random() < 0.6 else date(2021, 7, 1)
        seat_rows = {}
        for j, (pos, title) in enumerate(seats):
            seat_rows[pos] = len(member_rows)
            member_rows.append({"bloc_id": bloc_ids[uid], "unit_id": uid, "full_name": (nm := _name(rng)),
                                "name_key": fold(nm), "position": pos, "title": title.format(x=place),
                                "is_head": j == 0, "from_date": joined, "to_date": None, "phone": "",
                                "created_at": now, "updated_at": now, "version": 1})
        # History: some seats changed hands (elections, transfers) — the predecessor stays on record.
        for pos, title in rng.sample(seats[1:], k=rng.choice([0, 0, 1, 1, 2])):
            member_rows[seat_rows[pos]]["from_date"] = date(2024, 3, 1)
            member_rows.append({"bloc_id": bloc_ids[uid], "unit_id": uid, "full_name": (nm := _name(rng)),
                                "name_key": fold(nm), "position": pos, "title": title.format(x=place),
                                "is_head": False, "from_date": joined, "to_date": date(2024, 3, 1), "phone": "",
                                "created_at": now, "updated_at": now, "version": 1})
    db.session.execute(sa.insert(BlocMember.__table__), member_rows)
    for i in flagged:
        reason = ("Trưởng khối phải là Bí thư Đảng ủy hoặc Phó Bí thư Đảng ủy; người được ghi là Trưởng khối "
                  "đang giữ chức vụ «Lãnh đạo UBND».")
        db.session.execute(sa.update(Bloc.__table__).where(Bloc.__table__.c.id == bloc_ids[communes[i].id])
                           .values(flag_reasons=reason))
    current = sum(1 for r in member_rows if r["to_date"] is None)
    summary = f"khối dân vận: {len(communes)} khối, {fmt_number(current)} thành viên hiện tại"
    if evaluations:
        summary += "; " + _evaluations(root, communes, bloc_ids, rng)
    cache.bump(["blocs"])   # bulk rows bypass the ORM's flush events: the cached lists and panel follow
    return summary


def _evaluations(root: Unit, communes, bloc_ids: dict, rng: random.Random) -> str:
    bloc_set = CriteriaSet(unit=root, name="Tiêu chí đánh giá khối dân vận cơ sở (Đề án 2023–2025)", subject="bloc",
                           year_from=2023)
    member_set = CriteriaSet(unit=root, name="Tiêu chí đánh giá thành viên khối dân vận cơ sở", subject="member",
                             year_from=2023)
    for cs, items in ((bloc_set, BLOC_CRITERIA), (member_set, MEMBER_CRITERIA)):
        for i, (title, pts) in enumerate(items, 1):
            cs.criteria.append(Criterion(position=i, title=title, max_points=Decimal(pts)))
        db.session.add(cs)
    db.session.flush()
    leaders = dict(db.session.execute(sa.select(User.unit_id, sa.func.min(User.id)).join(
        UserRole, UserRole.user_id == User.id).where(UserRole.role == "leader").group_by(User.unit_id)).all())
    bans = dict(db.session.execute(sa.select(Unit.parent_id, Unit.id).where(
        Unit.kind == "ban", Unit.path.startswith(root.path))).all())
    now = datetime.now(UTC)
    b_crit = [(c.id, c.max_points) for c in bloc_set.criteria]
    m_crit = [(c.id, c.max_points) for c in member_set.criteria]
    quality = {uid: rng.uniform(0.45, 0.97) for uid, _, _ in communes}
    ev_rows, plan = [], []
    for uid, _, parent_id in communes:
        for year in (2023, 2024, 2025):
            state = "scored" if year < 2025 else rng.choices(["submitted", "draft", "scored"], [60, 25, 15])[0]
            plan.append((f"b{bloc_ids[uid]}", uid, year, state, b_crit, bloc_set.id, None, parent_id))
    members = db.session.execute(sa.select(BlocMember.id, BlocMember.unit_id).where(
        BlocMember.bloc_id.in_(list(bloc_ids.values())), BlocMember.to_date.is_(None))).all()
    parents = {uid: parent_id for uid, _, parent_id in communes}
    for mid, uid in members:
        plan.append((f"m{mid}", uid, 2024, "scored", m_crit, member_set.id, mid, parents[uid]))
    scores_by_key = {}
    sets = {bloc_set.id: bloc_set, member_set.id: member_set}
    for key, uid, year, state, crit, set_id, mid, parent_id in plan:
        q = quality[uid] + (year - 2023) * 0.03
        self_scores = _scores(rng, crit, min(0.99, q + 0.05))
        final_scores = _scores(rng, crit, min(0.99, q)) if state == "scored" else [None] * len(crit)
        final_total = sum(final_scores) if state == "scored" else None
        scores_by_key[(key, year)] = (crit, self_scores if state != "draft" else [None] * len(crit), final_scores)
        ev_rows.append({"unit_id": uid, "bloc_id": bloc_ids[uid], "member_id": mid, "subject_key": key,
                        "set_id": set_id, "year": year, "state": state,
                        "self_total": sum(self_scores) if state != "draft" else None, "final_total": final_total,
                        "rating": rate(final_total, sets[set_id]) if final_total is not None else None,
                        "self_comment": "", "final_comment": "",
                        "scored_by_id": leaders.get(bans.get(parent_id)) if state == "scored" else None,
                        "scored_at": datetime(year + 1, 1, 20, 2, tzinfo=UTC) if state == "scored" else None,
                        "created_at": now, "updated_at": now, "version": 1})
    db.session.execute(sa.insert(Evaluation.__table__), ev_rows)
    saved = db.session.execute(sa.select(Evaluation.id, Evaluation.subject_key, Evaluation.year, Evaluation.state)
                               .where(Evaluation.set_id.in_([bloc_set.id, member_set.id]))).all()
    score_rows, history = [], []
    for eid, key, year, state in saved:
        crit, selfs, finals = scores_by_key[(key, year)]
        for (cid, _), s, f in zip(crit, selfs, finals, strict=True):
            score_rows.append({"evaluation_id": eid, "criterion_id": cid, "self_score": s, "final_score": f})
        if state in ("submitted", "scored"):
            history.append({"object_type": "Evaluation", "object_id": eid, "transition": "submit",
                            "from_state": "draft", "to_state": "submitted", "comment": "",
                            "at": datetime(year, 12, 20, 2, tzinfo=UTC)})
        if state == "scored":
            history.append({"object_type": "Evaluation", "object_id": eid, "transition": "score",
                            "from_state": "submitted", "to_state": "scored", "comment": "",
                            "at": datetime(year + 1, 1, 20, 2, tzinfo=UTC)})
    db.session.execute(sa.insert(EvaluationScore.__table__), score_rows)
    if history:
        db.session.execute(sa.insert(WorkflowHistory.__table__), history)
    db.session.flush()
    return f"{fmt_number(len(saved))} phiếu đánh giá (khối 2023–2025, thành viên 2024)"
