"""Crawler for the hostile-input test: reads the forms and htmx links a page offers."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import BytesIO
from urllib.parse import urlsplit

# The table of issue 12, point 5: what an attacker (or a clumsy paste) sends.
VALUES = [
    "",
    "x" * 10_000,
    "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>{{7*7}}",
    unicodedata.normalize("NFD", "Dân vận khéo Đảng ủy"),
    "a\x00b",
    "99999999999999999999",
    "-99999999999999999999",
    "9" * 5000,                       # past Python's int() digit limit: ValueError, not a number
    "2147483648",
    "-2147483649",
    "1e308",
    "NaN",
    "inf",
    "-inf",
    "31/02/2024",
    "2024-02-31",
    "01/01/0001",
    "0001-01-01",
    "31/12/9999",
    "9999-12-31",
    "../../../etc/passwd",
    "..\\..\\windows\\win.ini",
]
# One field at a time: the values that parse (numbers, dates) and could reach a service.
FIELD_VALUES = ["x" * 10_000, VALUES[2], VALUES[3], "99999999999999999999", "9" * 5000, "-2147483649", "1e308", "NaN",
                "-inf", "31/02/2024", "0001-01-01", "31/12/9999", "../../../etc/passwd"]
PER_FIELD = 4
HOSTILE_IDS = ["2147483648", "99999999999999999999", "9223372036854775808", "0"]
FILE_NAMES = ["../../../etc/passwd", "shell.php", "x.html", "..\\..\\a.xlsx", "a\x00.pdf"]
# Query names that list pages read even when no form shows them (filters, paging, links).
QUERY_NAMES = ["q", "year", "unit_id", "page", "date_from", "date_to", "state", "status", "role",
               "field_id", "kind_id", "call_id", "task_group_id", "parent_id", "unit_ids", "tab",
               "loc", "trang_thai", "chua_doc", "as_of", "format", "subject", "rating", "next"]


@dataclass
class FormSpec:
    method: str
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)   # (name, default value)
    files: list[str] = field(default_factory=list)
    htmx: bool = False

    @property
    def key(self) -> tuple:
        return (self.method, self.action, tuple(sorted({n for n, _ in self.fields} | set(self.files))))


class _Parser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[FormSpec] = []
        self.links: set[tuple[str, str]] = set()   # (method, url) from hx-get/hx-post
        self._form: FormSpec | None = None
        self._select: str | None = None
        self._select_value: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for verb in ("get", "post"):
            if a.get(f"hx-{verb}"):
                self.links.add((verb.upper(), a[f"hx-{verb}"]))
        if tag == "form":
            action = a.get("action") or a.get("hx-post") or a.get("hx-get") or self.page_url
            method = "POST" if (a.get("method", "").lower() == "post" or a.get("hx-post")) else "GET"
            self._form = FormSpec(method, action, htmx=bool(a.get("hx-post") or a.get("hx-get")))
            self.forms.append(self._form)
            return
        if self._form is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind == "file":
                self._form.files.append(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.fields.append((name, a.get("value") or "on"))
            elif kind not in ("submit", "button", "reset", "image"):
                self._form.fields.append((name, a.get("value") or ""))
        elif tag == "textarea":
            self._form.fields.append((name, ""))
        elif tag == "select":
            self._select, self._select_value = name, None
        elif tag == "button" and a.get("value") is not None:
            self._form.fields.append((name, a["value"]))
        if tag == "option" and self._select is not None and (self._select_value is None or "selected" in a):
            self._select_value = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            self._form.fields.append((self._select, self._select_value or ""))
            self._select = None


def read_page(url: str, html: str) -> tuple[list[FormSpec], set[tuple[str, str]]]:
    parser = _Parser(url)
    parser.feed(html)
    return parser.forms, parser.links


def path_of(url: str) -> str:
    return urlsplit(url).path


def payloads(form: FormSpec):
    """Every value in every field at once, then each field alone with the others at their
    defaults (so a value reaches the service, not only the first failing validator)."""
    names = sorted({n for n, _ in form.fields if n != "csrf_token"})
    base = [(n, v) for n, v in form.fields]
    for value in VALUES:
        yield [(n, v) for n, v in base if n == "csrf_token"] + [(n, value) for n in names], value
    # Each field alone gets a rotating few of the values (every value still reaches many fields):
    # all of them in every field made the crawl take over 20 minutes for no new failure class.
    for k, name in enumerate(names):
        for j in range(PER_FIELD):
            value = FIELD_VALUES[(k * PER_FIELD + j) % len(FIELD_VALUES)]
            yield [(n, v) for n, v in base if n != name] + [(name, value)], value


def with_files(data: list, form: FormSpec, i: int) -> list:
    if not form.files:
        return data
    name = FILE_NAMES[i % len(FILE_NAMES)]
    return data + [(f, (BytesIO(b"<?php system($_GET['c']); ?><script>x</script>"), name))
                   for f in form.files]
