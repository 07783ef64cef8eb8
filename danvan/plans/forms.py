"""Forms for documents, workflow actions and delegations."""
from __future__ import annotations

import wtforms
from wtforms import FieldList, FormField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, NumberRange

from danvan.core.forms import Form, SignerFields, VersionedForm, VNDateField, max_len, text_area, text_line
from danvan.core.numbering import TYPE_CHOICES
from danvan.core.vntext import int_or_none, nfc
from danvan.plans.models import SIGNER_MODES

DEFAULT_SECTIONS = ("I. MỤC ĐÍCH, YÊU CẦU", "II. NỘI DUNG", "III. TỔ CHỨC THỰC HIỆN")


def _strip(value):
    value = nfc(value)
    return value.strip() if isinstance(value, str) else value


class SectionForm(wtforms.Form):
    heading = text_line("Tiêu đề mục", 300, filters=[_strip])
    body = text_area("Nội dung", 50000, filters=[_strip],
                     description="Văn bản thường; dòng bắt đầu bằng “- ” là một gạch đầu dòng.")


class DocumentForm(SignerFields, VersionedForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            if unbound_field.field_class in (FieldList, FormField):   # they take no filters; inner fields strip
                return unbound_field.bind(form=form, **options)
            return super().bind_field(form, unbound_field, options)

    type_code = SelectField("Loại văn bản", choices=TYPE_CHOICES, default="KH",
                            validators=[DataRequired("Chọn loại văn bản.")])
    call_id = SelectField("Trả lời yêu cầu nộp", choices=[], validate_choice=False, default="")
    summary = TextAreaField("Trích yếu", validators=[DataRequired("Nhập trích yếu (tóm tắt nội dung văn bản)."),
                                                     max_len(500)])
    year = IntegerField("Năm", validators=[DataRequired("Nhập năm (4 chữ số)."),
                                           NumberRange(2000, 2100, "Năm phải trong khoảng 2000–2100.")])
    period = text_line("Kỳ (nếu có)", 120)
    sections = FieldList(FormField(SectionForm), min_entries=3, max_entries=12)
    signer_mode = SelectField("Hình thức ký", choices=list(SIGNER_MODES.items()), default="T/M")
    signer_authority = text_line("Thay mặt / ký thay (ví dụ: BAN THƯỜNG VỤ, TRƯỞNG BAN)", 120)
    recipients = text_area("Nơi nhận (mỗi dòng một nơi)", 4000)

    def chosen_call(self, calls_by_id: dict):
        """The call picked among those offered; one not offered (not addressed to the unit, closed,
        unknown) is refused with a message rather than saved unlinked."""
        raw = (self.call_id.data or "").strip()
        if not raw:
            return None
        call = calls_by_id.get(int_or_none(raw))
        if call is None:
            self.call_id.errors = [*self.call_id.errors,
                                   "Yêu cầu nộp đã chọn không gửi tới đơn vị của bạn, đã đóng hoặc không nhận văn bản; "
                                   "hãy chọn một yêu cầu trong danh sách."]
        return call

    def data_dict(self, calls_by_id: dict) -> dict:
        call = calls_by_id.get(int_or_none(self.call_id.data))
        return {
            "type_code": self.type_code.data, "summary": self.summary.data, "year": self.year.data,
            "period": self.period.data, "signer_mode": self.signer_mode.data,
            "signer_authority": self.signer_authority.data, "signer_title": self.signer_title.data,
            "signer_name": self.signer_name.data, "recipients": self.recipients.data, "call": call,
            "sections": [{"heading": e.form.heading.data, "body": e.form.body.data} for e in self.sections],
        }


class TransitionForm(Form):
    action = StringField(validators=[DataRequired("Thao tác không hợp lệ."), max_len(40)])
    comment = text_area("Lý do / ý kiến", 4000)


class UploadForm(Form):
    pass


class DelegationForm(Form):
    delegate_id = SelectField("Người được ủy quyền", choices=[], coerce=int, validate_choice=False,
                              validators=[DataRequired("Chọn người được ủy quyền.")])
    starts_on = VNDateField("Từ ngày", validators=[DataRequired("Nhập ngày bắt đầu (dd/mm/yyyy).")])
    ends_on = VNDateField("Đến ngày", validators=[DataRequired("Nhập ngày kết thúc (dd/mm/yyyy).")])


class DocumentFilterForm(Form):
    class Meta:
        csrf = False

    q = text_line("Tìm kiếm", 100)
    state = SelectField("Trạng thái", choices=[], validate_choice=False)
    type_code = SelectField("Loại", choices=[("", "Tất cả loại"), *TYPE_CHOICES], validate_choice=False)
    loc = SelectField("Việc của tôi", choices=[("", "Tất cả văn bản trong phạm vi"),
                                               ("nhap", "Bản nháp của đơn vị tôi"),
                                               ("cho_duyet", "Chờ tôi duyệt")], validate_choice=False)
