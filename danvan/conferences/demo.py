"""Demo conferences of the 2023 province, built through the service so they obey its rules.

- A past "Hội nghị trực tuyến sơ kết 6 tháng đầu năm … công tác dân vận" of the Ban Dân vận
  Tỉnh ủy: điểm cầu at the province and the 8 huyện ủy/thành ủy, the 11 reporting units
  invited (10 confirmed, 1 absent), an agenda with three accepted tham luận placed in it, one
  tham luận returned with its reason, chairs, a recorded conclusion and numbered documents.
- An upcoming "Hội nghị tổng kết phong trào thi đua “Dân vận khéo” năm …" in preparation:
  invitations partly confirmed, tham luận requested (some sent and waiting for review), a
  draft agenda, no document issued yet — the dashboards of the units involved show the work.

The service refuses a tham luận deadline in the past, so the past conference is prepared as if
it were ahead, then moved to its real date; only timestamps (deadlines, sending and
confirmation times, issue dates) are set back afterwards, as they would have been recorded.
"""
from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from danvan import printing
from danvan.auth.models import User, UserRole
from danvan.core import audit
from danvan.core.signers import issuer_parts
from danvan.core.units import REPORTING_KINDS, Unit
from danvan.core.vntext import TZ, fold, today_local
from danvan.extensions import db
from danvan.units import demo as units_demo

from . import agenda, contributions, issued, participants, service
from .models import Conference, ConferenceContribution

CHAIRS = [("Hoàng Thu Trang", "Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng Ban Dân vận Tỉnh ủy"),
          ("Phan Thị Na", "Phó Trưởng Ban Dân vận Tỉnh ủy")]
SIGNER = {"signer_authority": "K/T TRƯỞNG BAN", "signer_title": "PHÓ TRƯỞNG BAN", "signer_name": "Phan Thị Na"}


def past_title(year: int) -> str:
    return f"Hội nghị trực tuyến sơ kết 6 tháng đầu năm {year} công tác dân vận"


def upcoming_title(year: int) -> str:
    return f"Hội nghị tổng kết phong trào thi đua “Dân vận khéo” năm {year}"


def _years(today: date) -> tuple[int, date, int, date]:
    """(year and day of the past sơ kết, year and day of the coming tổng kết)."""
    past_year = today.year if today > date(today.year, 7, 20) else today.year - 1
    past_day = date(past_year, 7, 15)
    coming_day = today + timedelta(days=21)
    coming_year = coming_day.year if coming_day.month >= 7 else coming_day.year - 1
    return past_year, past_day, coming_year, coming_day


def _user(unit: Unit, role: str) -> User | None:
    return db.session.scalar(sa.select(User).join(UserRole).where(User.unit_id == unit.id, UserRole.role == role)
                             .order_by(User.id))


def _staff(unit: Unit, role: str = "officer") -> User | None:
    """Who acts for a committee: its Ban Dân vận's staff if it has one, else its own."""
    ban = db.session.scalar(sa.select(Unit).where(Unit.parent_id == unit.id, Unit.kind == "ban")
                            .order_by(Unit.id))
    return (_user(ban, role) if ban is not None else None) or _user(unit, role)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ).astimezone(UTC)


def _data(kind: str, title: str, day: date, start: time, end: time, **extra) -> dict:
    return {"kind": kind, "title": title, "day": day, "start": start, "end_day": None, "end": end,
            "online": True, "recipients": "Như thành phần mời\nThường trực Tỉnh ủy (để b/c)\nLưu Văn phòng Ban",
            **SIGNER, **extra}


def _paper(unit: Unit, title: str, paragraphs: list[str], signer: str) -> FileStorage:
    """A tham luận as a small Party-format PDF, as a unit would send it."""
    superior, issuer = issuer_parts(unit)
    doc = {"superior": superior, "issuer": issuer, "issuer_code": unit.code, "type_code": "", "number": None,
           "issued_on": None, "place": "Bắc Kạn", "kind": "THAM LUẬN", "summary": title, "subtitle": "",
           "paragraphs": [{"text": p} for p in paragraphs], "table": None, "after": [],
           "recipients": ["Ban Dân vận Tỉnh ủy", "Lưu Văn phòng"], "signer_authority": "",
           "signer_title": "NGƯỜI TRÌNH BÀY", "signer_name": signer}
    data = printing.render_pdf("print/party_document.html", doc=doc)
    return FileStorage(io.BytesIO(data), filename=f"tham-luan-{fold(unit.name).replace(' ', '-')}.pdf",
                       content_type="application/pdf")


