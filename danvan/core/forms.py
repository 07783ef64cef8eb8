"""Base form (every string field NFC-normalised and trimmed, long input refused) and the fields
every feature shares: Vietnamese dates (VNDateField) and numbers (VNDecimalField)."""
from __future__ import annotations

from datetime import date

from flask import flash
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeField,
    DecimalField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

from danvan.core.inputs import out_of_range
from danvan.core.vntext import NUMBER_MESSAGE, fmt_date, fmt_decimal, nfc, parse_date, parse_decimal

# WTForms ships no Vietnamese catalogue: its built-in messages, translated here once.
VI_MESSAGES = {
    "Field must be equal to %(other_name)s.": "Phải trùng với %(other_name)s.",
    "Field must be at least %(min)d character long.": "Tối thiểu %(min)d ký tự.",
    "Field must be at least %(min)d characters long.": "Tối thiểu %(min)d ký tự.",
    "Field cannot be longer than %(max)d character.": "Tối đa %(max)d ký tự.",
    "Field cannot be longer than %(max)d characters.": "Tối đa %(max)d ký tự.",
    "Field must be exactly %(max)d character long.": "Phải đúng %(max)d ký tự.",
    "Field must be exactly %(max)d characters long.": "Phải đúng %(max)d ký tự.",
    "Field must be between %(min)d and %(max)d characters long.": "Phải dài từ %(min)d đến %(max)d ký tự.",
    "Number must be at least %(min)s.": "Số phải từ %(min)s trở lên.",
    "Number must be at most %(max)s.": "Số không được lớn hơn %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Số phải nằm trong khoảng %(min)s đến %(max)s.",
    "Date must be at least %(min)s.": "Ngày không được trước %(min)s.",
    "Date must be at most %(max)s.": "Ngày không được sau %(max)s.",
    "Date must be between %(min)s and %(max)s.": "Ngày phải trong khoảng %(min)s đến %(max)s.",
    "This field is required.": "Mục này bắt buộc.",
    "Invalid input.": "Giá trị không hợp lệ.",
    "Invalid email address.": "Địa chỉ thư điện tử không hợp lệ.",
    "Invalid URL.": "Địa chỉ không hợp lệ.",
    "Invalid value, must be one of: %(values)s.": "Giá trị phải là một trong: %(values)s.",
    "Invalid value, can't be any of: %(values)s.": "Giá trị không được là: %(values)s.",
    "This field cannot be edited.": "Mục này không được sửa.",
    "This field is disabled and cannot have a value.": "Mục này bị khóa, không nhận giá trị.",
    "Invalid Choice: could not coerce.": "Lựa chọn không hợp lệ.",
    "Choices cannot be None.": "Chưa có danh sách lựa chọn.",
    "Not a valid choice.": "Lựa chọn không hợp lệ.",
    "Invalid choice(s): one or more data inputs could not be coerced.": "Có lựa chọn không hợp lệ.",
    "'%(value)s' is not a valid choice for this field.": "«%(value)s» không phải lựa chọn hợp lệ.",
    "'%(value)s' are not valid choices for this field.": "«%(value)s» không phải lựa chọn hợp lệ.",
    "Not a valid datetime value.": "Ngày giờ không hợp lệ (dd/mm/yyyy hh:mm).",
    "Not a valid date value.": "Ngày không hợp lệ (dd/mm/yyyy).",
    "Not a valid time value.": "Giờ không hợp lệ (hh:mm).",
    "Not a valid week value.": "Tuần không hợp lệ.",
    "Not a valid integer value.": "Phải là số nguyên.",
    "Not a valid decimal value.": "Phải là số.",
    "Not a valid float value.": "Phải là số.",
}


class _VietnameseTranslations:
    def gettext(self, string: str) -> str:
        return VI_MESSAGES.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return VI_MESSAGES.get(singular if n == 1 else plural, singular if n == 1 else plural)


_VI = _VietnameseTranslations()


def _strip(value):
    value = nfc(value)
    return value.strip() if isinstance(value, str) else value


# Hostile input: every number and date field of every form is bounded ------------------
_PARSED_KINDS = (IntegerField, DecimalField, FloatField, DateField, DateTimeField, SelectField,
                 SelectMultipleField)  # selects coerce=int
_BOUNDED: dict[type, type] = {}


