"""'Dân vận khéo' at national scale: 500.000 registrations in PostgreSQL.

Shape: the demo province (Bắc Kạn 2023, with its 2021–2024 demo history) plus 33 generated
provinces of 10 districts × 10 communes (34 provinces, 3.408 communes in all), 2021–2025, loaded
with COPY. Prints the province statistics page, the list, and searches as ratios to /ping with
SQL queries per request, measured before and after the load (the counts must not change), and
the EXPLAIN ANALYZE plans of the statistics aggregate and the search."""
from __future__ import annotations

import random
import time
from datetime import UTC, datetime

TOTAL = 500_000
PROVINCES = 33          # generated, in addition to the demo province
DISTRICTS = 10
COMMUNES = 10           # per district
YEARS = (2021, 2022, 2023, 2024, 2025)


def _units(db, sa, Unit) -> list[tuple[int, list[int]]]:
    """Generated provinces → [(province id, [commune ids])]; bulk inserts, paths set in bulk."""
    now = datetime.now(UTC)
    base = dict(code="", depth=0, path="", valid_from=datetime(2020, 1, 1).date(), version=1,
                created_at=now, updated_at=now)
    ins = sa.insert(Unit).returning(Unit.id, sort_by_parameter_order=True)
    provinces = db.session.execute(ins, [dict(base, name=f"Tỉnh ủy Thử nghiệm {p + 1:02d}",
                                              name_key=f"tinh uy thu nghiem {p + 1:02d}", kind="tinh_uy",
                                              parent_id=None, code="TU") for p in range(PROVINCES)]).scalars().all()
    paths = {pid: f"/{pid}/" for pid in provinces}
    bans = [dict(base, name=f"Ban Dân vận Tỉnh ủy Thử nghiệm {i + 1:02d}",
                 name_key=f"ban dan van tinh uy thu nghiem {i + 1:02d}", kind="ban", parent_id=pid,
                 code="BDVTU", depth=1) for i, pid in enumerate(provinces)]
    ban_ids = db.session.execute(ins, bans).scalars().all()
    for bid, b in zip(ban_ids, bans):
        paths[bid] = f"{paths[b['parent_id']]}{bid}/"
    districts = [dict(base, name=f"Huyện ủy {d + 1:02d}", name_key=f"huyen uy {d + 1:02d}", kind="huyen_uy",
                      parent_id=pid, code="HU", depth=1) for pid in provinces for d in range(DISTRICTS)]
    district_ids = db.session.execute(ins, districts).scalars().all()
    for did, d in zip(district_ids, districts):
        paths[did] = f"{paths[d['parent_id']]}{did}/"
    communes = [dict(base, name=f"Xã Thử nghiệm {c + 1:02d}-{i:03d}", name_key=f"xa thu nghiem {c + 1:02d}-{i:03d}",
                     kind="xa", parent_id=did, code="ĐU", depth=2)
                for i, did in enumerate(district_ids) for c in range(COMMUNES)]
    commune_ids = db.session.execute(ins, communes).scalars().all()
    for cid, c in zip(commune_ids, communes):
        paths[cid] = f"{paths[c['parent_id']]}{cid}/"
    table = Unit.__table__
    db.session.connection().execute(
        sa.update(table).where(table.c.id == sa.bindparam("uid")).values(path=sa.bindparam("p")),
        [{"uid": k, "p": v} for k, v in paths.items()])
    out = []
    for pid in provinces:
        prefix = paths[pid]
        out.append((pid, [cid for cid in commune_ids if paths[cid].startswith(prefix)]))
    return out