def _invite_paper(conf: Conference, unit: Unit, topic: str, deadline: date, actor) -> ConferenceContribution:
    return contributions.invite_contributions(conf, [unit.id], topic=topic, deadline=deadline, actor=actor)[0]


def _send(c: ConferenceContribution, title: str, presenter: str, paragraphs: list[str]) -> None:
    filer = _staff(c.unit) or _staff(c.unit, "leader")
    with audit.acting_as(filer):
        signer = presenter.split(",")[0].removeprefix("Đồng chí ")
        contributions.submit_contribution(c, title=title, presenter=presenter,
                                    upload=_paper(c.unit, title, paragraphs, signer), actor=filer)


def _confirm(inv, delegates: int, *, status: str = "confirmed", note: str = "") -> None:
    actor = _staff(inv.unit) or _staff(inv.unit, "leader")
    with audit.acting_as(actor):
        participants.confirm(inv, status, delegates if status == "confirmed" else None, note, actor=actor)


PAPERS = {
    "Huyện ủy Ba Bể": (
        "Kinh nghiệm xây dựng nông thôn mới gắn với du lịch cộng đồng",
        "“Dân vận khéo” trong xây dựng nông thôn mới gắn với du lịch cộng đồng tại xã Nam Mẫu",
        "Đồng chí Ma Văn Cường, Trưởng Ban Dân vận Huyện ủy Ba Bể",
        ["Năm 2026, toàn huyện đăng ký 186 mô hình “Dân vận khéo”, trong đó 41 mô hình trong lĩnh vực kinh tế "
         "gắn với du lịch cộng đồng quanh hồ Ba Bể.",
         "Tại xã Nam Mẫu, cấp ủy giao từng thành viên khối dân vận phụ trách thôn; Nhân dân hiến 3.200 m² đất, "
         "góp 1.450 ngày công làm đường vào các bản du lịch."]),
    "Thành ủy Bắc Kạn": (
        "Kinh nghiệm đối thoại giữa người đứng đầu cấp ủy với Nhân dân",
        "Đối thoại trực tiếp giữa người đứng đầu cấp ủy, chính quyền với Nhân dân ở phường Xuất Hóa",
        "Đồng chí Nông Văn Hải, Trưởng Ban Dân vận Thành ủy Bắc Kạn",
        ["6 tháng đầu năm, các phường, xã tổ chức 14 buổi đối thoại, tiếp nhận 97 ý kiến, đã giải quyết 88 ý kiến.",
         "Phường Xuất Hóa duy trì 07 mô hình “Dân vận khéo” do các tổ chức chính trị – xã hội đăng ký."]),
    "Huyện ủy Chợ Mới": (
        "Vai trò người có uy tín trong vận động Nhân dân",
        "Phát huy vai trò người có uy tín trong vận động Nhân dân hiến đất làm đường giao thông nông thôn",
        "Đại diện lãnh đạo Ban Dân vận Huyện ủy Chợ Mới",
        ["Huyện phát huy vai trò 126 người có uy tín trong đồng bào dân tộc thiểu số.",
         "Nhân dân hiến trên 12.000 m² đất, mở mới và nâng cấp 18 km đường giao thông nông thôn."]),
    "Huyện ủy Na Rì": (
        "Công tác dân vận chính quyền ở cơ sở",
        "Nâng cao chất lượng công tác dân vận chính quyền ở cơ sở",
        "Đại diện lãnh đạo Ban Dân vận Huyện ủy Na Rì",
        ["Các xã tiếp tục thực hiện tốt công tác dân vận chính quyền, cải cách hành chính."]),
}
RETURN_REASON = ("Tham luận chủ yếu liệt kê kết quả, chưa có số liệu minh chứng và cách làm cụ thể; "
                 "đề nghị bổ sung để dùng tại hội nghị tổng kết cuối năm.")
