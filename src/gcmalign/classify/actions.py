"""Which lettered action of a target a text carries out (the ``9c`` shown beside a mapping).

Each view of a text scores every action of the framework; a target's scores are standardised
over its actions in each view and summed, and the best sum is shown. The views
(`Classifier._action_views`): the sparse model's TF-IDF similarity to each action's wording,
lexicon terms and example activities (training items labelled with the action, kept in the
model file) alone when the model has examples; otherwise that similarity without examples
plus each encoder's similarity to the action's wording. Measured in docs/DESIGN.md ("Action
letters").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gcmalign.classify.labelled import LabelledItem
from gcmalign.frameworks import Framework


@dataclass(frozen=True)
class FrameworkAction:
    code: str  # e.g. "9c"
    target_index: int
    texts: tuple[str, ...]  # the action's wording in each language
    terms: tuple[str, ...]  # its lexicon terms in each language


def framework_actions(framework: Framework) -> list[FrameworkAction]:
    """The lettered actions of every target, in framework order (the columns of action views)."""
    return [
        FrameworkAction(
            code=action.label(target.id),
            target_index=ti,
            texts=tuple(t for t in action.text.values() if t),
            terms=tuple(term for terms in action.lexicon.values() for term in terms),
        )
        for ti, target in enumerate(framework.targets)
        for action in target.actions
    ]


def examples_by_action(items: Sequence[LabelledItem]) -> dict[str, list[str]]:
    """Action code -> the texts of the items labelled with that action, in item order."""
    out: dict[str, list[str]] = {}
    for item in items:
        for code in item.actions:
            out.setdefault(code, []).append(item.text)
    return out


class ActionPicker:
    """Picks each target's best action from views that score every action of the framework."""

    def __init__(self, framework: Framework) -> None:
        self.actions = framework_actions(framework)
        owners = np.array([a.target_index for a in self.actions], dtype=np.int64)
        # framework_actions lists each target's actions together: one slice per target
        self._targets = sorted({int(t) for t in owners})
        self._starts = np.array([int(np.argmax(owners == t)) for t in self._targets], dtype=np.int64)
        self._counts = np.array([int((owners == t).sum()) for t in self._targets], dtype=np.int64)

    def descriptions(self, examples: dict[str, list[str]] | None = None) -> list[str]:
        """One text per action for a bag-of-words view: its wording and terms in every language,
        and the ``examples`` (activities labelled with it) when given."""
        examples = examples or {}
        return [" ".join((*a.texts, *a.terms, *examples.get(a.code, []))) for a in self.actions]

    def best_per_target(self, views: Sequence[np.ndarray]) -> dict[int, str]:
        """Target index -> code of its action with the highest sum of scores standardised over
        the target's actions, one term per view (a row of scores per framework action; views
        with NaN are skipped). A target with a single action gets it without any view."""
        total = np.zeros(len(self.actions))
        used = False
        for view in views:
            scores = np.asarray(view, dtype=np.float64)
            if np.isnan(scores).any():
                continue
            # per-target mean and deviation in one pass: numpy calls per target cost more
            # than the arithmetic (a text's mappings are picked for every target at once)
            mean = np.add.reduceat(scores, self._starts) / self._counts
            dev = scores - np.repeat(mean, self._counts)
            std = np.sqrt(np.add.reduceat(dev * dev, self._starts) / self._counts)
            total += dev / np.repeat(std + 1e-9, self._counts)
            used = True
        # each target's first best action, for all targets at once (as np.argmax per slice)
        best = np.repeat(np.maximum.reduceat(total, self._starts), self._counts)
        positions = np.where(total == best, np.arange(len(total)), len(total))
        firsts = np.minimum.reduceat(positions, self._starts)
        return {
            ti: self.actions[int(first)].code
            for ti, first, count in zip(self._targets, firsts, self._counts, strict=True)
            if used or count == 1
        }
