"""Issue 12, point 5: hostile input never reaches a 500.

Walks app.url_map with every route's sample ids, replaces every id by values beyond the
database's integer range, sends the table of hostile values (tests/hostile.py) in the query of
every page and in every field of every form and htmx action the pages offer, for an
administrator, a leader and an officer. Counts are printed (run with -s to read them)."""
from __future__ import annotations

from collections import Counter

import pytest
from flask import url_for
from werkzeug.datastructures import MultiDict

from danvan.core.access import PERMISSIONS
from tests.hostile import FIELD_VALUES, HOSTILE_IDS, QUERY_NAMES, VALUES, path_of, payloads, read_page, with_files
from tests.samples import all_samples

SKIP_ENDPOINTS = {"static", "auth.logout"}
TOTALS: Counter = Counter()
# What an earlier role already sent: later roles send only the forms, pages and routes it had
# not (the parsing is the same code; the role changes what is offered and what is allowed).
DONE: set = set()
PDF_VALUES = ["x" * 10_000, "a\x00b", "99999999999999999999", "NaN", "31/12/9999", "../../../etc/passwd"]


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint not in SKIP_ENDPOINTS]


def _url(app, rule, ids: dict) -> str:
    with app.test_request_context():
        return url_for(rule.endpoint, **{a: ids[a] for a in rule.arguments})


class Crawl:
    def __init__(self, client):
        self.client = client
        self.stats: Counter = Counter()
        self.failures: list[str] = []

    def hit(self, method: str, url: str, data=None, htmx: bool = False):
        if "/dang-xuat" in url:
            return None
        headers = {"HX-Request": "true"} if htmx else {}
        data = MultiDict(data) if isinstance(data, list) else data
        self.stats["requests"] += 1
        try:  # TESTING propagates exceptions: each one is a 500 in production
            if method == "GET":
                response = self.client.get(url, query_string=data, headers=headers)
            else:
                headers["X-CSRFToken"] = self.client.csrf_token()
                response = self.client.open(url, method=method, data=data or {}, headers=headers)
        except Exception as exc:  # noqa: BLE001 - counted and reported below
            self.stats["5xx"] += 1
            self.failures.append(f"{method} {url} -> {type(exc).__name__}: {exc}"[:300]
                                 + f"\n      {repr(data)[:200]}")
            return None
        code = response.status_code
        self.stats["5xx" if code >= 500 else "4xx" if code >= 400 else "2xx/3xx"] += 1
        if code >= 500:
            shown = repr(data)[:300]
            self.failures.append(f"{method} {url} {shown} -> {code}")
        return response


@pytest.mark.parametrize("role", ["admin", "leader", "officer"])
def test_hostile_values_never_answer_500(app, world, login_as, role):
    samples = all_samples()
    client = login_as(role, world.d1b)
    crawl = Crawl(client)
    rules = _rules(app)
    ids = {}
    for rule in rules:
        for arg in rule.arguments:
            if arg not in ids:
                ids[arg] = samples[arg](world)[0]

    # 1. ids beyond the integer range in every path: 404 (or 403 where the role may not go).
    for rule in rules:
        int_args = [a for a in rule.arguments if type(rule._converters[a]).__name__ == "BoundedIntConverter"]
        for arg in int_args:
            for bad in HOSTILE_IDS:
                url = _url(app, rule, {**ids, arg: ids[arg]}).replace(f"/{ids[arg]}", f"/{bad}", 1)
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    response = crawl.hit(method, url)
                    if response is not None and response.status_code not in (403, 404, 405):
                        crawl.failures.append(f"{method} {url} -> {response.status_code}, expected 404")

    # 2. every page with the role's ids; the forms and htmx actions it offers.
    forms, gets, pdfs = {}, set(), set()
    for rule in rules:
        if "GET" not in rule.methods:
            continue
        url = _url(app, rule, ids)
        response = client.get(url)
        gets.add(url)
        if response.mimetype != "text/html":
            pdfs.add(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            page_forms, links = read_page(url, response.get_data(as_text=True))
            for form in page_forms:
                forms.setdefault(form.key, form)
            gets.update(path_of(u) for m, u in links if m == "GET")
            for method, link in links:
                if method == "POST":
                    forms.setdefault(("POST", link, ()), type(page_forms[0])("POST", link, htmx=True)
                                     if page_forms else None)
    forms = {k: f for k, f in forms.items() if f is not None}
    get_names = {n for f in forms.values() if f.method == "GET" for n, _ in f.fields}

    # 3. hostile query values on every page.
    for url in sorted(gets - DONE):
        DONE.add(url)
        # A PDF or a spreadsheet takes long to make: its query gets the values that could break it.
        for value in (PDF_VALUES if url in pdfs else VALUES):
            crawl.hit("GET", path_of(url), {name: value for name in sorted(set(QUERY_NAMES) | get_names)})

    # 4. every form: all fields hostile at once, then each field alone; files with hostile names.
    for form in forms.values():
        if form.key in DONE:
            continue
        DONE.add(form.key)
        for i, (data, _value) in enumerate(payloads(form)):
            if form.method == "GET":
                crawl.hit("GET", path_of(form.action), data, htmx=form.htmx)
            else:
                crawl.hit("POST", form.action, with_files(data, form, i), htmx=form.htmx)

    # 5. every write route, also those no page offered to this role, with every field name seen.
    post_names = sorted({n for f in forms.values() for n, _ in f.fields if n != "csrf_token"})
    for rule in rules:
        for method in sorted(rule.methods - {"GET", "HEAD", "OPTIONS"}):
            permission = getattr(app.view_functions[rule.endpoint], "_permission", None)
            if (method, rule.rule) in DONE or (permission and role not in PERMISSIONS[permission]):
                continue  # already sent by a role that may use it, or a 403 before any parsing
            DONE.add((method, rule.rule))
            url = _url(app, rule, ids)
            for value in FIELD_VALUES:
                crawl.hit(method, url, [("csrf_token", client.csrf_token())] + [(n, value) for n in post_names])

    TOTALS.update(crawl.stats)
    print(f"\nhostile input, {role}: {dict(crawl.stats)}; forms crawled: {len(forms)}; "
          f"running totals {dict(TOTALS)}")
    distinct = sorted({f.split("\n")[0] for f in crawl.failures})
    assert not crawl.failures, f"{len(crawl.failures)} failures, distinct:\n" + "\n".join(distinct[:60])
