"""Demo: the province's Đề án 2023–2025 with its 6 task groups, tasks, and progress reports from most
communes for the 2023–2025 periods (some missing, some lagging). Bulk inserts: a few seconds."""
from __future__ import annotations

import hashlib
import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from danvan.auth.models import User, UserRole
from danvan.core.files import Attachment
from danvan.core.units import Unit
from danvan.core.vntext import TZ, fmt_number, fold
from danvan.core.workflow import WorkflowHistory
from danvan.extensions import db
from danvan.programme import summary
from danvan.programme.models import LEVEL_KINDS, Programme, ProgressReport, Task, TaskGroup, period_end
from danvan.programme.rollup import report_percent
from danvan.units import demo as units_demo

TITLE = ("Nâng cao chất lượng, hiệu quả hoạt động của khối dân vận cơ sở trên địa bàn tỉnh, "
         "giai đoạn 2023–2025")

# (group title, weight, [(task title, indicator, unit of measure, target, weight, level)])
GROUPS = [
    ("Tăng cường sự lãnh đạo của cấp ủy đối với hoạt động của khối dân vận cơ sở", 2, [
        ("Cấp ủy chỉ đạo Khối xây dựng chương trình, kế hoạch công tác dân vận hằng năm gắn với nghị quyết "
         "của cấp ủy và nghị quyết HĐND", "Chương trình, kế hoạch được ban hành", "văn bản", 1, 2, "commune"),
        ("Đưa nội dung công tác dân vận vào sinh hoạt định kỳ của cấp ủy, chi bộ", "Số kỳ sinh hoạt có nội dung "
         "dân vận", "kỳ", 4, 1, "commune"),
        ("Ban hành văn bản hướng dẫn, chỉ đạo thực hiện Đề án ở cấp huyện", "Văn bản cụ thể hóa", "văn bản", 1, 1,
         "district"),
    ]),
    ("Nâng cao nhận thức của cán bộ, đảng viên, hội viên, đoàn viên về vai trò của công tác dân vận và khối "
     "dân vận cơ sở", 1, [
        ("Tổ chức học tập, quán triệt các chỉ thị, nghị quyết về công tác dân vận", "Số hội nghị quán triệt",
         "hội nghị", 2, 1, "commune"),
        ("Tuyên truyền về vai trò khối dân vận trên hệ thống truyền thanh cơ sở", "Số tin, bài", "tin, bài", 12, 1,
         "commune"),
    ]),
    ("Tăng cường phối hợp giữa các thành viên trong Khối; phát huy vai trò Khối trong thực hiện nhiệm vụ chính "
     "trị, phát triển kinh tế – xã hội, quốc phòng – an ninh", 1.5, [
        ("Xây dựng, thực hiện quy chế hoạt động và quy chế phối hợp của Khối", "Quy chế được ban hành, thực hiện",
         "quy chế", 1, 2, "commune"),
        ("Giao ban Khối định kỳ hằng quý", "Số cuộc giao ban", "cuộc", 4, 1, "commune"),
    ]),
    ("Củng cố tổ chức, bồi dưỡng kỹ năng, nghiệp vụ công tác dân vận cho cán bộ và thành viên Khối", 1.5, [
        ("Kiện toàn khối dân vận cơ sở đúng thành phần (07–13 thành viên)", "Khối được kiện toàn", "khối", 1, 1,
         "commune"),
        ("Mở lớp bồi dưỡng kỹ năng dân vận cho thành viên Khối", "Số lớp bồi dưỡng", "lớp", 1, 1, "district"),
        ("Biên soạn tài liệu bồi dưỡng kỹ năng, nghiệp vụ dân vận dùng chung toàn tỉnh", "Bộ tài liệu", "bộ", 1, 1,
         "province"),
    ]),
    ("Đổi mới phương pháp nắm bắt tình hình Nhân dân qua nhiều kênh: tiếp xúc cử tri, giao ban, đối thoại, tọa "
     "đàm, khảo sát tại địa bàn dân cư", 1.5, [
        ("Tổ chức đối thoại trực tiếp giữa người đứng đầu cấp ủy, chính quyền với Nhân dân", "Số cuộc đối thoại",
         "cuộc", 2, 2, "commune"),
        ("Tổng hợp, báo cáo tình hình Nhân dân định kỳ hằng tháng", "Số báo cáo", "báo cáo", 12, 1, "commune"),
    ]),
    ("Tăng cường kiểm tra, giám sát, đánh giá, sơ kết, tổng kết việc thực hiện công tác dân vận và hoạt động "
     "của khối dân vận cơ sở", 1, [
        ("Kiểm tra, giám sát hoạt động của khối dân vận các xã, thị trấn", "Số xã được kiểm tra", "xã", 3, 1,
         "district"),
        ("Đánh giá, xếp loại Khối và thành viên Khối theo tiêu chí hằng năm", "Khối được đánh giá", "khối", 1, 1,
         "commune"),
        ("Sơ kết 02 năm, tổng kết thực hiện Đề án", "Hội nghị sơ kết, tổng kết", "hội nghị", 2, 1, "province"),
    ]),
]
PERIODS = [("6thang", 2023, 2), ("nam", 2023, 1), ("6thang", 2024, 1), ("nam", 2024, 1), ("6thang", 2025, 1),
           ("nam", 2025, 1)]
