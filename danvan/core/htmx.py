"""htmx conventions: page or fragment from one template context, 422 for invalid forms,
HX-Redirect when the session expired, and Vary: HX-Request on every response."""
from __future__ import annotations

from flask import Response, current_app, has_request_context, make_response, redirect, render_template, request, url_for


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request")


def render_page_or_partial(page_template: str, partial_template: str, /, *,
                           status_code: int = 200, **context) -> Response:
    """The full page for a normal request, the fragment for htmx, from one context."""
    template = partial_template if is_htmx() else page_template
    response = make_response(render_template(template, **context), status_code)
    response.headers.add("Vary", "HX-Request")
    return response


def link(endpoint: str, **values) -> str:
    """url_for that also works outside a request (CLI, jobs, services called from tests):
    notifications store links built by services."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context():
        return url_for(endpoint, **values)


def redirect_to(endpoint_or_url: str, **values) -> Response:
    """After a successful write: HX-Redirect for htmx, 303 otherwise."""
    url = url_for(endpoint_or_url, **values) if not endpoint_or_url.startswith("/") else endpoint_or_url
    if is_htmx():
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)


def empty() -> Response:
    """A removed row: htmx swaps in nothing."""
    return make_response("", 200)


def add_vary(response: Response) -> Response:
    if "HX-Request" not in response.headers.get("Vary", ""):
        response.headers.add("Vary", "HX-Request")
    return response
