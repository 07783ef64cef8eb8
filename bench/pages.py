"""Page 1 of every printed document type, as PNG under bench/out/ (pdftoppm, 60 dpi), from a
conference built through the HTTP routes the UI uses (demo province, demo officer and leader).

`python -m bench pages` inside the benchmark run, or alone on SQLite: `python -m bench.pages`.
Look at the PNGs with an image viewer; nothing here compares pictures automatically.
"""
from __future__ import annotations

import io
import re
import subprocess
from datetime import timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def _client(app, username: str):
    import sqlalchemy as sa

    from danvan.auth.models import User
    from danvan.extensions import db

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        user_id = user.get_id()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"], sess["_fresh"] = user_id, True
    html = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)

    def post(url, data=None, **kw):
        r = client.post(url, data={"csrf_token": token, **(data or {})},
                        headers={"HX-Request": "true", "X-CSRFToken": token}, **kw)
        assert r.status_code < 400, (url, r.status_code, r.get_data(as_text=True)[:500])
        return r
    client.post_form = post
    return client


def build(app) -> dict[str, bytes]:
    """A conference from scratch through the routes; returns the PDFs by document name."""
    import sqlalchemy as sa

    from danvan.conferences.models import Conference, ConferenceContribution
    from danvan.core.units import Unit
    from danvan.extensions import db

    officer = _client(app, "canbo.bdv")
    with app.app_context():
        bdv = db.session.scalar(sa.select(Unit).where(Unit.code == "BDVTU"))
        districts = list(db.session.scalars(sa.select(Unit).where(Unit.kind == "huyen_uy").order_by(Unit.id).limit(3)))
        bdv_id, district_ids = bdv.id, [u.id for u in districts]
    officer.post_form("/hoi-nghi/moi", {
        "kind": "so_ket", "title": "Hội nghị trực tuyến sơ kết công tác dân vận 6 tháng đầu năm 2026",
        "day": "15/12/2026", "start": "08:00", "end": "11:30", "online": "y", "unit_id": bdv_id,
        "venue": "Hội trường Tỉnh ủy", "purpose": "Đánh giá kết quả, triển khai nhiệm vụ 6 tháng cuối năm.",
        "notes": "Đề nghị các đơn vị chuẩn bị điều kiện kỹ thuật tại điểm cầu trước 07 giờ 30 phút.",
        "signer_authority": "K/T TRƯỞNG BAN", "signer_title": "PHÓ TRƯỞNG BAN", "signer_name": "Nguyễn Văn A",
        "recipients": "Như trên\nThường trực Tỉnh ủy (b/c)\nLưu Văn phòng Ban"})
    with app.app_context():
        conf_id = db.session.scalar(sa.select(Conference.id).order_by(Conference.id.desc()))
    base = f"/hoi-nghi/{conf_id}"
    officer.post_form(f"{base}/chu-tri", {"name": "Hoàng Thu Trang", "title": "Trưởng Ban Dân vận Tỉnh ủy"})
    officer.post_form(f"{base}/diem-cau", {"unit_ids": district_ids})
    officer.post_form(f"{base}/khach-moi", {"unit_ids": district_ids, "addressee": "Đồng chí Trưởng Ban Dân vận"})
    for t, text, who in (("08:00", "Khai mạc hội nghị", "Lãnh đạo Ban"),
                         ("08:15", "Báo cáo sơ kết công tác dân vận 6 tháng đầu năm, đạt 78,2 % chỉ tiêu",
                          "Phó Trưởng Ban"), ("11:00", "Kết luận hội nghị", "Đồng chí chủ trì")):
        officer.post_form(f"{base}/chuong-trinh", {"start_time": t, "content": text, "presenter": who})
    officer.post_form(f"{base}/tham-luan", {"unit_ids": district_ids[:1], "topic": "Kinh nghiệm Dân vận khéo",
                                            "deadline": "10/12/2026"})
    docs = {"du-thao-chuong-trinh": officer.get(f"{base}/in/chuong-trinh.pdf").data}
    for key in ("giay-moi", "chuong-trinh"):      # issued before the conference, as in an office
        officer.post_form(f"{base}/ban-hanh/{key}")
    with app.app_context():
        c = db.session.scalar(sa.select(ConferenceContribution).where(ConferenceContribution.conference_id == conf_id))
        c.state, c.title, c.presenter = "accepted", "Kinh nghiệm xây dựng mô hình Dân vận khéo", "Lý Văn Minh"
        # held since: the conclusion is written after the conference (the route refuses it before)
        conf = db.session.get(Conference, conf_id)
        conf.starts_at, conf.ends_at = (conf.starts_at - timedelta(days=14), conf.ends_at - timedelta(days=14))
        db.session.commit()
    officer.post_form(f"{base}/ket-luan", {"conclusion": "Hội nghị thống nhất đánh giá các đơn vị hoàn thành "
                                                         "78,2 % chỉ tiêu.\nĐề nghị các đơn vị tiếp tục triển khai."})
    officer.post_form(f"{base}/ban-hanh/ket-luan")
    for key in ("giay-moi", "chuong-trinh", "diem-cau", "tham-luan", "ket-luan"):
        docs[key] = officer.get(f"{base}/in/{key}.pdf").data
    docs["bo-tai-lieu"] = _packet(app, officer, f"{base}/bo-tai-lieu.pdf")
    return docs


def _packet(app, client, url: str) -> bytes:
    """The packet is a background job: start it as the button does, run it here, download it."""
    from danvan.core import jobs

    started = client.post_form(url)
    job_url = started.headers.get("HX-Redirect") or started.headers["Location"]
    with app.app_context():
        state = jobs.execute(int(job_url.rstrip("/").rsplit("/", 1)[1]))
    assert state == "done", (job_url, state)
    response = client.get(job_url + "/tai-ve")
    assert response.mimetype == "application/pdf", (job_url, response.status_code)
    return response.data


def write(docs: dict[str, bytes]) -> list[Path]:
    OUT.mkdir(exist_ok=True)
    out = []
    for name, data in docs.items():
        pdf = OUT / f"{name}.pdf"
        pdf.write_bytes(data)
        subprocess.run(["pdftoppm", "-r", "60", "-f", "1", "-l", "1", "-singlefile", "-png", str(pdf),
                        str(OUT / name)], check=True)
        out.append(OUT / f"{name}.png")
    return out


def run(ctx) -> None:
    from pypdf import PdfReader

    for path in write(build(ctx.app)):
        pages = len(PdfReader(io.BytesIO(path.with_suffix(".pdf").read_bytes())).pages)
        ctx.report(f"{path.name} ({pages} trang)", 1)


if __name__ == "__main__":
    import os
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="danvan-pages-"))
    os.environ.setdefault("DANVAN_INSTANCE", str(tmp))
    os.environ.setdefault("SECRET_KEY", os.urandom(32).hex())   # a throwaway database is not the embedded one
    from flask_migrate import upgrade

    from danvan import create_app, feature_modules
    from danvan.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'pages.db'}", "UPLOAD_DIR": str(tmp / "up")})
    with app.app_context():
        upgrade(revision="heads")
        for module in feature_modules("demo"):
            if module.__name__.split(".")[1] in ("units", "auth"):
                module.seed("2023")
        db.session.commit()
    for p in write(build(app)):
        print(p)