NARRATIVES = {
    "chua": "Chưa triển khai trong kỳ do tập trung nhiệm vụ khác; sẽ triển khai trong kỳ tới.",
    "dang": "Đang triển khai; đã thực hiện {v} {u}, tiếp tục thực hiện trong kỳ tới.",
    "xong": "Đã hoàn thành: thực hiện {v} {u}, có biên bản, văn bản kèm theo.",
}
MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
               b"endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
               b"trailer<</Root 1 0 R>>\n%%EOF\n")


def _utc(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), TZ).astimezone(UTC)


def _first_user(role: str) -> dict[int, int]:
    """unit → a user holding `role` there (communes' and bans' demo logins)."""
    rows = db.session.execute(sa.select(User.unit_id, sa.func.min(User.id)).join(UserRole, UserRole.user_id == User.id)
                              .where(UserRole.role == role).group_by(User.unit_id))
    return dict(rows.all())


def seed(shape: str = "2023") -> str:
    root = units_demo.province(shape)
    if root is None or shape != "2023":
        return "đề án: chỉ tạo cho tỉnh mẫu 2023"
    if db.session.scalar(sa.select(Programme.id).where(Programme.unit_id == root.id, Programme.title == TITLE)):
        return "đề án: đã có, bỏ qua"
    return build(root, rng=random.Random(2023))


