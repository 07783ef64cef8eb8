"""Forms of the Đề án tracker. Messages in Vietnamese; invalid input answers 422."""
from __future__ import annotations

from flask_wtf.file import MultipleFileField
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, ValidationError

from danvan.core.forms import DATE_INPUT_FORMATS, Form, VersionedForm, VNDecimalField, max_len, text_area, text_line
from danvan.core.units import levels_under, scope_root
from danvan.programme.models import LEVELS, PERIOD_KINDS, STATUSES, Programme, Task


class ProgrammeForm(VersionedForm):
    title = StringField("Tên Đề án / Chương trình", validators=[DataRequired("Nhập tên Đề án."), max_len(400)])
    decision_number = text_line("Số hiệu văn bản", 60)
    issued_on = DateField("Ngày ban hành", validators=[Optional()], format=DATE_INPUT_FORMATS)
    start_year = IntegerField("Từ năm", validators=[InputRequired("Nhập năm bắt đầu."),
                                                     NumberRange(2000, 2100, "Năm phải từ 2000 đến 2100.")])
    end_year = IntegerField("Đến năm", validators=[InputRequired("Nhập năm kết thúc."),
                                                    NumberRange(2000, 2100, "Năm phải từ 2000 đến 2100.")])
    lagging_below = VNDecimalField("Ngưỡng chậm tiến độ (%)", default=50, places=2,
                                 validators=[InputRequired("Nhập ngưỡng chậm tiến độ."),
                                             NumberRange(0, 100, "Ngưỡng phải từ 0 đến 100.")])
    summary = text_area("Mục tiêu, nội dung chính", 10000)


class GroupForm(VersionedForm):
    position = IntegerField("Thứ tự", default=1, validators=[InputRequired("Nhập thứ tự."),
                                                              NumberRange(1, 99, "Thứ tự từ 1 đến 99.")])
    title = StringField("Tên nhóm nhiệm vụ, giải pháp", validators=[DataRequired("Nhập tên nhóm."), max_len(400)])
    weight = VNDecimalField("Trọng số", default=1, places=2,
                          validators=[InputRequired("Nhập trọng số (0 nếu không tính)."),
                                      NumberRange(0, 1000, "Trọng số từ 0 đến 1.000.")])


class TaskForm(VersionedForm):
    group_id = SelectField("Nhóm nhiệm vụ", coerce=int, validate_choice=False)
    position = IntegerField("Thứ tự", default=1, validators=[InputRequired("Nhập thứ tự."),
                                                              NumberRange(1, 999, "Thứ tự từ 1 đến 999.")])
    title = TextAreaField("Nội dung nhiệm vụ", validators=[DataRequired("Nhập nội dung nhiệm vụ."), max_len(500)])
    indicator = text_line("Chỉ tiêu / sản phẩm", 300)
    unit_of_measure = text_line("Đơn vị tính", 60)
    target = VNDecimalField("Chỉ tiêu (số)", places=2, validators=[Optional(),
                                                               NumberRange(0.01, 10**9, "Chỉ tiêu phải lớn hơn 0.")])
    weight = VNDecimalField("Trọng số", default=1, places=2,
                          validators=[InputRequired("Nhập trọng số (0 nếu không tính)."),
                                      NumberRange(0, 1000, "Trọng số từ 0 đến 1.000.")])
    level = SelectField("Đơn vị thực hiện", choices=[],
                        validators=[DataRequired("Chọn cấp thực hiện.")])
    starts_on = DateField("Bắt đầu tính từ ngày", validators=[Optional()], format=DATE_INPUT_FORMATS)
    deadline = DateField("Hạn hoàn thành", validators=[Optional()], format=DATE_INPUT_FORMATS)

    def validate_level(self, field):
        if field.data not in dict(self.level.choices):
            raise ValidationError("Cấp thực hiện không hợp lệ.")


def level_choices(programme: Programme, task: Task | None) -> list[tuple[str, str]]:
    """«Đơn vị thực hiện»: the issuer, then the levels present under it, named after the unit kinds
    there (no «huyện» where communes sit directly under the province); a task keeps its own level."""
    choices = [("province", LEVELS["province"])]
    choices += [(level.key, f"Các {level.label}") for level in levels_under(scope_root(programme.unit))]
    if task is not None and task.level not in dict(choices):
        choices.append((task.level, LEVELS[task.level]))
    return choices


class ReportForm(VersionedForm):
    period_kind = SelectField("Loại kỳ", choices=list(PERIOD_KINDS.items()))
    year = IntegerField("Năm", validators=[Optional()])
    number = IntegerField("Kỳ số (quý 1–4, 6 tháng 1–2)", default=1, validators=[Optional()])
    status = SelectField("Tình trạng", choices=list(STATUSES.items()))
    value = VNDecimalField("Giá trị đạt được", places=2,
                         validators=[Optional(), NumberRange(0, 10**9, "Giá trị không được âm.")])
    narrative = TextAreaField("Kết quả thực hiện", validators=[DataRequired("Nêu kết quả thực hiện."), max_len(10000)])
    evidence = MultipleFileField("Tài liệu minh chứng (PDF, DOCX, XLSX, JPG, PNG; tối đa 20 MB mỗi tệp)")

    def validate_status(self, field):
        if field.data not in STATUSES:
            raise ValidationError("Chọn tình trạng thực hiện.")


class EditReportForm(ReportForm):
    period_kind = None
    year = None
    number = None


class TransitionForm(Form):
    transition = StringField("Thao tác", validators=[DataRequired("Thao tác không hợp lệ.")])
    comment = text_area("Ý kiến", 4000)


class FilterForm(Form):
    class Meta:
        csrf = False

    q = StringField("Tìm đơn vị")
    state = SelectField("Trạng thái", choices=[("", "Mọi trạng thái"), ("draft", "Bản nháp"),
                                              ("submitted", "Chờ duyệt"), ("returned", "Bị trả lại"),
                                              ("accepted", "Đã duyệt")], validate_choice=False)


class AsOfForm(Form):
    class Meta:
        csrf = False

    as_of = DateField("Ngày tham chiếu", validators=[Optional()], format=DATE_INPUT_FORMATS)
    level = SelectField("Hiển thị", choices=[("child", "Theo đơn vị trực thuộc"), ("unit", "Theo từng xã, phường")],
                        validate_choice=False)
    sort = SelectField("Sắp xếp", choices=[("name", "Theo tên"), ("lag", "Chậm nhất trước")], validate_choice=False)