CONCLUSION = "\n".join([
    "Hội nghị đánh giá cao kết quả công tác dân vận 6 tháng đầu năm: 10/11 huyện ủy, thành ủy, đảng ủy "
    "trực thuộc đã ban hành kế hoạch thực hiện phong trào “Dân vận khéo” của cấp mình; các mô hình gắn "
    "với nhiệm vụ phát triển kinh tế – xã hội của địa phương.",
    "Hạn chế: một số đơn vị gửi báo cáo, đăng ký mô hình chậm so với quy định; báo cáo của một số nơi còn "
    "thiếu số liệu minh chứng; công tác kiểm tra, nắm tình hình chưa thường xuyên.",
    "Nhiệm vụ 6 tháng cuối năm: các huyện ủy, thành ủy, đảng ủy trực thuộc chỉ đạo hoàn thành đăng ký, rà "
    "soát mô hình “Dân vận khéo” trước ngày 30/9; báo cáo phải có số liệu minh chứng cụ thể.",
    "Giao Ban Dân vận Tỉnh ủy hướng dẫn, kiểm tra việc thực hiện Quy chế dân chủ ở cơ sở tại một số xã, "
    "phường; tham mưu tổ chức Hội nghị tổng kết phong trào thi đua “Dân vận khéo” vào tháng 12.",
])


def _seed_past(bdv: Unit, province: Unit, districts: list[Unit], reporting: list[Unit], officer: User,
               year: int, day: date) -> Conference:
    today = today_local()
    by_name = {u.name: u for u in reporting}
    # Prepared ahead of the day (the service accepts no tham luận deadline in the past) …
    ahead = today + timedelta(days=30)
    conf = service.create(bdv, _data(
        "so_ket", past_title(year), ahead, time(8, 0), time(11, 30),
        venue="Hội trường Tỉnh ủy Bắc Kạn (điểm cầu chính)",
        purpose=f"Đánh giá kết quả công tác dân vận, thực hiện Quy chế dân chủ ở cơ sở 6 tháng đầu năm {year}; "
                f"triển khai nhiệm vụ 6 tháng cuối năm {year}.",
        notes="Đề nghị các điểm cầu hoàn thành kết nối, chạy thử đường truyền trước 07 giờ 30 phút."),
        actor=officer)
    for name, title in CHAIRS:
        service.add_chair(conf, name, title, actor=officer)
    participants.add_points(conf, [province.id], venue="Hội trường Tỉnh ủy Bắc Kạn", contact_name=officer.full_name,
                       contact_phone="0209 3870 215", actor=officer)
    for i, district in enumerate(districts):
        contact = _staff(district)
        participants.add_points(conf, [district.id], contact_name=contact.full_name if contact else "",
                           contact_phone=f"0209 38{i + 1}0 {100 + 7 * i}", actor=officer)
    participants.add_invitees(conf, [u.id for u in districts], addressee="Thường trực, Ban Dân vận", actor=officer)
    participants.add_invitees(conf, [u.id for u in reporting if u.kind != "huyen_uy"], actor=officer)
    for i, inv in enumerate(conf.invitees):
        if inv.unit.name == "Đảng ủy Quân sự tỉnh":
            _confirm(inv, 0, status="declined", note="Trùng lịch diễn tập khu vực phòng thủ; xin vắng.")
        else:
            _confirm(inv, 12 + (i * 5) % 14 if inv.unit.kind == "huyen_uy" else 3)
    deadline = ahead - timedelta(days=5)
    papers = {}
    for name, (topic, title, presenter, paragraphs) in PAPERS.items():
        if name in by_name:
            papers[name] = _invite_paper(conf, by_name[name], topic, deadline, officer)
            _send(papers[name], title, presenter, paragraphs)
    for name, c in papers.items():
        if name == "Huyện ủy Na Rì":
            contributions.review_contribution(c, "return", RETURN_REASON, actor=officer)
        else:
            contributions.review_contribution(c, "accept", "", actor=officer)
    programme = [
        (time(7, 30), "Đón tiếp đại biểu; kiểm tra kết nối các điểm cầu", "Văn phòng Ban Dân vận Tỉnh ủy", ""),
        (time(8, 0), "Tuyên bố lý do, giới thiệu đại biểu", "Lãnh đạo Văn phòng Ban Dân vận Tỉnh ủy", ""),
        (time(8, 10), "Phát biểu khai mạc hội nghị", f"Đồng chí {CHAIRS[0][0]}, {CHAIRS[0][1]}", ""),
        (time(8, 20), f"Báo cáo sơ kết công tác dân vận, thực hiện Quy chế dân chủ ở cơ sở 6 tháng đầu năm {year}; "
                      "phương hướng, nhiệm vụ 6 tháng cuối năm", f"Đồng chí {CHAIRS[1][0]}, {CHAIRS[1][1]}",
         "Báo cáo sơ kết 6 tháng"),
    ]
    for start, content, presenter, document in programme:
        agenda.add_item(conf, start_time=start, content=content, presenter=presenter, document=document)
    for c, start in zip([c for c in papers.values() if c.state == "accepted"],
                                (time(9, 0), time(9, 15), time(9, 30))):
        contributions.schedule_contribution(c, start)
    for start, content, presenter in (
            (time(9, 45), "Thảo luận tại các điểm cầu", "Đại biểu các điểm cầu"),
            (time(10, 45), "Phát biểu kết luận hội nghị", f"Đồng chí {CHAIRS[0][0]}, {CHAIRS[0][1]}"),
            (time(11, 25), "Bế mạc hội nghị", "Lãnh đạo Văn phòng Ban Dân vận Tỉnh ủy")):
        agenda.add_item(conf, start_time=start, content=content, presenter=presenter)
    # … then held on its real day: the dates recorded along the way are set back accordingly.
    service.update(conf, {**_data("so_ket", conf.title, day, time(8, 0), time(11, 30)),
                          **{f: getattr(conf, f) for f in ("venue", "purpose", "notes", "recipients")},
                          "version": conf.version}, actor=officer)
    for c in papers.values():
        c.deadline = day - timedelta(days=5)
        c.submitted_at = _at(day - timedelta(days=6), 16, 20)
    for inv in conf.invitees:
        inv.confirmed_at = _at(day - timedelta(days=3), 10, 0)
    service.conclude(conf, CONCLUSION, actor=officer)
    conf.concluded_at = _at(day, 16, 0)
    for key, issued_on in (("giay-moi", day - timedelta(days=10)), ("chuong-trinh", day - timedelta(days=3)),
                           ("ket-luan", day + timedelta(days=5))):
        issued.issue(conf, key, actor=officer, on=issued_on)   # frozen like an issue through the UI
    db.session.flush()
    return conf


