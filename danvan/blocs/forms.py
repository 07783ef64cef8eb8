"""Forms for blocs, members, criteria sets and evaluations."""
from __future__ import annotations

from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from danvan.blocs.models import POSITIONS
from danvan.core.forms import DATE_INPUT_FORMATS, Form, VersionedForm, VNDateField, VNDecimalField, max_len, text_line


class MemberForm(VersionedForm):
    full_name = StringField("Họ và tên", validators=[DataRequired("Nhập họ và tên."), max_len(120)])
    position = SelectField("Chức vụ", choices=list(POSITIONS.items()), validators=[DataRequired("Chọn chức vụ.")])
    title = text_line("Chức danh cụ thể", 200)
    is_head = BooleanField("Trưởng khối")
    from_date = DateField("Tham gia từ ngày", validators=[InputRequired("Nhập ngày bắt đầu tham gia.")],
                          format=DATE_INPUT_FORMATS)
    to_date = DateField("Thôi tham gia từ ngày", validators=[Optional()], format=DATE_INPUT_FORMATS)
    phone = text_line("Điện thoại", 30)


class NewBlocForm(Form):
    unit_id = SelectField("Xã, phường, thị trấn", coerce=int, validate_choice=False,
                          validators=[DataRequired("Chọn xã, phường, thị trấn.")])
    name = text_line("Tên khối", 250)
    established_on = VNDateField("Ngày thành lập", validators=[Optional()])
    copy_members = BooleanField("Chép thành viên hiện tại của khối các đơn vị cũ (đơn vị hình thành từ sáp nhập)")


class EndMemberForm(Form):
    on = DateField("Ngày thôi tham gia", validators=[Optional()], format=DATE_INPUT_FORMATS)


class CriteriaSetForm(VersionedForm):
    name = StringField("Tên bộ tiêu chí", validators=[DataRequired("Nhập tên bộ tiêu chí."), max_len(250)])
    subject = SelectField("Áp dụng cho", choices=[("bloc", "Khối dân vận"), ("member", "Thành viên khối")])
    year_from = IntegerField("Áp dụng từ năm", validators=[InputRequired("Nhập năm áp dụng."),
                                                            NumberRange(2000, 2100, "Năm từ 2000 đến 2100.")])
    excellent_min = VNDecimalField("Hoàn thành xuất sắc từ (điểm)", default=90, places=2,
                                 validators=[InputRequired("Nhập ngưỡng.")])
    good_min = VNDecimalField("Hoàn thành tốt từ (điểm)", default=70, places=2,
                            validators=[InputRequired("Nhập ngưỡng.")])
    pass_min = VNDecimalField("Hoàn thành từ (điểm)", default=50, places=2, validators=[InputRequired("Nhập ngưỡng.")])
    active = BooleanField("Đang áp dụng", default=True)
    criteria = TextAreaField("Các tiêu chí (mỗi dòng: Nội dung | điểm tối đa; tổng 100 điểm)",
                             validators=[DataRequired("Nhập các tiêu chí."), max_len(20000)])


class NewEvaluationForm(Form):
    year = IntegerField("Năm đánh giá", validators=[InputRequired("Nhập năm đánh giá.")])
    member_id = SelectField("Đối tượng", coerce=int, validate_choice=False)


class FilterForm(Form):
    class Meta:
        csrf = False

    q = StringField("Tìm kiếm")
    state = SelectField("Danh sách", choices=[("", "Tất cả"), ("confirmed", "Đã xác nhận"), ("draft", "Bản nháp"),
                                              ("flagged", "Chưa đúng quy định")], validate_choice=False)


class EvaluationFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField("Tìm kiếm")
    year = IntegerField("Năm", validators=[Optional()])
    subject = SelectField("Đối tượng", choices=[("bloc", "Khối dân vận"), ("member", "Thành viên")],
                          validate_choice=False)
    rating = SelectField("Xếp loại", choices=[("", "Mọi xếp loại")], validate_choice=False)