def _bounded(field_class: type) -> type:
    """A subclass whose parsed value must fit the database and date arithmetic (core.inputs):
    `999…9`, `1e308`, `NaN`, `inf`, year 0001 or 9999 become a field error and `data` None,
    so filter forms that read `.data` after a failed validate() get nothing hostile either."""
    if field_class not in _BOUNDED:
        def process_formdata(self, valuelist):
            field_class.process_formdata(self, valuelist)
            problem = out_of_range(self.data)
            if problem:
                self.data = None
                raise ValueError(problem)

        _BOUNDED[field_class] = type(field_class.__name__, (field_class,),
                                     {"process_formdata": process_formdata})
    return _BOUNDED[field_class]


def _guard(unbound_field: UnboundField) -> UnboundField:
    if issubclass(unbound_field.field_class, _PARSED_KINDS):
        return UnboundField(_bounded(unbound_field.field_class), *unbound_field.args,
                            name=unbound_field.name, **unbound_field.kwargs)
    return unbound_field


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _VI

        def bind_field(self, form, unbound_field, options):
            filters = [*unbound_field.kwargs.get("filters", ()), _strip]
            return _guard(unbound_field).bind(form=form, filters=filters, **options)

        def render_field(self, field, render_kw):
            return super().render_field(field, {**browser_neutral(field), **render_kw})


# Attributes WTForms derives from validators that make the browser check input itself, in its own
# language ("Please fill out this field", "Value must be less than or equal to 100"): the server
# checks them and answers in Vietnamese, so they are never rendered (False omits an attribute).
_BROWSER_CHECKS = ("required", "min", "max", "minlength", "pattern", "step")


def browser_neutral(field) -> dict:
    """Render arguments for a field: no browser validation; dates as dd/mm/yyyy text (a native date
    input shows the browser's locale order, 12/03/2026 for 3 December in English); numbers as text
    so 15,5 can be typed."""
    kw: dict = dict.fromkeys(_BROWSER_CHECKS, False)
    if getattr(field.flags, "required", False):
        kw["aria-required"] = "true"
    widget_type = getattr(field.widget, "input_type", None)
    if widget_type == "date" or field.type == "DateField":
        kw.update(type="text", inputmode="numeric", placeholder="dd/mm/yyyy", autocomplete="off")
        if not field.raw_data and isinstance(field.data, date):
            kw["value"] = fmt_date(field.data)
    elif widget_type == "number":
        kw.update(type="text", inputmode="decimal")
    return kw


class VersionedForm(Form):
    """Carries the version the object had when the form was opened (optimistic locking)."""

    version = HiddenField()


class ConfirmForm(Form):
    """An empty form: buttons that only POST still carry the CSRF token."""


# Date inputs send yyyy-mm-dd; people type dd/mm/yyyy. The first format is the one displayed.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class VNDateField(DateField):
    """A date typed dd/mm/yyyy (or sent yyyy-mm-dd by a date input), parsed strictly by
    vntext.parse_date: impossible dates and two-digit years get a Vietnamese message."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", ["%d/%m/%Y", "%Y-%m-%d"])
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist:
            self.data = parse_date(" ".join(valuelist))   # ValueError carries the message


class VNDecimalField(DecimalField):
    """A number typed the Vietnamese way (12,5 or 1.234,5; vntext.parse_decimal) and shown back the
    same way (12,5, never 12.50): 1e1, NaN, infinities and 12.5 refused with a Vietnamese message."""

    def __init__(self, label=None, validators=None, *, message: str = NUMBER_MESSAGE, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        if not valuelist:   # not sent: the default stays
            return
        self.data = None
        try:
            self.data = parse_decimal(valuelist[0], self.message)
        except ValueError as exc:
            raise ValueError(str(exc)) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return fmt_decimal(self.data, self.places if isinstance(self.places, int) else 2)


def max_len(n: int) -> Length:
    return Length(max=n, message=f"Tối đa {n:,} ký tự.".replace(",", "."))


def text_line(label: str, limit: int, **kwargs) -> UnboundField:
    """An optional one-line text field of at most `limit` characters (max_len's message)."""
    return StringField(label, validators=[max_len(limit)], **kwargs)


def text_area(label: str, limit: int, **kwargs) -> UnboundField:
    """An optional multi-line text field of at most `limit` characters (max_len's message)."""
    return TextAreaField(label, validators=[max_len(limit)], **kwargs)


class SignerFields(Form):
    """Who signs a document, as its form asks (the T/M, K/T authority, where there is one, is the
    document's own field): chức vụ and họ tên, 120 characters as the signer columns hold."""

    signer_title = text_line("Chức vụ người ký", 120)
    signer_name = text_line("Họ tên người ký", 120)


def add_error(form, field_name: str | None, message: str) -> None:
    """Attach a service's error to the named field, or flash it when the form has no such field."""
    field = getattr(form, field_name, None) if field_name else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, message]
    else:
        flash(message, "danger")
