"""Forms for registrations, review, recognition, consolidation, import and configuration."""
from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, ValidationError

from danvan.core.forms import Form, VersionedForm, VNDateField, VNDecimalField, max_len, text_area, text_line

DATE_MSG = "Ngày phải theo dạng dd/mm/yyyy, ví dụ 05/03/2024."
NUMBER_MSG = "Phải là số, ví dụ 12,5."


class VNRadioField(RadioField):
    def pre_validate(self, form):
        if self.data not in {value for value, _ in self.choices}:
            raise ValidationError("Chọn một trong các lựa chọn.")


def int_or_zero(value) -> int:
    """Select coercion: anything that is not a whole number becomes 0 (then 'choose …')."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class InitiativeForm(VersionedForm):
    unit_id = SelectField("Đơn vị đăng ký", coerce=int_or_zero, validate_choice=False,
                          validators=[DataRequired("Chọn đơn vị đăng ký.")])
    year = IntegerField("Năm đăng ký", validators=[
        InputRequired("Nhập năm đăng ký."), NumberRange(2000, 2100, "Năm đăng ký phải từ 2000 đến 2100.")])
    name = StringField("Tên mô hình, điển hình", validators=[DataRequired("Nhập tên mô hình."), max_len(300)])
    kind_id = SelectField("Loại", coerce=int_or_zero, validate_choice=False, validators=[DataRequired("Chọn loại.")])
    field_id = SelectField("Lĩnh vực", coerce=int_or_zero, validate_choice=False,
                           validators=[DataRequired("Chọn lĩnh vực.")])
    organisation = StringField("Tổ chức chủ trì thực hiện", validators=[
        DataRequired("Nhập tổ chức chủ trì thực hiện."), max_len(200)])
    is_new = VNRadioField("Hình thức", choices=[("new", "Đăng ký mới"), ("maintained", "Duy trì từ năm trước")],
                        default="new", validators=[InputRequired("Chọn đăng ký mới hoặc duy trì.")])
    previous_id = SelectField("Mô hình năm trước (nếu duy trì)", coerce=int_or_zero, validate_choice=False,
                              validators=[Optional()])
    situation = text_area("Thực trạng, lý do xây dựng mô hình", 20000)
    goals = text_area("Mục tiêu, tiêu chí", 20000)
    content = text_area("Nội dung, cách thức thực hiện", 20000)
    area = text_area("Địa bàn, đối tượng", 20000)
    forces = text_area("Lực lượng thực hiện", 20000)
    resources = text_area("Nguồn lực", 20000)
    budget = VNDecimalField("Kinh phí dự kiến (triệu đồng)", places=2, message=NUMBER_MSG, validators=[
        Optional(), NumberRange(0, 999_999_999, "Kinh phí phải từ 0 đến 999.999.999 triệu đồng.")])
    start_on = VNDateField("Ngày bắt đầu", validators=[Optional()])
    end_on = VNDateField("Ngày kết thúc", validators=[Optional()])
    expected_results = text_area("Kết quả dự kiến", 20000)
    sustain = text_area("Cách thức duy trì, nhân rộng", 20000)

    def data_dict(self) -> dict:
        data = {name: f.data for name, f in self._fields.items() if name != "csrf_token"}
        data["previous_id"] = data.get("previous_id") or None
        return data


class TransitionForm(Form):
    transition = StringField(validators=[DataRequired("Thiếu thao tác.")])
    comment = text_area("Lý do / ý kiến", 4000)


class ExemplaryForm(Form):
    exemplary = BooleanField("Tiêu biểu")


class RecognitionForm(Form):
    year = IntegerField("Năm", validators=[InputRequired("Nhập năm."), NumberRange(2000, 2100, "Năm không hợp lệ.")])
    decided_on = VNDateField("Ngày quyết định", validators=[DataRequired(DATE_MSG)])
    title = text_line("Trích yếu", 300)
    initiative_ids = SelectMultipleField("Các mô hình được công nhận", coerce=int_or_zero, validate_choice=False)


class ReportForm(Form):
    year = IntegerField("Năm", validators=[InputRequired("Nhập năm."), NumberRange(2000, 2100, "Năm không hợp lệ.")])
    note = text_area("Ghi chú gửi kèm", 4000)


class SubmitAllForm(Form):
    year = IntegerField("Năm", validators=[InputRequired("Nhập năm."), NumberRange(2000, 2100, "Năm không hợp lệ.")])


class ImportForm(Form):
    file = FileField("Tệp Excel (.xlsx) theo mẫu")
    token = StringField()


class OptionForm(Form):
    what = SelectField(choices=[("field", "Lĩnh vực"), ("kind", "Loại")], validate_choice=False)
    name = StringField("Tên", validators=[DataRequired("Nhập tên."), max_len(120)])


class OptionToggleForm(Form):
    what = SelectField(choices=[("field", "Lĩnh vực"), ("kind", "Loại")], validate_choice=False)
    option_id = IntegerField(validators=[InputRequired()])
    active = StringField()
