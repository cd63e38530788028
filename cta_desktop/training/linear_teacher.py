"""A second kind of teacher for distillation: logistic regression over TF-IDF word and character n-grams.

The dense text-CNNs of one recipe make similar mistakes, so more of them add little to the teacher
ensemble (five instead of three: +0.4 val points for the ensemble, nothing for the pruned students).
A linear model over n-grams errs differently (it is the TweetEval paper's SVM baseline, in spirit):
averaged with the CNNs it lifts the ensemble's val macro recall by about a point (69.90 -> 70.8).

The teacher's probabilities for the training tweets are out-of-fold (each fold's tweets scored by a
model fitted on the other folds): a linear model scores the tweets it was fitted on almost perfectly,
which would teach the students nothing but the labels again. scikit-learn does the n-grams, TF-IDF
and the solver (a well-kept library for exactly this; only the training extra needs it).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (2, 5)
FOLDS = 5
# what the teacher is, for the report (models/REPORT.md), from the settings above
DESCRIPTION = (f"a logistic regression over TF-IDF word {WORD_NGRAMS[0]}-{WORD_NGRAMS[1]}-grams and character "
               f"{CHAR_NGRAMS[0]}-{CHAR_NGRAMS[1]}-grams of the same tokens (`cta_desktop/training/linear_teacher.py`, "
               f"scikit-learn; its probabilities for the training tweets are out-of-fold, {FOLDS} folds)")


def require_sklearn() -> None:
    """Raise ValueError with what to install when scikit-learn is missing (checked before training starts)."""
    try:
        import sklearn  # noqa: F401
    except ImportError as exc:
        raise ValueError("the n-gram teacher needs scikit-learn: pip install -e \".[train]\" "
                         "(or train without it: --linear-teacher 0)") from exc


def _features(train_docs: list[str], other_docs: Sequence[list[str]]):
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer

    # documents are our preprocessing's tokens joined by spaces: the same text rules as the CNN
    words = TfidfVectorizer(token_pattern=r"\S+", ngram_range=WORD_NGRAMS, min_df=2, sublinear_tf=True, lowercase=False)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, min_df=3, sublinear_tf=True, lowercase=False,
                            max_features=300_000)
    x_train = hstack([words.fit_transform(train_docs), chars.fit_transform(train_docs)]).tocsr()
    others = [hstack([words.transform(d), chars.transform(d)]).tocsr() for d in other_docs]
    return x_train, others


def out_of_fold_probs(x, labels: np.ndarray, others: Sequence, make_model, folds: int = FOLDS,
                      seed: int = 0) -> tuple[np.ndarray, list[np.ndarray]]:
    """(out-of-fold probabilities for the rows of `x`, probabilities for each feature matrix in `others`
    from a model fitted on all rows); `make_model()` gives an unfitted scikit-learn classifier."""
    from sklearn.model_selection import StratifiedKFold

    labels = np.asarray(labels)

    def proba(model, features) -> np.ndarray:
        out = np.zeros((features.shape[0], 3), dtype=np.float32)
        out[:, model.classes_] = model.predict_proba(features)  # a class missing from a tiny fold stays 0
        return out

    oof = np.zeros((x.shape[0], 3), dtype=np.float32)
    n_folds = max(2, min(folds, int(np.bincount(labels).min()))) if x.shape[0] else folds
    for fit_rows, held_out in StratifiedKFold(n_folds, shuffle=True, random_state=seed).split(x, labels):
        oof[held_out] = proba(make_model().fit(x[fit_rows], labels[fit_rows]), x[held_out])
    full = make_model().fit(x, labels) if len(others) else None
    return oof, [proba(full, f) for f in others]


def linear_teacher_probs(train_tokens: Sequence[Sequence[str]], labels: np.ndarray,
                         other_tokens: Sequence[Sequence[Sequence[str]]] = (), c: float = 1.0, folds: int = FOLDS,
                         seed: int = 0) -> tuple[np.ndarray, list[np.ndarray]]:
    """(out-of-fold probabilities for the training tweets, probabilities for each set in `other_tokens`
    from a model fitted on all training tweets); (n, 3) float32 arrays, classes 0, 1, 2."""
    require_sklearn()
    from sklearn.linear_model import LogisticRegression

    docs = [" ".join(t) for t in train_tokens]
    x, others = _features(docs, [[" ".join(t) for t in toks] for toks in other_tokens])
    return out_of_fold_probs(x, labels, others, lambda: LogisticRegression(C=c, max_iter=300, class_weight="balanced"),
                             folds, seed)