def _load(ctx) -> tuple[int, float]:
    import sqlalchemy as sa

    from danvan.auth.models import User
    from danvan.core.units import Unit
    from danvan.core.vntext import fold
    from danvan.extensions import db
    from danvan.initiatives import config as settings
    from danvan.initiatives import demo
    from danvan.initiatives.models import Initiative

    started = time.perf_counter()
    with ctx.app.app_context():
        provinces = _units(db, sa, Unit)
        config = {}
        for pid, _ in provinces:
            unit = db.session.get(Unit, pid)
            settings.ensure_config(unit)
            config[pid] = ([f.id for f in settings.fields_of(pid)], [k.id for k in settings.kinds_of(pid)])
        # A viewer in the first generated province, with the demo password.
        pw = db.session.scalar(sa.select(User.password_hash).where(User.username == "xem.bdv"))
        first_ban = db.session.scalar(sa.select(Unit).where(Unit.parent_id == provinces[0][0], Unit.kind == "ban"))
        user = User(username="xem.tinh01", full_name="Người xem tỉnh 01", unit=first_ban, active=True,
                    password_hash=pw, session_epoch=1)
        user.set_roles(["viewer"])
        user.refresh_search_key()
        db.session.add(user)
        existing = db.session.scalar(sa.select(sa.func.count()).select_from(Initiative))
        db.session.commit()
        names = {u.id: u.name for u in db.session.scalars(sa.select(Unit).where(Unit.kind == "xa"))}
        rng = random.Random(500)
        todo = TOTAL - existing
        per_unit_year = todo / (len(provinces) * DISTRICTS * COMMUNES * len(YEARS))
        now = datetime.now(UTC)
        cols = ("unit_id", "year", "name", "search_key", "kind_id", "field_id", "organisation", "is_new",
                "situation", "goals", "content", "area", "forces", "resources", "expected_results", "sustain",
                "state", "submitted_at", "total_score", "exemplary", "version", "created_at", "updated_at")
        topics = [t for group in demo.TOPICS for t in group]
        orgs = [o for o, _ in demo.ORGS]
        states = ["recognised"] * 7 + ["accepted"] * 2 + ["submitted", "returned", "draft"]
        written = 0
        raw = db.engine.raw_connection()
        try:
            cur = raw.driver_connection.cursor()
            with cur.copy(f"COPY initiative ({', '.join(cols)}) FROM STDIN") as copy:
                for pid, communes in provinces:
                    fields, kinds = config[pid]
                    for year in YEARS:
                        for cid in communes:
                            n = int(per_unit_year) + (rng.random() < per_unit_year % 1)
                            for _ in range(n):
                                if written >= todo:
                                    break
                                fi = rng.choices(range(len(fields)), weights=demo.FIELD_WEIGHTS)[0]
                                name = f"{rng.choice(topics)} tại thôn {rng.choice(demo.VILLAGES)}"
                                org = rng.choice(orgs)
                                state = rng.choice(states)
                                copy.write_row((cid, year, name, fold(f"{name} {org} {names[cid]} x")[:800],
                                                kinds[0], fields[fi], org, rng.random() < 0.6, "", "", "", "", "",
                                                "", "", "", state, None if state == "draft" else now,
                                                rng.randint(50, 99), False, 1, now, now))
                                written += 1
            raw.commit()
        finally:
            raw.close()
        # COPY bypasses the ORM: cached statistics must learn of it (core/cache.py)
        from danvan.core import cache

        cache.bump(["initiatives"])
        # As autovacuum would after a bulk load: statistics and the visibility map (index-only scans).
        # No transaction may stay open meanwhile, or VACUUM cannot mark the pages all-visible.
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE initiative")
            conn.exec_driver_sql("VACUUM ANALYZE unit")
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Initiative))
    return total, time.perf_counter() - started


def _cleanup(ctx) -> None:
    """Leave the bench database as the other benchmarks expect it: only the demo province."""
    import sqlalchemy as sa

    from danvan.auth.models import User, UserRole
    from danvan.core.units import Unit
    from danvan.extensions import db
    from danvan.initiatives.models import Initiative, InitiativeCriterion, InitiativeField, InitiativeKind

    with ctx.app.app_context():
        roots = sa.select(Unit.id).where(Unit.parent_id.is_(None), Unit.name.like("Tỉnh ủy Thử nghiệm %"))
        paths = [f"/{i}/" for i in db.session.scalars(roots)]
        generated = sa.select(Unit.id).where(sa.or_(*[Unit.path.startswith(p) for p in paths])) if paths else None
        if generated is not None:
            user_ids = sa.select(User.id).where(User.unit_id.in_(generated))
            db.session.execute(sa.delete(UserRole).where(UserRole.user_id.in_(user_ids)))
            db.session.execute(sa.delete(User).where(User.unit_id.in_(generated)))
            db.session.execute(sa.delete(Initiative).where(Initiative.unit_id.in_(generated)))
            for model in (InitiativeField, InitiativeKind, InitiativeCriterion):
                db.session.execute(sa.delete(model).where(model.province_id.in_(generated)))
            ids = list(db.session.scalars(generated.order_by(Unit.depth.desc())))
            table = Unit.__table__
            db.session.execute(sa.update(table).where(table.c.id.in_(ids)).values(parent_id=None))
            db.session.execute(sa.delete(table).where(table.c.id.in_(ids)))
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE initiative")
            conn.exec_driver_sql("VACUUM ANALYZE unit")


