"""Issue 13 check: a conference built from scratch through the HTTP routes (as the pages post them),
its documents issued, the packet made by its job; every document type saved under bench/out/records/
as PDF (and DOCX) with page 1 as PNG (pdftoppm) to look at. Reports pages and sizes.

`python -m bench records_pages` runs it on the bench database; `python -m bench.records_pages` alone
builds a throwaway SQLite database with the demo province first.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

OUT = Path(__file__).resolve().parent / "out" / "records"


class _Client:
    """A test client logged in as a demo user, sending the CSRF token like the pages do."""

    def __init__(self, app, username: str):
        from danvan.auth.models import User
        from danvan.extensions import db

        with app.app_context():
            user = db.session.scalar(sa.select(User).where(User.username == username))
            user_id = user.get_id()
        self.client = app.test_client()
        with self.client.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"] = user_id, True
        page = self.client.get("/").get_data(as_text=True)
        self.token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    def get(self, url: str):
        return self.client.get(url)

    def post(self, url: str, data: dict | None = None, expect: tuple = (200, 303)):
        r = self.client.post(url, data={"csrf_token": self.token, **(data or {})},
                             headers={"X-CSRFToken": self.token})
        if r.status_code not in expect:
            raise RuntimeError(f"POST {url}: {r.status_code} {r.get_data(as_text=True)[:600]}")
        return r


def _ids(page: str, kinds: tuple[str, ...], picker: str) -> list[int]:
    part = page[page.index(f'id="{picker}"'):]
    part = part[:part.index("</div>")]
    return [int(i) for i, k in re.findall(r'name="unit_ids" value="(\d+)" data-kind="(\w+)"', part) if k in kinds]


def build(app, out: Path = OUT) -> dict[str, Path]:
    """Build the conference through the routes and save each document; returns {name: pdf path}."""
    from danvan.core import jobs
    from danvan.core.vntext import fmt_date, now_utc, to_local

    out.mkdir(parents=True, exist_ok=True)
    office, district = _Client(app, "canbo.bdv"), _Client(app, "canbo.babe")
    with app.app_context():
        from danvan.core import signers
        from danvan.core.units import Unit
        from danvan.extensions import db
        from danvan.units import demo as units_demo

        bdv = db.session.scalar(sa.select(Unit).where(Unit.name == units_demo.BDV_2023))
        signer = signers.default_signer(bdv)
        bdv_id = bdv.id
    today = to_local(now_utc()).date()
    started = to_local(now_utc()).time() > __import__("datetime").time(7, 30)   # conclusion needs it held
    r = office.post("/hoi-nghi/moi", {
        "kind": "so_ket", "unit_id": bdv_id, "title": "Hội nghị sơ kết công tác dân vận 6 tháng đầu năm, "
        "triển khai nhiệm vụ 6 tháng cuối năm", "day": fmt_date(today if started else today + timedelta(days=1)),
        "start": "07:30", "end": "11:30", "venue": "Hội trường Tỉnh ủy (điểm cầu chính)", "online": "y",
        "purpose": "Đánh giá kết quả công tác dân vận, thực hiện Quy chế dân chủ ở cơ sở 6 tháng đầu năm; "
        "triển khai nhiệm vụ 6 tháng cuối năm.",
        "notes": "Đề nghị các đơn vị chuẩn bị báo cáo tham luận theo chủ đề được đề nghị, gửi về Ban Dân vận "
        "Tỉnh ủy đúng hạn; bố trí điểm cầu, kiểm tra đường truyền trước 30 phút.",
        **signer, "recipients": "\n".join(signer["recipients"])}, expect=(303,))
    conf_url = r.headers["Location"]
    conf_id = int(conf_url.rstrip("/").split("/")[-1])
    for name, title in (("Hoàng Thu Trang", "Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng Ban Dân vận Tỉnh ủy"),
                        ("Phan Thị Na", "Phó Trưởng Ban Dân vận Tỉnh ủy")):
        office.post(f"/hoi-nghi/{conf_id}/chu-tri", {"name": name, "title": title})
    page = office.get(conf_url).get_data(as_text=True)
    districts = _ids(page, ("huyen_uy",), "point-units")
    office.post(f"/hoi-nghi/{conf_id}/diem-cau", {"unit_ids": districts[:4], "contact_name": "Văn phòng",
                                                  "contact_phone": "0209 3870 000"})
    office.post(f"/hoi-nghi/{conf_id}/khach-moi", {"unit_ids": _ids(page, ("huyen_uy", "dang_uy_truc_thuoc"),
                                                                     "invitee-units"),
                                                   "addressee": "Đồng chí Trưởng Ban Dân vận"})
    for start, content, presenter in (
            ("07:30", "Khai mạc, giới thiệu đại biểu", "Lãnh đạo Văn phòng Ban Dân vận Tỉnh ủy"),
            ("07:40", "Báo cáo sơ kết công tác dân vận 6 tháng đầu năm; phương hướng 6 tháng cuối năm",
             "Đồng chí Phan Thị Na, Phó Trưởng Ban Dân vận Tỉnh ủy"),
            ("10:45", "Kết luận hội nghị", "Đồng chí Hoàng Thu Trang, Trưởng Ban Dân vận Tỉnh ủy"),
            ("11:25", "Bế mạc hội nghị", "")):
        office.post(f"/hoi-nghi/{conf_id}/chuong-trinh", {"start_time": start, "content": content,
                                                          "presenter": presenter})
    deadline = fmt_date(today if started else today + timedelta(days=1))
    office.post(f"/hoi-nghi/{conf_id}/tham-luan", {"unit_ids": districts[:1], "topic": "Kết quả phong trào "
                                                   "“Dân vận khéo” 6 tháng đầu năm trên địa bàn huyện",
                                                   "deadline": deadline})
    draft_ctr = office.get(f"/hoi-nghi/{conf_id}/in/chuong-trinh.pdf")
    (out / "chuong-trinh-du-thao.pdf").write_bytes(draft_ctr.data)
    with app.app_context():
        from danvan.conferences.models import Conference

        conf = db.session.get(Conference, conf_id)
        paper_id = conf.contributions[0].id
    district.client.post(f"/hoi-nghi/tham-luan/{paper_id}", data={
        "csrf_token": district.token, "title": "“Dân vận khéo” trong xây dựng nông thôn mới ở Ba Bể",
        "presenter": "Đồng chí Trưởng Ban Dân vận Huyện ủy Ba Bể",
        "file": (__import__("io").BytesIO(draft_ctr.data), "tham-luan-ba-be.pdf")},
        headers={"X-CSRFToken": district.token})
    office.post(f"/hoi-nghi/tham-luan/{paper_id}/xet", {"decision": "accept", "reason": ""})
    office.post(f"/hoi-nghi/tham-luan/{paper_id}/dua-vao-chuong-trinh")
    office.client.post(f"/hoi-nghi/{conf_id}/bao-cao", data={
        "csrf_token": office.token, "file": (__import__("io").BytesIO(draft_ctr.data), "bao-cao-so-ket.pdf")},
        headers={"X-CSRFToken": office.token})
    for key in ("giay-moi", "chuong-trinh"):
        office.post(f"/hoi-nghi/{conf_id}/ban-hanh/{key}", expect=(303,))
    if started:
        office.post(f"/hoi-nghi/{conf_id}/ket-luan", {"conclusion": "Hội nghị thống nhất đánh giá: 6 tháng đầu "
                    "năm, công tác dân vận được triển khai đồng bộ; 100% đơn vị đăng ký mô hình “Dân vận khéo”.\n"
                    "Đề nghị các đơn vị tiếp tục nhân rộng mô hình, báo cáo kết quả trước ngày 15/12."}, expect=(303,))
        office.post(f"/hoi-nghi/{conf_id}/ban-hanh/ket-luan", expect=(303,))
    saved: dict[str, Path] = {}

    def save(name: str, data: bytes, kind: str = "pdf") -> None:
        path = out / f"{name}.{kind}"
        path.write_bytes(data)
        if kind == "pdf":
            saved[name] = path
    with app.app_context():
        conf = db.session.get(Conference, conf_id)
        first_invitee = conf.invitees[0].id
    save("giay-moi-mot-don-vi", office.get(f"/hoi-nghi/khach-moi/{first_invitee}/giay-moi.pdf").data)
    for key in ("giay-moi", "chuong-trinh", "diem-cau", "tham-luan") + (("ket-luan",) if started else ()):
        save(key, office.get(f"/hoi-nghi/{conf_id}/in/{key}.pdf").data)
        save(key, office.get(f"/hoi-nghi/{conf_id}/word/{key}.docx").data, "docx")
    r = office.post(f"/hoi-nghi/{conf_id}/bo-tai-lieu.pdf", expect=(303,))
    job_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
    with app.app_context():
        jobs.execute(job_id)
    save("bo-tai-lieu", office.get(f"/cong-viec/{job_id}/tai-ve").data)
    with app.app_context():
        from danvan.inspections.models import Inspection

        visit = db.session.scalar(sa.select(Inspection.id).where(Inspection.state == "concluded").limit(1))
    if visit is not None:
        save("thong-bao-ket-luan-kiem-tra", office.get(f"/kiem-tra/{visit}/thong-bao-ket-luan.pdf").data)
    for name, path in saved.items():
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(path),
                        str(out / name)], check=True, timeout=60)
    return saved


def _pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def run(ctx) -> None:
    saved = build(ctx.app)
    for name, path in saved.items():
        ctx.report(f"records: {name}.pdf", _pages(path), f"trang, {path.stat().st_size // 1024} KB; "
                                                         f"trang 1 → out/records/{name}.png")


if __name__ == "__main__":
    import tempfile

    from danvan import create_app
    from danvan.extensions import db

    tmp = Path(tempfile.mkdtemp(prefix="danvan-records-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'demo.db'}", "UPLOAD_DIR": str(tmp / "files"),
                      "HUEY_SQLITE_PATH": str(tmp / "huey.db"), "SECRET_KEY": "records-pages", "REDIS_URL": ""})
    with app.app_context():
        from flask_migrate import upgrade

        from danvan import feature_modules

        upgrade(revision="heads")
        for module in feature_modules("demo"):
            module.seed("2023")
        db.session.commit()
    for name, path in build(app).items():
        print(f"{name}: {_pages(path)} trang → {path.with_suffix('.png')}")
    shutil.rmtree(tmp, ignore_errors=True)
