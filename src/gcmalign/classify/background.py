"""Background sentences: what a text says about its organiser or setting, not about its activity.

Event pages and news items wrap an activity in sentences about the dialogue that held it (its
members, action plan, donors, chair), the venue and the ceremony. The text encoders read only
a text's lead, so background placed first crowds the activity out of what they read. This
filter drops such sentences from the encoders' view; the lexicon, sparse and neighbour scorers
still read the whole text.

It is the sparse scorer's model (hashed word and character n-grams, one balanced logistic
regression) trained on background sentences the team wrote against activity sentences: the
first sentences of the training items, which name their activity, and written look-alikes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gcmalign.classify.sparse import SparseScorer
from gcmalign.textutil import Sentence, sentences

# An activity sentence wrongly dropped costs more than a background sentence kept, so the
# threshold is the lowest probability that drops at most this share of activity sentences
# out of fold.
MAX_FALSE_DROPS = 0.01
FOLDS = 5


@dataclass
class BackgroundFilter:
    scorer: SparseScorer
    threshold: float

    def probabilities(self, sents: Sequence[str]) -> np.ndarray:
        """The probability that each sentence is background."""
        if not sents:
            return np.zeros(0)
        return 1.0 / (1.0 + np.exp(-self.scorer.logits(list(sents))[:, 0]))

    def strip(
        self, texts: Sequence[str], limit: int, split: Sequence[Sequence[Sentence]] | None = None
    ) -> list[str]:
        """``texts`` as a reader of their first ``limit`` characters should see them: without
        the background sentences that would fall in those characters. Sentences are judged in
        rounds, only as far as the kept ones reach ``limit``, since judging costs about as much
        as the sparse scorer's features. A text with one sentence, or whose sentences are all
        background, is kept whole. ``split``: the texts' sentences, when already split."""
        if split is None:
            split = [sentences(t) for t in texts]
        judged: list[list[bool]] = [[] for _ in texts]  # per text, one "dropped" per sentence judged
        kept = [0] * len(texts)  # characters kept so far
        pending = [i for i, parts in enumerate(split) if len(parts) > 1]
        while pending:
            batch: list[tuple[int, int]] = []
            for i in pending:
                parts, first = split[i], len(judged[i])
                # the sentences that start before ``limit`` if every one judged now is kept
                reach = parts[first].start + (limit - kept[i])
                batch += [(i, j) for j in range(first, len(parts)) if j == first or parts[j].start < reach]
            dropped = self.probabilities([split[i][j].text for i, j in batch]) >= self.threshold
            for (i, j), drop in zip(batch, dropped, strict=True):
                judged[i].append(bool(drop))
                kept[i] += 0 if drop else len(split[i][j].text) + 1
            pending = sorted(
                {i for i, _ in batch if kept[i] < limit and len(judged[i]) < len(split[i]) and any(judged[i])}
            )
        out: list[str] = []
        for text, parts, drops in zip(texts, split, judged, strict=True):
            if not any(drops) or (all(drops) and len(drops) == len(parts)):
                out.append(text)
                continue
            last = parts[len(drops) - 1]
            kept_text = " ".join(s.text for s, d in zip(parts, drops, strict=False) if not d)
            tail = text[last.end :]  # sentences not judged, as they are
            out.append((kept_text + tail).strip() if kept_text else tail.strip())
        return out

    @classmethod
    def fit(
        cls, background: Sequence[str], activity: Sequence[str], seed: int = 0
    ) -> tuple[BackgroundFilter, dict[str, float]]:
        """Train on background and activity sentences; the threshold comes from out-of-fold
        probabilities (see ``MAX_FALSE_DROPS``). Returns the filter and its out-of-fold
        figures (threshold, recall of background, share of activity sentences dropped)."""
        from sklearn.model_selection import StratifiedKFold  # training only

        texts = list(background) + list(activity)
        y = np.array([1] * len(background) + [0] * len(activity))
        oof = np.zeros(len(texts))
        for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(texts, y):
            fold = SparseScorer.fit(["background"], [texts[i] for i in train], y[train, None])
            oof[test] = fold.logits([texts[i] for i in test])[:, 0]
        negatives = np.sort(oof[y == 0])
        cut = negatives[int(np.ceil(len(negatives) * (1 - MAX_FALSE_DROPS))) - 1]
        threshold = float(1.0 / (1.0 + np.exp(-cut)))
        figures = {
            "threshold": threshold,
            "background_recall": float(np.mean(oof[y == 1] > cut)),
            "activity_dropped": float(np.mean(oof[y == 0] > cut)),
        }
        model = SparseScorer.fit(["background"], texts, y[:, None])
        return cls(model, threshold), figures

    def save(self, path: Path) -> None:
        self.scorer.save(path, threshold=np.float64(self.threshold))

    @classmethod
    def load(cls, path: Path | Any) -> BackgroundFilter:
        with path.open("rb") as fh, np.load(fh) as data:
            threshold = float(data["threshold"])
        return cls(SparseScorer.load(path), threshold)


def read_sentences(path: str | Path) -> tuple[list[str], list[str]]:
    """The background and the activity sentences of a JSON lines file whose lines have ``text``
    and ``background`` (true or false)."""
    from gcmalign.classify.labelled import read_json_lines
    from gcmalign.errors import GcmalignError

    background: list[str] = []
    activity: list[str] = []
    for number, row in read_json_lines(path):
        try:
            (background if row["background"] else activity).append(str(row["text"]))
        except (KeyError, TypeError) as exc:
            raise GcmalignError(f"{path}, line {number}: not a background sentence ({exc})") from None
    return background, activity


def first_sentences(texts: Sequence[str]) -> list[str]:
    """Each text's first sentence: labelled activities name their activity there."""
    return [parts[0].text for t in texts if (parts := sentences(t))]
