"""Login, password and user administration forms."""
from __future__ import annotations

from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from danvan.core.access import ROLES
from danvan.core.forms import Form, VersionedForm, max_len, text_line


class LoginForm(Form):
    username = StringField("Tên đăng nhập", validators=[
        DataRequired("Nhập tên đăng nhập."), max_len(60)])
    password = PasswordField("Mật khẩu", validators=[DataRequired("Nhập mật khẩu."), max_len(200)])
    remember = BooleanField("Ghi nhớ trên máy này")


class ChangePasswordForm(Form):
    current = PasswordField("Mật khẩu hiện tại", validators=[DataRequired("Nhập mật khẩu hiện tại."),
                                                             max_len(200)])
    password = PasswordField("Mật khẩu mới", validators=[DataRequired("Nhập mật khẩu mới."), max_len(200)])
    confirm = PasswordField("Nhập lại mật khẩu mới", validators=[DataRequired("Nhập lại mật khẩu mới.")])


class UserForm(VersionedForm):
    full_name = StringField("Họ và tên", validators=[DataRequired("Nhập họ và tên."), max_len(120)])
    title = text_line("Chức vụ", 120)
    unit_id = SelectField("Đơn vị", coerce=int, validate_choice=False,
                          validators=[DataRequired("Chọn đơn vị.")])
    roles = SelectMultipleField("Vai trò", choices=list(ROLES.items()), validate_choice=False)


class NewUserForm(UserForm):
    username = StringField("Tên đăng nhập", validators=[
        DataRequired("Nhập tên đăng nhập."), Length(min=3, max=60, message="Tên đăng nhập dài 3–60 ký tự."),
        Regexp(r"^[a-zA-Z0-9._-]+$",
               message="Tên đăng nhập chỉ gồm chữ không dấu, số, dấu chấm, gạch dưới, gạch ngang.")])
    password = PasswordField("Mật khẩu", validators=[DataRequired("Nhập mật khẩu."), max_len(200)])
    confirm = PasswordField("Nhập lại mật khẩu", validators=[DataRequired("Nhập lại mật khẩu.")])


class ResetPasswordForm(Form):
    password = PasswordField("Mật khẩu mới", validators=[DataRequired("Nhập mật khẩu mới."), max_len(200)])
    confirm = PasswordField("Nhập lại mật khẩu mới", validators=[DataRequired("Nhập lại mật khẩu mới.")])


class UserFilterForm(Form):
    class Meta:
        csrf = False

    q = text_line("Tìm kiếm", 100)
    role = SelectField("Vai trò", choices=[("", "Tất cả vai trò"), *ROLES.items()], validate_choice=False)
    status = SelectField("Trạng thái", choices=[("", "Tất cả"), ("active", "Đang hoạt động"),
                                               ("disabled", "Đã vô hiệu hóa")], validate_choice=False)
