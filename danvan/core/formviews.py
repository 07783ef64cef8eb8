"""The last steps of every form view, written once: validate, one service call, then either the
flashed success and a redirect, or the same page again with the user's input and the right status.

A view still loads its object and checks access itself (DESIGN.md, views in a fixed order); it
hands these helpers what differs: how to save, how to render the page with a status, where to go
after. The status rules are the app's: 422 invalid input (400 for a bare confirmation form), the
service error's own status for a refusal, 409 for a stale edit (optimistic locking).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, flash, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from danvan.core import access
from danvan.core.errors import ServiceError
from danvan.core.forms import ConfirmForm, add_error
from danvan.core.htmx import redirect_to
from danvan.core.models import StaleEdit

T = TypeVar("T")
F = TypeVar("F")
Render = Callable[[int], ResponseReturnValue]


def prefill(form: F, **initial: Any) -> F:
    """`form`, its fields set to `initial` when the page is first shown (GET: a new object's defaults,
    what the link asked for); a POST keeps what was sent. A callable value is called only then (like
    WTForms' `default=`), so a default that costs a query costs nothing on a POST."""
    if request.method == "GET":
        for name, value in initial.items():
            form[name].data = value() if callable(value) else value
    return form


def submit(form, save: Callable[[], T], *, render: Render, done: Callable[[T], ResponseReturnValue],
           message: str | Callable[[T], str] | None = None, invalid_status: int = 422,
           errors: tuple[type[Exception], ...] = (ServiceError,), error_field: str | None = None,
           ) -> ResponseReturnValue:
    """Handle a POST of `form`: `save()` runs only on valid input; a refusal (`errors`, each with a
    Vietnamese `.message` and `.status`, optionally `.field`) lands on its field, else on
    `error_field`, else in a flash."""
    if not form.validate_on_submit():
        return render(invalid_status)
    try:
        result = save()
    except StaleEdit as exc:
        flash(exc.message, "danger")
        return render(409)
    except errors as exc:
        add_error(form, getattr(exc, "field", None) or error_field, exc.message)  # type: ignore[attr-defined]
        return render(exc.status)  # type: ignore[attr-defined]
    if message is not None:
        flash(message(result) if callable(message) else message, "success")
    return done(result)


def form_page(form, save: Callable[[], T], *, render: Render, done: Callable[[T], ResponseReturnValue],
              message: str | Callable[[T], str] | None = None, version_of=None, write_rule: str | None = None,
              errors: tuple[type[Exception], ...] = (ServiceError,), error_field: str | None = None,
              ) -> ResponseReturnValue:
    """A GET+POST form page: GET shows the form (200), POST goes through `submit`. `version_of`: the
    edited object (optimistic locking): GET puts its version in the form, the service checks it.
    `write_rule`: everyone who may see the object reads the page; saving needs this rule on it (403)."""
    if request.method != "POST":
        if version_of is not None:
            form.version.data = version_of.version
        return render(200)
    if write_rule is not None:
        access.authorize(current_user, write_rule, version_of)
    return submit(form, save, render=render, done=done, message=message, errors=errors, error_field=error_field)


def confirmed(save: Callable[[], T], *, render: Render, done: Callable[[T], ResponseReturnValue],
              message: str | Callable[[T], str] | None = None,
              errors: tuple[type[Exception], ...] = (ServiceError,)) -> ResponseReturnValue:
    """A button that only POSTs (an empty form carrying the CSRF token): 400 without the token."""
    return submit(ConfirmForm(), save, render=render, done=done, message=message, invalid_status=400, errors=errors)



def start_job(submit_job: Callable[[], Any]) -> ResponseReturnValue:
    """A button that hands work to a background job: 400 without the CSRF token (nothing is queued),
    else the job's progress page. `submit_job()` queues it and returns the job record."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return redirect_to("jobs.detail", job_id=submit_job().id)