def _explain(ctx, label: str, path_user: str, build) -> None:
    import sqlalchemy as sa

    from danvan.auth.models import User
    from danvan.extensions import db

    with ctx.app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == path_user))
        stmt = build(user)
        compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = db.session.execute(sa.text(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}")).scalars().all()
        db.session.rollback()
    used = sorted({w.strip("(),") for line in plan for w in line.split() if w.startswith("ix_")})
    ms = next((line.split(":")[1].strip() for line in plan if line.startswith("Execution Time")), "?")
    ctx.report(f"EXPLAIN {label}", ms, f"chỉ mục: {', '.join(used) or 'không'}")


def run(ctx) -> None:
    from danvan.extensions import db
    from danvan.initiatives import demo

    with ctx.app.app_context():
        print(f"  {demo.seed('2023')}", flush=True)
        db.session.commit()
    pages = [
        ("Tổng hợp tỉnh (11 đơn vị × lĩnh vực) /dan-van-kheo/tong-hop", "/dan-van-kheo/tong-hop?year=2024",
         "lanhdao.bdv"),
        ("Danh sách năm 2024 (trang 1) /dan-van-kheo/", "/dan-van-kheo/?year=2024", "lanhdao.bdv"),
        ("Tìm «duong que» /dan-van-kheo/?q=…", "/dan-van-kheo/?q=duong+que", "lanhdao.bdv"),
        ("Tìm htmx «camera an ninh», năm 2024", "/dan-van-kheo/?q=camera+an+ninh&year=2024", "lanhdao.bdv"),
        ("Tổng hợp của một huyện (xã × lĩnh vực)", "/dan-van-kheo/tong-hop?year=2024", "lanhdao.babe"),
    ]
    # demo scale first (the province's 8.000 registrations), then national (500.000)
    before = {path + user: _page(ctx, f"{name} — tỉnh mẫu", path, user).queries_cold for name, path, user in pages}
    try:
        _measure(ctx, pages, before)
    finally:
        _cleanup(ctx)


def _page(ctx, name: str, path: str, user: str):
    """A goal page; a search also answers htmx with its rows and pager only (the fragment)."""
    return ctx.page(name, path, user, goal=True, fragment=path if "q=" in path else None)


def _measure(ctx, pages, before) -> None:
    from danvan.initiatives import search as listing

    total, seconds = _load(ctx)
    ctx.report("Đã nạp đăng ký (34 tỉnh, 3.408 xã, COPY)", f"{total:,}".replace(",", "."),
               f"trong {seconds:.0f} s")
    for name, path, user in pages:
        _page(ctx, f"{name} — 500.000", path, user)
    ctx.page("Tổng hợp một tỉnh sinh thêm (100 xã, 5 năm)", "/dan-van-kheo/tong-hop?year=2025", "xem.tinh01")
    ctx.page("Tìm trong tỉnh sinh thêm «thap sang»", "/dan-van-kheo/?q=thap+sang", "xem.tinh01")
    after = {path + user: ctx.queries(path, user) for _, path, user in pages}
    same = all(before[k] == after[k] for k in before)
    ctx.report("Truy vấn SQL/trang trước và sau khi nạp 500.000", " ".join(
        f"{before[k]}→{after[k]}" for k in before), "(không đổi)" if same else "(THAY ĐỔI!)")

    def stats_aggregate(user):
        # The statistics page's heaviest statement, rebuilt as the service builds it.
        import sqlalchemy as sa

        from danvan.core.units import Unit
        from danvan.initiatives.models import Initiative

        root = user.scope
        return (sa.select(Initiative.unit_id, Initiative.field_id, Initiative.is_new, Initiative.state,
                          sa.func.count())
                .where(Initiative.year == 2024, Initiative.unit_id.in_(
                    sa.select(Unit.id).where(Unit.path.startswith(root.path, autoescape=True))))
                .group_by(Initiative.unit_id, Initiative.field_id, Initiative.is_new, Initiative.state))

    def search(user):
        f = listing.Filters(q="duong que")
        return listing.list_stmt(user, f).limit(25)

    _explain(ctx, "gom nhóm thống kê tỉnh (2024)", "lanhdao.bdv", stats_aggregate)
    _explain(ctx, "tìm kiếm «duong que» trong tỉnh", "lanhdao.bdv", search)
    if not same:
        raise RuntimeError("số truy vấn SQL thay đổi theo lượng dữ liệu")
