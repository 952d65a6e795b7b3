"""Scoring the extractor against hand-labelled reports (tests/labels/*.json).

A label is ``{"metric", "value", "unit", "approx", "quote"}`` with ``metric`` null for a figure that maps
to no code. An extracted fact matches a label when the metric and value are equal and the fact's number
lies inside the label's quote (found verbatim in the original). Precision and recall are counted on the
labelled codes only: a fact with a code that matches no label (including a label that says null) is a
false positive; a coded label no fact matches is a false negative.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

LABEL_DIR = Path(__file__).resolve().parent / "tests" / "labels"
SEED_DIR = Path(__file__).resolve().parent / "tests" / "seeds"  # copies of ../shared/seeds/


def load_labels(directory: Path = LABEL_DIR) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(directory.glob("seed_*.json"))]


@dataclass
class Score:
    tp: dict = field(default_factory=lambda: defaultdict(int))
    fp: dict = field(default_factory=lambda: defaultdict(int))
    fn: dict = field(default_factory=lambda: defaultdict(int))
    errors: list = field(default_factory=list)  # (file, kind, detail)
    figures: int = 0
    figures_found: int = 0

    @staticmethod
    def _pr(tp, fp, fn):
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        return p, r

    def families(self) -> dict[str, tuple[int, int, int, float, float]]:
        out = {}
        for fam in sorted(set(self.tp) | set(self.fp) | set(self.fn)):
            tp, fp, fn = self.tp[fam], self.fp[fam], self.fn[fam]
            out[fam] = (tp, fp, fn, *self._pr(tp, fp, fn))
        return out

    def total(self) -> tuple[int, int, int, float, float]:
        tp, fp, fn = sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values())
        return (tp, fp, fn, *self._pr(tp, fp, fn))


def score(labels: list[dict], extractions: dict[str, tuple[str, list]]) -> Score:
    """``extractions``: file name → (original text, facts)."""
    s = Score()
    for label in labels:
        original, facts = extractions[label["file"]]
        spans = []
        for item in label["facts"]:
            start = original.find(item["quote"])
            spans.append((start, start + len(item["quote"])))
        used = set()
        # Every figure (coded or not): found if some fact's number lies in the quote with the same value.
        for (a, b), item in zip(spans, label["facts"]):
            s.figures += 1
            if any(a <= f.pos < b and f.value == item["value"] for f in facts):
                s.figures_found += 1
        for fact in facts:
            if original[fact.start:fact.end] != fact.quote:
                s.errors.append((label["file"], "quote", fact.quote))
            if not fact.metric:
                continue
            family = fact.metric.split(".")[0]
            match = None
            for i, ((a, b), item) in enumerate(zip(spans, label["facts"])):
                if i in used or item["metric"] != fact.metric or not (a <= fact.pos < b):
                    continue
                if abs(float(item["value"]) - float(fact.value)) > 1e-9:
                    continue
                match = i
                break
            if match is None:
                s.fp[family] += 1
                s.errors.append((label["file"], "fp", f"{fact.metric}={fact.value}{fact.unit} 「{fact.quote}」"))
            else:
                used.add(match)
                s.tp[family] += 1
                item = label["facts"][match]
                if item["unit"] != fact.unit or bool(item["approx"]) != bool(fact.approx):
                    s.errors.append((label["file"], "unit", f"{fact.metric}: {fact.unit}/{fact.approx} ≠ "
                                                           f"{item['unit']}/{item['approx']}"))
        for i, item in enumerate(label["facts"]):
            if item["metric"] and i not in used:
                s.fn[item["metric"].split(".")[0]] += 1
                s.errors.append((label["file"], "fn", f"{item['metric']}={item['value']} 「{item['quote']}」"))
    return s
