"""Fixed sample documents: the visual reference test, the benchmark and the print preview use them."""
from __future__ import annotations

from datetime import date


def invitation(invitee: str = "Đồng chí Trưởng Ban Dân vận Huyện ủy Chợ Mới", notes: str | None = None) -> dict:
    """The data of a one-page invitation (giấy mời) like reference/giay-moi-example.png."""
    return dict(
        superior="TỈNH ỦY BẮC KẠN", issuer="BAN DÂN VẬN", issuer_code="BDVTU", number="45-GM/BDVTU",
        place="Bắc Kạn", issued_on=date(2023, 7, 5),
        summary="dự Hội nghị trực tuyến sơ kết công tác dân vận 6 tháng đầu năm 2023",
        issuer_name="Ban Dân vận Tỉnh ủy", invitee=invitee,
        purpose=("dự Hội nghị trực tuyến sơ kết công tác dân vận, thực hiện Quy chế dân chủ ở cơ sở và "
                 "phong trào “Dân vận khéo” 6 tháng đầu năm, triển khai nhiệm vụ 6 tháng cuối năm 2023."),
        time_text="01 buổi, bắt đầu từ 08 giờ 00 phút, ngày 13/7/2023 (thứ Năm).",
        venue_text="Điểm cầu tỉnh tại Hội trường Tỉnh ủy; điểm cầu huyện tại Hội trường Huyện ủy Chợ Mới.",
        chairs_text="",
        notes=notes if notes is not None else (
            "Đề nghị đồng chí nghiên cứu tài liệu trên Cổng thông tin nội bộ và chuẩn bị ý kiến tham luận "
            "(nếu có). Đề nghị Văn phòng Huyện ủy chuẩn bị điều kiện kỹ thuật tại điểm cầu."),
        recipients=["Như trên", "Thường trực Tỉnh ủy (b/c)", "Lưu Văn phòng Ban"],
        signer_authority="K/T TRƯỞNG BAN", signer_title="PHÓ TRƯỞNG BAN", signer_name="Nguyễn Văn A",
    )


def long_notes(paragraphs: int = 14) -> str:
    """Enough body text to push an invitation onto a second page (benchmark, page-number test)."""
    line = ("Các đơn vị chuẩn bị báo cáo kết quả thực hiện Quy chế dân chủ ở cơ sở, phong trào “Dân vận khéo”, "
            "nêu rõ số liệu minh chứng, những cách làm hay, khó khăn, vướng mắc và kiến nghị, đề xuất.")
    return "\n".join(f"{i}. {line}" for i in range(1, paragraphs + 1))
