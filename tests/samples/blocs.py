"""Samples for the bloc routes: blocs, members, evaluations and criteria sets of C1 (own) and C3 (other)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from danvan.blocs.models import Bloc, BlocMember, CriteriaSet, Criterion, Evaluation, EvaluationScore
from danvan.extensions import db


def _make(unit):
    bloc = Bloc(unit=unit, name=f"Khối dân vận {unit.name}", name_key="khoi", roster_state="draft")
    member = BlocMember(bloc=bloc, unit_id=unit.id, full_name="Nguyễn Văn A", name_key="nguyen van a",
                        position="bi_thu", is_head=True, from_date=date(2023, 1, 1))
    cs = CriteriaSet(unit=unit, name="Bộ tiêu chí thử", subject="bloc", year_from=2023)
    cs.criteria.append(Criterion(position=1, title="Tiêu chí 1", max_points=Decimal(100)))
    db.session.add_all([bloc, member, cs])
    db.session.flush()
    evaluation = Evaluation(unit_id=unit.id, bloc=bloc, subject_key=f"b{bloc.id}", criteria_set=cs, year=2024,
                            state="draft")
    evaluation.scores.append(EvaluationScore(criterion=cs.criteria[0]))
    db.session.add(evaluation)
    db.session.flush()
    return bloc, member, evaluation, cs


def _pair(world, index):
    if not hasattr(world, "_bloc_samples"):
        world._bloc_samples = (_make(world.c1), _make(world.c3))
    own, other = world._bloc_samples
    return own[index].id, other[index].id


SAMPLES = {
    "bloc_id": lambda w: _pair(w, 0),
    "member_id": lambda w: _pair(w, 1),
    "evaluation_id": lambda w: _pair(w, 2),
    "criteria_id": lambda w: _pair(w, 3),
}