COMING_PAPERS = [
    # unit name, topic, (title, presenter, paragraphs) when already sent, accept?
    ("Thành ủy Bắc Kạn", "Mô hình “Dân vận khéo” trong xây dựng đô thị văn minh",
     ("“Dân vận khéo” trong chỉnh trang đô thị, xây dựng tổ dân phố văn minh",
      "Đồng chí Nông Văn Hải, Trưởng Ban Dân vận Thành ủy Bắc Kạn",
      ["Năm 2026, thành phố có 279 mô hình đăng ký, 202 mô hình được công nhận.",
       "Nhân dân các tổ dân phố góp 2,1 tỷ đồng chỉnh trang ngõ, xóm."]), True),
    ("Phường Xuất Hóa", "Kinh nghiệm duy trì mô hình “Dân vận khéo” của các đoàn thể",
     ("Duy trì 07 mô hình “Dân vận khéo” của các tổ chức chính trị – xã hội phường Xuất Hóa",
      "Đồng chí Lý Văn Minh, Bí thư Đảng ủy phường Xuất Hóa",
      ["Mỗi mô hình có số liệu minh chứng theo quý, được Ban Thanh tra nhân dân giám sát."]), False),
    ("Xã Nam Mẫu", "Dân vận khéo trong phát triển du lịch cộng đồng",
     ("Người dân Nam Mẫu làm du lịch cộng đồng, giữ gìn bản sắc văn hóa dân tộc",
      "Đại diện Đảng ủy xã Nam Mẫu",
      ["32 hộ làm dịch vụ homestay; thu nhập bình quân tăng 18% so với năm trước."]), False),
    ("Huyện ủy Ba Bể", "Kết quả phong trào “Dân vận khéo” năm 2026 trên địa bàn huyện", None, False),
    ("Huyện ủy Bạch Thông", "Dân vận khéo trong chuyển đổi cơ cấu cây trồng, cải tạo vườn tạp", None, False),
]


