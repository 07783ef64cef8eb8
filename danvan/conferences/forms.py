"""Forms for conferences. Domain rules (scope, order of times) are checked again in the service."""
from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    FileField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, NumberRange, Optional

from danvan.core.forms import Form, SignerFields, VersionedForm, max_len, text_area, text_line

from .models import KINDS

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATE_MSG = "Ngày không hợp lệ (dd/mm/yyyy)."
TIME_MSG = "Giờ không hợp lệ (hh:mm)."


class ConferenceForm(SignerFields, VersionedForm):
    kind = SelectField("Loại hội nghị", choices=list(KINDS.items()), validate_choice=False)
    title = StringField("Tên hội nghị", validators=[DataRequired("Nhập tên hội nghị."), max_len(300)])
    unit_id = SelectField("Đơn vị tổ chức", coerce=int, validate_choice=False)
    day = DateField("Ngày bắt đầu", validators=[DataRequired(DATE_MSG)], format=DATE_FORMATS)
    start = TimeField("Giờ bắt đầu", validators=[DataRequired(TIME_MSG)])
    end_day = DateField("Ngày kết thúc (nếu khác ngày bắt đầu)", validators=[Optional()], format=DATE_FORMATS)
    end = TimeField("Giờ kết thúc", validators=[DataRequired(TIME_MSG)])
    venue = text_line("Địa điểm chính (điểm cầu chính)", 300)
    online = BooleanField("Hội nghị trực tuyến (nhiều điểm cầu)")
    purpose = text_area("Nội dung, mục đích", 4000)
    notes = text_area("Đề nghị đối với đơn vị được mời (in trong giấy mời)", 4000)
    signer_authority = text_line("Thẩm quyền ký (T/M, K/T, T/L…)", 120)
    recipients = text_area("Nơi nhận (mỗi dòng một nơi)", 2000)


class ChairForm(Form):
    name = StringField("Họ tên", validators=[DataRequired("Nhập họ tên người chủ trì."), max_len(120)])
    title = text_line("Chức vụ", 300)


class UnitsForm(Form):
    unit_ids = SelectMultipleField("Đơn vị", coerce=int, validate_choice=False)


class PointFields(Form):
    venue = text_line("Địa điểm (để trống: Hội trường của đơn vị)", 300)
    contact_name = text_line("Người liên hệ", 120)
    contact_phone = text_line("Điện thoại", 40)


class PointsForm(UnitsForm, PointFields):
    pass


class InviteesForm(UnitsForm):
    addressee = text_line("Người được mời (ghép với tên đơn vị)", 200)


class ConfirmInviteeForm(Form):
    status = SelectField("Xác nhận", choices=[("confirmed", "Tham dự"), ("declined", "Vắng"),
                                             ("pending", "Chưa xác nhận")], validate_choice=False)
    delegates = IntegerField("Số đại biểu", validators=[Optional(), NumberRange(0, 500, "Từ 0 đến 500.")])
    note = text_line("Ghi chú", 500)


class ItemForm(Form):
    start_time = TimeField("Thời gian", validators=[Optional()])
    content = StringField("Nội dung", validators=[DataRequired("Nhập nội dung."), max_len(500)])
    presenter = text_line("Người thực hiện", 300)
    document = text_line("Tài liệu kèm theo", 300)


class InviteContributionsForm(UnitsForm):
    topic = StringField("Chủ đề đề nghị", validators=[DataRequired("Nhập chủ đề tham luận đề nghị."), max_len(500)])
    deadline = DateField("Hạn gửi", validators=[DataRequired(DATE_MSG)], format=DATE_FORMATS)


class SubmitContributionForm(Form):
    title = StringField("Tên tham luận", validators=[DataRequired("Nhập tên tham luận."), max_len(500)])
    presenter = text_line("Người trình bày", 300)
    file = FileField("Tệp tham luận (PDF, DOCX; tối đa 20 MB)")


class ReviewForm(Form):
    decision = SelectField("Quyết định", choices=[("accept", "Nhận"), ("return", "Trả lại")], validate_choice=False)
    reason = text_area("Lý do trả lại", 4000)


class ConclusionForm(Form):
    conclusion = TextAreaField("Kết luận của chủ trì", validators=[DataRequired("Nhập nội dung kết luận."),
                                                                   max_len(20000)])


class SignerForm(Form):
    """One document's own signer block and Nơi nhận (core/signers)."""

    authority = text_line("Thẩm quyền ký (T/M, K/T, T/L…; để trống khi người đứng đầu ký)", 120)
    title = text_line("Chức vụ người ký", 120)
    name = StringField("Họ tên người ký", validators=[DataRequired("Nhập họ tên người ký."), max_len(120)])
    recipients = text_area("Nơi nhận (mỗi dòng một nơi)", 4000)


# Rows edited in place carry the version they were opened with (optimistic locking).
class ChairEditForm(ChairForm, VersionedForm):
    pass


class PointEditForm(PointFields, VersionedForm):
    pass


class ItemEditForm(ItemForm, VersionedForm):
    pass
