"""The analysis of a mystery-shopping exercise: scores (0–100) per service point and section,
per question (with the measured seconds against their standard), and the shoppers' remarks."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import mean

from aduan.extensions import db
from aduan.models.quality import Exercise, ServicePoint, Visit
from aduan.services.quality import checklists
from aduan.services.quality.exercises import points_of


@dataclass
class QuestionResult:
    item: dict
    answered: int
    score: float | None  # mean 0–100; None: free text
    mean_seconds: float | None = None
    remarks: list[str] = field(default_factory=list)


@dataclass
class Analysis:
    sections: list[str]
    points: list[ServicePoint]
    visits: dict[int, int]  # per point
    cells: dict[tuple[int, str], float | None]  # (point id, section) → mean score
    by_point: dict[int, float | None]
    by_section: dict[str, float | None]
    overall: float | None
    questions: list[QuestionResult]


def _mean(values: list[float]) -> float | None:
    return round(mean(values), 1) if values else None


def analyse(exercise: Exercise) -> Analysis:
    """Every visit of the exercise, scored by its checklist."""
    items = exercise.checklist.items
    visits = list(db.session.scalars(db.select(Visit).where(Visit.exercise_id == exercise.id)))
    sections = list(dict.fromkeys(i["section"] for i in items if i["kind"] != "text"))
    cells, by_point, by_section = defaultdict(list), defaultdict(list), defaultdict(list)
    per_item: dict[str, list] = defaultdict(list)
    counts: dict[int, int] = defaultdict(int)
    for visit in visits:
        counts[visit.service_point_id] += 1
        for item in items:
            if item["key"] not in visit.answers:
                continue
            value = visit.answers[item["key"]]
            per_item[item["key"]].append(value)
            scored = checklists.score(item, value)
            if scored is None:
                continue
            cells[(visit.service_point_id, item["section"])].append(scored)
            by_point[visit.service_point_id].append(scored)
            by_section[item["section"]].append(scored)
    points = points_of(exercise)
    return Analysis(
        sections=sections,
        points=points,
        visits=dict(counts),
        cells={(p.id, s): _mean(cells[(p.id, s)]) for p in points for s in sections},
        by_point={p.id: _mean(by_point[p.id]) for p in points},
        by_section={s: _mean(by_section[s]) for s in sections},
        overall=_mean([v for values in by_point.values() for v in values]),
        questions=[_question(item, per_item[item["key"]]) for item in items],
    )


def _question(item: dict, values: list) -> QuestionResult:
    if item["kind"] == "text":
        return QuestionResult(item, len(values), None, remarks=[str(v) for v in values])
    scores = [checklists.score(item, v) for v in values]
    seconds = _mean([float(v) for v in values]) if item["kind"] == "seconds" else None
    return QuestionResult(item, len(values), _mean(scores), mean_seconds=seconds)