def build(root: Unit, *, rng: random.Random, periods=PERIODS, evidence: bool = True) -> str:
    programme = Programme(unit=root, title=TITLE, title_key=fold(TITLE), decision_number="10-ĐA/TU",
                          issued_on=date(2023, 2, 20), start_year=2023, end_year=2025, lagging_below=Decimal(50),
                          summary="Tăng cường sự lãnh đạo, chỉ đạo của cấp ủy, chính quyền đối với hoạt động của "
                                  "khối dân vận cơ sở; củng cố tổ chức, đổi mới nội dung, phương thức hoạt động; "
                                  "bồi dưỡng kỹ năng, nghiệp vụ; bảo đảm mọi hoạt động của Khối và mỗi thành viên "
                                  "được đánh giá theo tiêu chí cụ thể.")
    db.session.add(programme)
    tasks: list[Task] = []
    for gi, (title, weight, items) in enumerate(GROUPS, 1):
        group = TaskGroup(programme=programme, position=gi, title=title, weight=Decimal(str(weight)))
        db.session.add(group)
        for ti, (t_title, indicator, uom, target, t_weight, level) in enumerate(items, 1):
            task = Task(programme=programme, group=group, position=ti, title=t_title, indicator=indicator,
                        unit_of_measure=uom, target=Decimal(target), weight=Decimal(t_weight), level=level,
                        starts_on=date(2023, 3, 1), deadline=date(2025, 12, 31))
            db.session.add(task)
            tasks.append(task)
    db.session.flush()

    units = list(db.session.execute(sa.select(Unit.id, Unit.kind, Unit.parent_id).where(
        Unit.path.startswith(root.path), Unit.valid_to.is_(None))))
    by_level = {
        "province": [root.id],
        "district": [u.id for u in units if u.kind in LEVEL_KINDS["district"]],
        "commune": [u.id for u in units if u.kind in LEVEL_KINDS["commune"]],
    }
    # A commune's profile: most report steadily, some lag, some skip reporting.
    profile = {}
    for uid in by_level["commune"] + by_level["district"] + by_level["province"]:
        x = rng.random()
        profile[uid] = "missing" if x < 0.07 else "lagging" if x < 0.20 else "steady"
    officers, leaders = _first_user("officer"), _first_user("leader")
    parent = {u.id: u.parent_id for u in units}
    bans = {u.parent_id: u.id for u in db.session.execute(sa.select(Unit.id, Unit.parent_id).where(
        Unit.kind == "ban", Unit.path.startswith(root.path)))}

    rows = []
    last = len(periods) - 1
    for task in tasks:
        for uid in by_level[task.level]:
            kind = profile[uid]
            for pi, (pk, year, number) in enumerate(periods):
                if kind == "missing" and (pi >= 2 or rng.random() < 0.5):
                    continue
                if rng.random() < 0.04:
                    continue  # an occasional skipped period
                share = (pi + 1) / len(periods)
                if kind == "lagging":
                    share *= 0.45
                share = min(1.0, share * rng.uniform(0.8, 1.25))
                value = (Decimal(task.target) * Decimal(str(round(share, 2)))).quantize(Decimal("0.01"))
                status = "xong" if share >= 0.999 and kind != "lagging" else ("chua" if share < 0.1 else "dang")
                if status == "xong":
                    value = Decimal(task.target)
                state = "accepted"
                if pi == last:
                    state = rng.choices(["accepted", "submitted", "draft", "returned"], [70, 18, 8, 4])[0]
                end = period_end(pk, year, number)
                rows.append({
                    "task_id": task.id, "unit_id": uid, "period_kind": pk, "year": year, "number": number,
                    "period_end": end, "status": status, "value": value,
                    "percent": report_percent(status, value, task.target),
                    "narrative": NARRATIVES[status].format(v=f"{value:g}", u=task.unit_of_measure),
                    "state": state, "created_by_id": officers.get(uid) or officers.get(bans.get(uid)),
                    "submitted_at": None if state == "draft" else _utc(end + timedelta(days=8)),
                    "reviewed_at": _utc(end + timedelta(days=20)) if state in ("accepted", "returned") else None,
                    "created_at": _utc(end + timedelta(days=5)), "updated_at": _utc(end + timedelta(days=20)),
                    "version": 1,
                })
    if rows:
        db.session.execute(sa.insert(ProgressReport.__table__), rows)
    summary.rebuild(db.session.connection(), programme.id)  # bulk inserts bypass the flush hook
    saved = db.session.execute(sa.select(ProgressReport.id, ProgressReport.unit_id, ProgressReport.state,
                                         ProgressReport.status, ProgressReport.period_end, ProgressReport.created_by_id)
                               .where(ProgressReport.task_id.in_([t.id for t in tasks]))).all()
    history, attachments = [], []
    stored_name = "demo/minh-chung-de-an.pdf"
    if evidence:
        path = Path(current_app.config["UPLOAD_DIR"]) / stored_name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(MINIMAL_PDF)
    digest = hashlib.sha256(MINIMAL_PDF).hexdigest()
    for rid, uid, state, status, end, creator in saved:
        reviewer_unit = parent.get(uid) or uid
        reviewer = leaders.get(bans.get(reviewer_unit)) or leaders.get(reviewer_unit)
        if state != "draft":
            history.append({"object_type": "ProgressReport", "object_id": rid, "transition": "submit",
                            "from_state": "draft", "to_state": "submitted", "actor_id": creator, "comment": "",
                            "at": _utc(end + timedelta(days=8))})
        if state in ("accepted", "returned"):
            history.append({"object_type": "ProgressReport", "object_id": rid,
                            "transition": "accept" if state == "accepted" else "return",
                            "from_state": "submitted", "to_state": state, "actor_id": reviewer,
                            "comment": "" if state == "accepted" else "Đề nghị bổ sung số liệu minh chứng cụ thể.",
                            "at": _utc(end + timedelta(days=20))})
        if status == "xong" and evidence:
            attachments.append({"owner_type": "ProgressReport", "owner_id": rid, "unit_id": uid,
                                "filename": f"bien-ban-ket-qua-{end:%Y%m}.pdf", "kind": "pdf",
                                "size": len(MINIMAL_PDF), "sha256": digest, "stored_name": stored_name,
                                "uploaded_by_id": creator, "uploaded_at": _utc(end + timedelta(days=6))})
    if history:
        db.session.execute(sa.insert(WorkflowHistory.__table__), history)
    if attachments:
        db.session.execute(sa.insert(Attachment.__table__), attachments)
    db.session.flush()
    return (f"đề án: 1 Đề án, {len(GROUPS)} nhóm, {len(tasks)} nhiệm vụ, {fmt_number(len(saved))} báo cáo tiến độ "
            f"({fmt_number(len(attachments))} tệp minh chứng)")
