"""Checklists as configuration: the default set follows Law 10/2022/QH15 on grass-roots democracy
(what is made public, what the people decide, give opinions on, inspect and supervise) plus
"Dân vận khéo"; a committee may configure its own. A visit copies the items it uses."""
from __future__ import annotations

import tomllib
from pathlib import Path

import sqlalchemy as sa

from danvan.core import audit
from danvan.core.errors import checked_text
from danvan.core.units import Unit, scope_root
from danvan.extensions import db

from .errors import InspectionError
from .models import CATEGORIES, LINKS, VERDICTS, ChecklistItem, ChecklistResult, ChecklistTemplate, Inspection


def _load_default(path: Path) -> tuple[str, list[tuple[str, str, str]]]:
    """The default set's name and its (category, text, link to the unit's own data or "") items, in
    the file's order; an unknown category or link is refused when the module loads."""
    data = tomllib.loads(path.read_text("utf-8"))
    items = [(i["category"], i["text"], i.get("link", "")) for i in data["items"]]
    unknown = [(c, link) for c, _, link in items if c not in CATEGORIES or (link and link not in LINKS)]
    if unknown:
        raise ValueError(f"{path.name}: unknown category or link {unknown}")
    return data["name"], items


DEFAULT_NAME, DEFAULT_ITEMS = _load_default(Path(__file__).with_name("default_checklist.toml"))
MAX_ITEMS = 200


def default_template(owner: Unit, *, actor=None) -> ChecklistTemplate:
    """The default set of the province at the top of `owner`'s tree, created the first time."""
    root_id = int(owner.path.strip("/").split("/")[0])
    template = db.session.scalar(sa.select(ChecklistTemplate).where(
        ChecklistTemplate.unit_id == root_id, ChecklistTemplate.name == DEFAULT_NAME))
    if template is None:
        template = ChecklistTemplate(unit_id=root_id, name=DEFAULT_NAME)
        template.items = [ChecklistItem(category=c, text=t, link=link, position=i)
                          for i, (c, t, link) in enumerate(DEFAULT_ITEMS, start=1)]
        db.session.add(template)
        db.session.flush()
    return template


def templates_for(unit: Unit) -> list[ChecklistTemplate]:
    """Templates a unit may use: configured by its committee or by any unit above it."""
    ids = scope_root(unit).ancestor_ids
    return list(db.session.scalars(sa.select(ChecklistTemplate).where(
        ChecklistTemplate.unit_id.in_(ids), ChecklistTemplate.archived_at.is_(None))
        .order_by(ChecklistTemplate.id)))


def create_template(unit: Unit, name: str, *, actor) -> ChecklistTemplate:
    name = checked_text(name, "name", "Tên bộ tiêu chí", 200, required="Nhập tên bộ tiêu chí.", error=InspectionError)
    template = ChecklistTemplate(unit_id=scope_root(unit).id, name=name)
    db.session.add(template)
    db.session.flush()
    return template


def add_item(template: ChecklistTemplate, category: str, text: str, link: str = "", *, actor) -> ChecklistItem:
    if category not in CATEGORIES:
        raise InspectionError("Chọn nhóm nội dung.", "category")
    text = checked_text(text, "text", "Nội dung tiêu chí", 500, required="Nhập nội dung tiêu chí.",
                        error=InspectionError)
    if link and link not in LINKS:
        raise InspectionError("Liên kết dữ liệu không hợp lệ.", "link")
    if len(template.items) >= MAX_ITEMS:
        raise InspectionError(f"Một bộ tiêu chí có tối đa {MAX_ITEMS} tiêu chí.", "text")
    item = ChecklistItem(category=category, text=text, link=link or "",
                         position=max((i.position for i in template.items), default=0) + 1)
    template.items.append(item)
    db.session.flush()
    return item


def copy_into(inspection: Inspection, template: ChecklistTemplate) -> None:
    """The visit's own checklist, in category order, from the template's current items."""
    order = list(CATEGORIES)
    with db.session.no_autoflush:   # the visit may still be being built
        items = sorted(template.items, key=lambda i: (order.index(i.category), i.position))
        unit_id = inspection.unit_id or inspection.unit.id
    inspection.results_rows = [
        ChecklistResult(unit_id=unit_id, category=i.category, text=i.text, link=i.link, position=n)
        for n, i in enumerate(items, start=1)]


def set_result(result: ChecklistResult, verdict: str, note: str, *, actor, version=None) -> ChecklistResult:
    if version is not None:
        result.check_version(version)
    if verdict not in VERDICTS:
        raise InspectionError("Chọn kết quả: đạt, đạt một phần, chưa đạt hoặc không áp dụng.", "verdict")
    note = checked_text(note, "note", "Ghi chú", 4000, error=InspectionError)
    if verdict in ("chua_dat", "dat_mot_phan") and not note:
        raise InspectionError("Ghi rõ tồn tại khi tiêu chí chưa đạt hoặc chỉ đạt một phần.", "note")
    before = result.verdict
    result.verdict, result.note = verdict, note
    db.session.flush()
    if before != verdict:
        audit.record(actor, "checklist", result.inspection, {result.text[:60]: (before, verdict)})
    return result


def grouped(results: list[ChecklistResult]) -> list[tuple[str, str, list[ChecklistResult]]]:
    """[(category, label, rows)] in the law's order, categories without rows left out."""
    out = []
    for key, label in CATEGORIES.items():
        rows = [r for r in results if r.category == key]
        if rows:
            out.append((key, label, rows))
    return out


def tally(results: list[ChecklistResult]) -> dict[str, int]:
    counts = {k: 0 for k in VERDICTS} | {"": 0}
    for r in results:
        counts[r.verdict] = counts.get(r.verdict, 0) + 1
    return counts
