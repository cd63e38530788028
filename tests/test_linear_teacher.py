"""The n-gram logistic-regression teacher: probabilities for the training tweets are out-of-fold."""

import numpy as np
import pytest

pytest.importorskip("sklearn")

from cta_desktop.training.linear_teacher import linear_teacher_probs  # noqa: E402


def _tweets(n, rng):
    words = [f"w{i}" for i in range(400)]
    return [list(rng.choice(words, size=8)) for _ in range(n)]


def test_training_probabilities_are_out_of_fold():
    # labels are noise: a model scoring the tweets it was fitted on would get them mostly right (unique
    # word mixes), out-of-fold scoring only at chance
    rng = np.random.default_rng(0)
    tokens = _tweets(600, rng)
    labels = rng.integers(0, 3, size=600)
    oof, (again,) = linear_teacher_probs(tokens, labels, [tokens], c=100.0)
    assert oof.shape == again.shape == (600, 3) and oof.dtype == np.float32
    assert np.allclose(oof.sum(1), 1, atol=1e-5)
    in_sample = np.mean(again.argmax(1) == labels)
    out_of_fold = np.mean(oof.argmax(1) == labels)
    assert in_sample > 0.9
    assert out_of_fold < 0.45


def test_learns_words_that_carry_the_label():
    rng = np.random.default_rng(1)
    cue = {0: "awful", 1: "meeting", 2: "lovely"}
    labels = rng.integers(0, 3, size=300)
    tokens = [[cue[int(y)]] + list(rng.choice([f"w{i}" for i in range(50)], size=5)) for y in labels]
    oof, (test,) = linear_teacher_probs(tokens, labels, [[["so", "awful"], ["lovely", "day"], ["meeting", "at", "<num>"]]])
    assert np.mean(oof.argmax(1) == labels) > 0.95
    assert list(test.argmax(1)) == [0, 2, 1]


def test_without_scikit_learn_the_message_says_what_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "sklearn", None)  # import sklearn -> ImportError
    with pytest.raises(ValueError, match=r"scikit-learn.*\[train\].*--linear-teacher 0"):
        linear_teacher_probs([["a"]] * 6, np.array([0, 1, 2] * 2))


def test_train_refuses_before_training_when_scikit_learn_is_missing(monkeypatch, tmp_path, capsys):
    import sys

    from cta_desktop.cli import main

    monkeypatch.setitem(sys.modules, "sklearn", None)
    # an empty --data folder: had training started, the message would be about the missing TweetEval files
    assert main(["train", "--data", str(tmp_path), "--out", str(tmp_path / "out"), "--no-report"]) == 2
    assert "scikit-learn" in capsys.readouterr().err
