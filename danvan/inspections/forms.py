"""Forms for inspections. The services check every rule again; forms give the first message."""
from __future__ import annotations

from wtforms import FileField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from danvan.core.forms import Form, SignerFields, VersionedForm, VNDateField, max_len, text_area

from .models import CATEGORIES, LINKS, VERDICTS

NUL_MESSAGE = "Nội dung chứa ký tự điều khiển không hợp lệ (NUL); vui lòng nhập lại."
BIG_MESSAGE = "Giá trị không hợp lệ (số quá lớn)."
MAX_ID = 2**31 - 1


class _Guarded:
    """What the database cannot store must be refused with a message, not fail: a NUL character
    (PostgreSQL refuses it) or an integer beyond the 32-bit columns (a forged id or year)."""

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for f in self:
            values = f.data if isinstance(f.data, list) else [f.data]
            message = None
            if any(isinstance(v, str) and "\x00" in v for v in values):
                message = NUL_MESSAGE
            elif any(isinstance(v, int) and not isinstance(v, bool) and abs(v) > MAX_ID for v in values):
                message = BIG_MESSAGE
            if message:
                f.errors = [*f.errors, message] if isinstance(f.errors, list) else [message]
                ok = False
        return ok


class PlanForm(_Guarded, Form):
    title = StringField("Tên kế hoạch", validators=[DataRequired("Nhập tên kế hoạch kiểm tra."), max_len(300)])
    year = IntegerField("Năm", validators=[DataRequired("Nhập năm (4 chữ số)."),
                                           NumberRange(2000, 2100, "Năm phải trong khoảng 2000–2100.")])
    purpose = text_area("Mục đích, yêu cầu", 20000)


class InspectionForm(_Guarded, Form):
    unit_id = SelectField("Đơn vị được kiểm tra", coerce=int, choices=[], validate_choice=False,
                          validators=[DataRequired("Chọn đơn vị được kiểm tra.")])
    scheduled_on = VNDateField("Ngày kiểm tra", validators=[InputRequired("Nhập ngày kiểm tra (dd/mm/yyyy).")])
    report_due = VNDateField("Hạn gửi báo cáo (mặc định 3 ngày trước)", validators=[Optional()])
    content = TextAreaField("Nội dung kiểm tra", validators=[DataRequired("Nhập nội dung kiểm tra."),
                                                             max_len(10000)])
    member_ids = SelectMultipleField("Thành viên đoàn (người đầu tiên là trưởng đoàn)", coerce=int, choices=[],
                                     validate_choice=False)
    guests = text_area("Khách mời (mỗi dòng một người)", 2000)
    template_id = SelectField("Bộ tiêu chí", coerce=int, choices=[], validate_choice=False, validators=[Optional()])

    def data_dict(self) -> dict:
        return {"unit_id": self.unit_id.data, "scheduled_on": self.scheduled_on.data,
                "report_due": self.report_due.data, "content": self.content.data, "guests": self.guests.data,
                "member_ids": self.member_ids.data or [], "template_id": self.template_id.data}


class ResultForm(_Guarded, VersionedForm):
    verdict = SelectField("Kết quả", choices=[("", "— Chọn —"), *VERDICTS.items()],
                          validators=[DataRequired("Chọn kết quả: đạt, đạt một phần, chưa đạt hoặc không áp dụng.")])
    note = text_area("Ghi chú", 4000)
    file = FileField("Tệp minh chứng (PDF, DOCX, XLSX, JPG, PNG)")


class RecordForm(_Guarded, VersionedForm):
    findings = text_area("Nội dung làm việc (nghe báo cáo, kiểm tra hồ sơ)", 20000)
    results = text_area("Kết quả đạt được", 20000)
    shortcomings = text_area("Tồn tại, hạn chế", 20000)


class ConclusionForm(_Guarded, SignerFields, VersionedForm):
    conclusion = text_area("Ý kiến kết luận của đoàn", 20000)


class RecommendationForm(_Guarded, Form):
    text = TextAreaField("Kiến nghị", validators=[DataRequired("Nhập nội dung kiến nghị."), max_len(4000)])
    unit_id = SelectField("Đơn vị thực hiện", coerce=int, choices=[], validate_choice=False,
                          validators=[DataRequired("Chọn đơn vị thực hiện.")])
    deadline = VNDateField("Thời hạn", validators=[InputRequired("Nhập thời hạn thực hiện (dd/mm/yyyy).")])


class UploadForm(_Guarded, Form):
    file = FileField("Tệp báo cáo (PDF, DOCX…)")


class FollowUpForm(_Guarded, Form):
    comment = TextAreaField("Kết quả thực hiện", validators=[DataRequired("Ghi rõ kết quả đã thực hiện."),
                                                             max_len(4000)])
    file = FileField("Tệp minh chứng (không bắt buộc)")


class ReviewForm(_Guarded, Form):
    decision = SelectField("Đánh giá", choices=[("accept", "Công nhận hoàn thành"),
                                                ("reopen", "Yêu cầu thực hiện lại")])
    comment = text_area("Lý do (bắt buộc khi yêu cầu thực hiện lại)", 4000)


class TemplateForm(_Guarded, Form):
    name = StringField("Tên bộ tiêu chí", validators=[DataRequired("Nhập tên bộ tiêu chí."), max_len(200)])


class ItemForm(_Guarded, Form):
    category = SelectField("Nhóm nội dung", choices=list(CATEGORIES.items()))
    text = TextAreaField("Tiêu chí", validators=[DataRequired("Nhập nội dung tiêu chí."), max_len(500)])
    link = SelectField("Liên kết dữ liệu của đơn vị", choices=[("", "(không)"), *LINKS.items()])
