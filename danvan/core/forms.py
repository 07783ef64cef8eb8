"""Base form: every string field is NFC-normalised and trimmed, long input refused."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import Length

from danvan.core.vntext import nfc


def _strip(value):
    value = nfc(value)
    return value.strip() if isinstance(value, str) else value


class Form(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [*unbound_field.kwargs.get("filters", ()), _strip]
            return unbound_field.bind(form=form, filters=filters, **options)


class VersionedForm(Form):
    """Carries the version the object had when the form was opened (optimistic locking)."""

    version = HiddenField()


class ConfirmForm(Form):
    """An empty form: buttons that only POST still carry the CSRF token."""


def max_len(n: int) -> Length:
    return Length(max=n, message=f"Tối đa {n:,} ký tự.".replace(",", "."))
