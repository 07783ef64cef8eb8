"""Forms for the organisation tree."""
from __future__ import annotations

from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Optional

from danvan.core.forms import Form, VersionedForm, max_len, text_line
from danvan.core.units import KINDS

DATE_MSG = "Ngày không hợp lệ (dd/mm/yyyy)."


class UnitForm(VersionedForm):
    name = StringField("Tên đơn vị", validators=[DataRequired("Nhập tên đơn vị."), max_len(200)])
    code = text_line("Ký hiệu (dùng trong số văn bản)", 20)
    parent_id = SelectField("Trực thuộc", coerce=int, validate_choice=False)


class NewUnitForm(UnitForm):
    kind = SelectField("Loại đơn vị", choices=list(KINDS.items()), validate_choice=False)
    valid_from = DateField("Ngày thành lập", validators=[Optional()], format=["%Y-%m-%d", "%d/%m/%Y"])


class CloseUnitForm(Form):
    on = DateField("Ngày đóng", validators=[DataRequired(DATE_MSG)], format=["%Y-%m-%d", "%d/%m/%Y"])


class MergeForm(Form):
    unit_ids = SelectMultipleField("Các đơn vị sáp nhập", coerce=int, validate_choice=False)
    name = StringField("Tên đơn vị mới", validators=[DataRequired("Nhập tên đơn vị mới."), max_len(200)])
    code = text_line("Ký hiệu", 20)
    parent_id = SelectField("Trực thuộc", coerce=int, validate_choice=False)
    on = DateField("Ngày sáp nhập", validators=[DataRequired(DATE_MSG)], format=["%Y-%m-%d", "%d/%m/%Y"])
    move_open_work = BooleanField("Chuyển việc đang dở (bản nháp, hồ sơ chờ duyệt) sang đơn vị mới",
                                  default=True)
    # Listed once the merged units are chosen: every account ticked; `accounts_shown` tells an empty choice
    # ("move nobody") from a form sent before the list was shown ("move everyone").
    account_ids = SelectMultipleField("Tài khoản chuyển sang đơn vị mới", coerce=int, validate_choice=False)
    accounts_shown = BooleanField()   # sent by the listed fragment; not a HiddenField, which hidden_tag() would repeat
