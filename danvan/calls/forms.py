"""Forms for creating calls and extending a target's deadline."""
from __future__ import annotations

from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from danvan.core.forms import Form, VNDateField, max_len, text_area
from danvan.core.numbering import TYPE_CHOICES
from danvan.core.units import Level


def target_modes(levels: list[Level]) -> list[tuple[str, str]]:
    """«Đơn vị nhận» named after the levels present under the issuer (levels_under): no «huyện» in a
    province whose communes sit directly under it, and no «all communes» line that repeats the first."""
    direct = ", ".join(level.label for level in levels if level.any_direct)
    modes = [("reporting", f"Tất cả đơn vị trực thuộc ({direct})" if direct else "Tất cả đơn vị trực thuộc")]
    modes += [("communes", f"Tất cả {level.label} trong phạm vi") for level in levels
              if level.key == "commune" and not level.all_direct]
    return [*modes, ("pick", "Chọn từng đơn vị")]


class CallForm(Form):
    title = StringField("Tên yêu cầu", validators=[DataRequired("Nhập tên yêu cầu."), max_len(300)])
    kind = SelectField("Loại yêu cầu", choices=[])
    type_code = SelectField("Loại văn bản cần nộp", choices=[("", "—"), *TYPE_CHOICES], default="BC",
                            validate_choice=False)
    year = IntegerField("Năm", validators=[Optional(), NumberRange(2000, 2100, "Năm phải trong khoảng 2000–2100.")],
                        description="Năm mà yêu cầu hỏi tới (bỏ trống: năm của hạn nộp).")
    deadline = VNDateField("Hạn nộp", validators=[DataRequired("Nhập hạn nộp (dd/mm/yyyy).")])
    description = text_area("Nội dung, hướng dẫn", 10000)
    target_mode = SelectField("Đơn vị nhận", choices=[], default="reporting")
    targets = SelectMultipleField("Chọn đơn vị", choices=[], coerce=int, validate_choice=False)


class ExtendForm(Form):
    unit_id = IntegerField("Đơn vị", validators=[DataRequired("Chọn đơn vị.")])
    extended_until = VNDateField("Hạn riêng của đơn vị (để trống: theo hạn chung)", validators=[Optional()])
    reason = text_area("Lý do (không bắt buộc)", 1000)


class DeadlineForm(Form):
    """Correct the general deadline after the call was sent: a reason is required."""

    # InputRequired: a typed but unreadable date keeps its own message (DataRequired would replace it).
    deadline = VNDateField("Hạn nộp mới", validators=[InputRequired("Nhập hạn nộp mới (dd/mm/yyyy).")])
    reason = TextAreaField("Lý do đổi hạn", validators=[DataRequired("Nhập lý do đổi hạn nộp."), max_len(1000)])