def _seed_coming(bdv: Unit, province: Unit, districts: list[Unit], reporting: list[Unit], officer: User,
                 year: int, day: date) -> Conference:
    units = {u.name: u for u in db.session.scalars(sa.select(Unit).where(Unit.path.startswith(province.path)))}
    conf = service.create(bdv, _data(
        "tong_ket", upcoming_title(year), day, time(8, 0), time(11, 30),
        venue="Hội trường Tỉnh ủy Bắc Kạn (điểm cầu chính)",
        purpose=f"Tổng kết phong trào thi đua “Dân vận khéo” năm {year}; biểu dương, khen thưởng tập thể, cá nhân "
                "có mô hình “Dân vận khéo” tiêu biểu; triển khai nhiệm vụ năm tới.",
        notes="Đề nghị các đơn vị xác nhận số đại biểu tham dự trước 05 ngày."), actor=officer)
    for name, title in CHAIRS:
        service.add_chair(conf, name, title, actor=officer)
    participants.add_points(conf, [province.id], venue="Hội trường Tỉnh ủy Bắc Kạn", contact_name=officer.full_name,
                       contact_phone="0209 3870 215", actor=officer)
    participants.add_points(conf, [u.id for u in districts], actor=officer)
    participants.add_invitees(conf, [u.id for u in districts], addressee="Thường trực, Ban Dân vận", actor=officer)
    participants.add_invitees(conf, [u.id for u in reporting if u.kind != "huyen_uy"], actor=officer)
    exemplary = [units[n] for n in ("Phường Xuất Hóa", "Xã Nam Mẫu", "Thị trấn Chợ Rã") if n in units]
    participants.add_invitees(conf, [u.id for u in exemplary], addressee="Đại diện Đảng ủy, khối dân vận",
                         actor=officer)
    for inv in conf.invitees:
        if inv.unit.name in ("Thành ủy Bắc Kạn", "Huyện ủy Chợ Mới", "Huyện ủy Na Rì", "Đảng ủy Khối Các cơ quan tỉnh"):
            _confirm(inv, 15 if inv.unit.kind == "huyen_uy" else 4)
    deadline = day - timedelta(days=7)
    scheduled = []
    for name, topic, sent, accept in COMING_PAPERS:
        if name not in units:
            continue
        c = _invite_paper(conf, units[name], topic, deadline, officer)
        if sent:
            _send(c, *sent)
            if accept:
                contributions.review_contribution(c, "accept", "", actor=officer)
                scheduled.append(contributions.schedule_contribution(c, time(9, 0)))
    for start, content, presenter, document in (
            (time(8, 0), "Tuyên bố lý do, giới thiệu đại biểu", "Lãnh đạo Văn phòng Ban Dân vận Tỉnh ủy", ""),
            (time(8, 10), f"Báo cáo tổng kết phong trào thi đua “Dân vận khéo” năm {year}",
             f"Đồng chí {CHAIRS[1][0]}, {CHAIRS[1][1]}", "Báo cáo tổng kết (dự thảo)")):
        agenda.add_item(conf, start_time=start, content=content, presenter=presenter, document=document)
    # the accepted tham luận was placed first: it goes after the report
    for item in scheduled:
        for _ in range(2):
            agenda.move_item(item, "down")
    return conf


def seed(shape: str = "2023") -> str:
    province = units_demo.province(shape)
    if province is None or shape != "2023":
        return "hội nghị: chỉ tạo cho tỉnh mẫu 2023"
    bdv = db.session.scalar(sa.select(Unit).where(Unit.name == units_demo.BDV_2023, Unit.parent_id == province.id))
    officer = _user(bdv, "officer") if bdv is not None else None
    if officer is None:
        return "hội nghị: chưa có tài khoản mẫu, bỏ qua"
    past_year, past_day, coming_year, coming_day = _years(today_local())
    titles = (past_title(past_year), upcoming_title(coming_year))
    if db.session.scalar(sa.select(sa.func.count(Conference.id)).where(Conference.unit_id == bdv.id,
                                                                       Conference.title.in_(titles))):
        return "hội nghị: đã có, bỏ qua"
    reporting = list(db.session.scalars(sa.select(Unit).where(
        Unit.parent_id == province.id, Unit.kind.in_(REPORTING_KINDS), Unit.valid_to.is_(None)).order_by(Unit.id)))
    districts = [u for u in reporting if u.kind == "huyen_uy"]
    with audit.acting_as(officer):
        past = _seed_past(bdv, province, districts, reporting, officer, past_year, past_day)
    with audit.acting_as(officer):
        coming = _seed_coming(bdv, province, districts, reporting, officer, coming_year, coming_day)
    db.session.flush()
    accepted = sum(c.state == "accepted" for c in past.contributions)
    return (f"hội nghị: 2 hội nghị; «{past.title}» ({len(past.points)} điểm cầu, {accepted} tham luận, "
            f"đã kết luận), «{coming.title}» đang chuẩn bị")
