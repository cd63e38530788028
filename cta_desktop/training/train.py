"""Train the dense text-CNN on TweetEval, prune it to each level, and export the shipped models.

Model choice uses the validation split only (macro recall, TweetEval's official metric); the test
split is scored once, after training, for the report.
"""

from __future__ import annotations

import datetime as _dt
import json
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from cta_desktop.core.engines.reference import NumpyEngine
from cta_desktop.core.metrics import classification_metrics
from cta_desktop.core.model_spec import FILTER_AXIS, PRUNABLE, weight_names
from cta_desktop.core.modelstore import SPARSITY_LEVELS, VOCAB_FILE, metadata_path, model_stem, nzb_path
from cta_desktop.core.nzb import NzbTensor, write_nzb
from cta_desktop.core.preprocess import Vocabulary, encode_tokens, tokenize_many
from cta_desktop.training.data import load_split
from cta_desktop.training.sources import SOURCES


@dataclass
class TrainConfig:
    data_dir: str
    out_dir: str
    max_vocab: int = 20000
    min_count: int = 2
    dropout: float = 0.3
    lr: float = 1e-3
    batch_size: int = 256
    epochs: int = 4
    class_weighting: str = "balanced"  # "balanced" or "none"
    label_smoothing: float = 0.0
    embedding_l2: float = 0.0  # L2 penalty on the embedding (the bulk of the parameters)
    lexicon_init: float = 0.3  # > 0: seed embedding dimension 0 with VADER lexicon valence x this scale
    prune_lr: float = 3e-4
    prune_epochs: int = 4
    prune_ramp_epochs: int = 2  # epochs over which sparsity rises to its target; later epochs are candidates
    levels: tuple[int, ...] = (70, 75, 80, 85)
    seed: int = 42
    limit: int | None = None  # train on the first N tweets only (CI smoke runs)
    tse: bool = True  # add the Tweet Sentiment Extraction tweets to the training data
    glove_scale: float = 0.0  # > 0: seed embedding dimensions 1-25 with GloVe Twitter vectors x this scale
    emoji_fraction: float = 0.15  # share of training tweets augmented with emoji drawn from the ranking by label
    emoji_only: float = 0.2  # share of the augmented tweets that keep only their emoji
    emoji_init: float = 0.6  # > 0: seed embedding dimension 0 of emoji tokens with the ranking's score x this
    teachers: int = 2  # > 0: train this many more dense models (other seeds); all of them are the distillation ensemble
    prune_runs: int = 2  # each pruned level is trained this many times (seeds seed, seed + 1, ...); the best on val is kept
    linear_teacher: float = 0.5  # > 0: weight of an n-gram logistic regression in the distillation ensemble
    sentence_teacher: float = 0.0  # > 0: weight of a sentence-encoder logistic regression in the distillation ensemble
    distill_alpha: float = 0.8  # weight of the ensemble's probabilities in the pruned models' targets
    calibrate: bool = True  # fit a temperature on val for each model (stored in its metadata)
    extra: dict[str, Any] = field(default_factory=dict)


def class_weights(labels: np.ndarray, mode: str) -> dict[int, float] | None:
    if mode == "none":
        return None
    counts = np.bincount(labels, minlength=3).astype(float)
    weights = len(labels) / (len(counts) * np.maximum(counts, 1))
    return {i: float(w) for i, w in enumerate(weights)}


def _val_callback(x_val, y_val, log):
    import keras

    class ValMacroRecall(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.best = -1.0
            self.best_weights = None
            self.best_epoch = -1
            self.eligible_from = 0  # epochs before this index are not candidates (pruning still ramping)

        def on_epoch_end(self, epoch, logs=None):
            probs = self.model.predict(x_val, batch_size=2048, verbose=0)
            m = classification_metrics(y_val, probs.argmax(1))
            log(f"  epoch {epoch + 1}: loss {logs.get('loss', float('nan')):.4f} val macro recall {m['macro_recall']:.2f} acc {m['accuracy']:.2f}")
            if epoch >= self.eligible_from and m["macro_recall"] > self.best:
                self.best, self.best_epoch = m["macro_recall"], epoch + 1
                self.best_weights = [w.copy() for w in self.model.get_weights()]

    return ValMacroRecall()


def lexicon_valence(vocab: Vocabulary) -> np.ndarray:
    """Per vocabulary word, the VADER lexicon's mean valence / 4 (in [-1, 1]), 0 where absent.

    The lexicon ships inside the vaderSentiment package (nothing is downloaded). Our emoticon tokens
    map to VADER's emoticons.
    """
    from pathlib import Path as _P

    import vaderSentiment

    lexicon = {}
    for line in (_P(vaderSentiment.__file__).parent / "vader_lexicon.txt").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            lexicon[parts[0]] = float(parts[1]) / 4.0
    aliases = {"<smile>": ":)", "<lol>": ":d", "<wink>": ";)", "<sad>": ":(", "<tongue>": ":p", "<heart>": "<3"}
    return np.array([lexicon.get(aliases.get(w, w), 0.0) for w in vocab.words], dtype=np.float32)


def _compile(model, lr: float, cfg: TrainConfig):
    import keras

    model.compile(optimizer=keras.optimizers.Adam(lr),
                  loss=keras.losses.CategoricalCrossentropy(label_smoothing=cfg.label_smoothing))


def _one_hot(labels: np.ndarray) -> np.ndarray:
    return np.eye(3, dtype=np.float32)[labels]


def seed_embedding(init: np.ndarray, vocab: Vocabulary, cfg: TrainConfig, ranking=None) -> np.ndarray:
    """The random initial embedding with prior knowledge written in (a copy).

    Dimension 0: VADER valence for words, the Emoji Sentiment Ranking's score for emoji tokens;
    dimensions 1-25: GloVe Twitter vectors for the words GloVe knows (scaled to the init's range).
    """
    init = init.copy()
    if cfg.lexicon_init:
        init[:, 0] = cfg.lexicon_init * lexicon_valence(vocab)
    if cfg.emoji_init and ranking:
        for e in ranking:
            if e.token in vocab.index:
                init[vocab.index[e.token], 0] = cfg.emoji_init * e.score
    if cfg.glove_scale:
        from cta_desktop.training.sources import load_glove

        glove = load_glove()
        for word, vec in glove.items():
            i = vocab.index.get(word)
            if i is not None and i > 1:
                init[i, 1 : 1 + len(vec)] = cfg.glove_scale * vec
    return init


def train_dense(cfg: TrainConfig, vocab, x_tr, y_tr, x_val, y_val, log=print, ranking=None):
    from cta_desktop.training.model import build_model, get_weights

    model = build_model(len(vocab), cfg.dropout, seed=cfg.seed, embedding_l2=cfg.embedding_l2)
    emb = model.get_layer("embedding").embeddings
    emb.assign(seed_embedding(emb.numpy(), vocab, cfg, ranking))
    _compile(model, cfg.lr, cfg)
    cb = _val_callback(x_val, y_val, log)
    model.fit(x_tr, _one_hot(y_tr), batch_size=cfg.batch_size, epochs=cfg.epochs, shuffle=True, verbose=0,
              class_weight=class_weights(y_tr, cfg.class_weighting), callbacks=[cb])
    model.set_weights(cb.best_weights)
    log(f"  dense: best val macro recall {cb.best:.2f} at epoch {cb.best_epoch}")
    return get_weights(model), {"best_val_macro_recall": cb.best, "best_epoch": cb.best_epoch}


def prune_from(cfg: TrainConfig, parent: dict[str, np.ndarray], level: int, x_tr, y_tr, x_val, y_val, log=print,
               targets: np.ndarray | None = None):
    from cta_desktop.training.model import build_model, get_weights, set_weights, variable_map
    from cta_desktop.training.pruning import GradualPruning

    model = build_model(parent["embedding"].shape[0], cfg.dropout, seed=cfg.seed + level, embedding_l2=cfg.embedding_l2)
    set_weights(model, parent)
    _compile(model, cfg.prune_lr, cfg)
    steps_per_epoch = int(np.ceil(len(x_tr) / cfg.batch_size))
    ramp_epochs = min(cfg.prune_ramp_epochs, cfg.prune_epochs - 1)  # leave >= 1 epoch at the final sparsity
    end = max(1, ramp_epochs * steps_per_epoch - steps_per_epoch // 2)
    variables = {name: var for name, var in variable_map(model).items() if name in PRUNABLE}
    pruner = GradualPruning(variables, level / 100.0, begin=0, end=end, frequency=max(1, steps_per_epoch // 10))
    cb = _val_callback(x_val, y_val, log)
    cb.eligible_from = ramp_epochs  # only epochs that ended at the final sparsity
    model.fit(x_tr, _one_hot(y_tr) if targets is None else targets, batch_size=cfg.batch_size, epochs=cfg.prune_epochs,
              shuffle=True, verbose=0, class_weight=class_weights(y_tr, cfg.class_weighting), callbacks=[pruner, cb])
    model.set_weights(cb.best_weights)
    weights = get_weights(model)
    for name in PRUNABLE:  # best_weights were captured after the mask was applied; enforce anyway
        weights[name] = weights[name] * pruner.masks[name]
    log(f"  p{level}: best val macro recall {cb.best:.2f} at epoch {cb.best_epoch}")
    return weights, {"best_val_macro_recall": cb.best, "best_epoch": cb.best_epoch}


def train_dense_models(cfg: TrainConfig, data: Prepared, log=print) -> list[tuple[dict[str, np.ndarray], dict[str, Any]]]:
    """The dense model of `cfg.seed` and `cfg.teachers` more (seeds cfg.seed + 1000 + k), each at its best
    val epoch: (weights, info with the seed)."""
    runs = []
    for k, seed in enumerate([cfg.seed] + [cfg.seed + 1000 + t for t in range(cfg.teachers)]):
        w, info = train_dense(replace(cfg, seed=seed), data.vocab, data.x_tr, data.y_tr, data.x_val, data.y_val,
                              log=log if k == 0 else (lambda s: None), ranking=data.ranking)
        if k:
            log(f"  dense model {k + 1} (seed {seed}): val macro recall {info['best_val_macro_recall']:.2f}")
        runs.append((w, {**info, "seed": seed}))
    return runs


def best_on_val(runs: list[tuple[dict[str, np.ndarray], dict[str, Any]]]) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The run with the highest val macro recall (the first on a tie), its info listing every run's score."""
    best = max(range(len(runs)), key=lambda i: (runs[i][1]["best_val_macro_recall"], -i))
    weights, info = runs[best]
    return weights, {**info, "runs_val_macro_recall": [r[1]["best_val_macro_recall"] for r in runs],
                     "runs_seeds": [r[1].get("seed") for r in runs]}


def teacher_weights(cfg: TrainConfig) -> dict[str, float]:
    """The distillation teacher's mix: the dense models' mean, the n-gram and the sentence-encoder regressions."""
    weights = {"dense": 1.0 - cfg.linear_teacher - cfg.sentence_teacher, "linear": cfg.linear_teacher,
               "sentence": cfg.sentence_teacher}
    if min(weights.values()) < 0:
        raise ValueError(f"teacher weights must be >= 0 and leave the dense models >= 0 (got {weights})")
    return weights


def distillation_targets(cfg: TrainConfig, data: Prepared, ensemble: list[dict[str, np.ndarray]],
                         log=print) -> tuple[np.ndarray, dict[str, Any]]:
    """(1 - alpha) x one-hot labels + alpha x the teacher's probabilities on the training tweets, and the
    teacher's val macro recall. The teacher: the mean of the dense models, mixed with the n-gram and the
    sentence-encoder logistic regressions' out-of-fold probabilities (weights cfg.linear_teacher and
    cfg.sentence_teacher) when those are on."""
    def ensemble_probs(x):
        return np.mean([NumpyEngine(w).predict_proba(x) for w in ensemble], axis=0).astype(np.float32)

    weights = teacher_weights(cfg)
    dense_tr, dense_val = ensemble_probs(data.x_tr), ensemble_probs(data.x_val)
    teacher, teacher_val = weights["dense"] * dense_tr, weights["dense"] * dense_val
    info: dict[str, Any] = {"dense_models": len(ensemble), "dense_val_macro_recall": _val_mr(data, dense_val)}
    if cfg.linear_teacher:
        from cta_desktop.training.linear_teacher import linear_teacher_probs

        oof, (linear_val,) = linear_teacher_probs(data.tr_tokens, data.y_tr, [data.val_tokens], seed=cfg.seed)
        teacher, teacher_val = teacher + weights["linear"] * oof, teacher_val + weights["linear"] * linear_val
        info.update(linear_weight=weights["linear"], linear_val_macro_recall=_val_mr(data, linear_val))
    if cfg.sentence_teacher:
        from cta_desktop.training import sentence_teacher as st

        vectors_tr, vectors_val = st.encode(data.tr_tokens, log), st.encode(data.val_tokens, log)
        oof, (sentence_val,) = st.sentence_teacher_probs(vectors_tr, data.y_tr, [vectors_val], seed=cfg.seed)
        teacher, teacher_val = teacher + weights["sentence"] * oof, teacher_val + weights["sentence"] * sentence_val
        info.update(sentence_weight=weights["sentence"], sentence_val_macro_recall=_val_mr(data, sentence_val))
    info["val_macro_recall"] = _val_mr(data, teacher_val)
    log(f"  teacher: val macro recall {info['val_macro_recall']:.2f} ({info})")
    return ((1 - cfg.distill_alpha) * _one_hot(data.y_tr) + cfg.distill_alpha * teacher).astype(np.float32), info


def _val_mr(data: Prepared, probs: np.ndarray) -> float:
    return round(classification_metrics(data.y_val, probs.argmax(1))["macro_recall"], 2)


def measured_sparsity(weights: dict[str, np.ndarray]) -> dict[str, Any]:
    per = {n: round(float(np.mean(weights[n] == 0)), 4) for n in PRUNABLE}
    total = sum(weights[n].size for n in PRUNABLE)
    zeros = sum(int(np.sum(weights[n] == 0)) for n in PRUNABLE)
    return {"overall_prunable": round(zeros / total, 4), "per_tensor": per,
            "note": "fraction of exact zeros in every weight tensor (biases excluded), measured from the saved weights"}


def to_nzb_tensors(weights: dict[str, np.ndarray]) -> dict[str, NzbTensor | np.ndarray]:
    # Pruning multiplies by a 0/1 mask, which leaves -0.0 where a weight was negative. NZB counts any
    # set bit as nonzero (so it round-trips bit for bit); adding +0.0 turns -0.0 into +0.0.
    clean = {n: (np.asarray(w, dtype=np.float32) + np.float32(0.0)) for n, w in weights.items()}
    return {n: NzbTensor.from_dense(n, clean[n], FILTER_AXIS[n]) if n in FILTER_AXIS else clean[n]
            for n in weight_names()}


@dataclass
class Prepared:
    vocab: Vocabulary
    x_tr: np.ndarray
    y_tr: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    val_texts: list[str]
    ranking: list
    sources: list[str]
    n_tweeteval: int
    n_tse: int
    tr_tokens: list[list[str]] = field(default_factory=list)  # the training tweets' tokens (as encoded in x_tr)
    val_tokens: list[list[str]] = field(default_factory=list)  # the val tweets' tokens (as encoded in x_val)


def prepare_data(cfg: TrainConfig, log=print) -> Prepared:
    """Training tweets (TweetEval train, + TSE, emoji-augmented), the vocabulary and the encoded splits."""
    from cta_desktop.training.sources import add_tokens, augment_with_emoji, load_emoji_ranking, load_tse

    tr_texts, y_tr = load_split(cfg.data_dir, "train")
    val_texts, y_val = load_split(cfg.data_dir, "val")
    if cfg.limit:
        tr_texts, y_tr = tr_texts[: cfg.limit], y_tr[: cfg.limit]
    sources, n_tweeteval, n_tse = ["tweeteval", "vader"], len(tr_texts), 0
    if cfg.tse and not cfg.limit:
        tse_texts, tse_y = load_tse()
        tr_texts, y_tr, n_tse = tr_texts + tse_texts, np.concatenate([y_tr, tse_y]), len(tse_texts)
        sources.append("tse")
    # the words come from the tweets as written; the emoji tokens from the ranking, on top
    vocab = Vocabulary.build(tokenize_many(tr_texts), cfg.max_vocab, cfg.min_count)
    ranking = []
    if cfg.emoji_fraction or cfg.emoji_init:
        ranking = load_emoji_ranking()
        sources.append("emoji")
        tr_texts = augment_with_emoji(tr_texts, y_tr, ranking, cfg.emoji_fraction, cfg.seed, cfg.emoji_only)
    if cfg.glove_scale:
        sources.append("glove")
    if cfg.sentence_teacher:
        sources.append("minilm")
    if ranking:  # every emoji the ranking knows gets a row, even if augmentation never drew it
        vocab = add_tokens(vocab, [e.token for e in ranking])
    tr_tokens, val_tokens = tokenize_many(tr_texts), tokenize_many(val_texts)
    x_tr, x_val = encode_tokens(tr_tokens, vocab.index), encode_tokens(val_tokens, vocab.index)
    log(f"vocabulary: {len(vocab)} words; train {len(x_tr)} (TweetEval {n_tweeteval}, TSE {n_tse}), val {len(x_val)} tweets")
    return Prepared(vocab, x_tr, y_tr, x_val, y_val, val_texts, ranking, sources, n_tweeteval, n_tse, tr_tokens,
                    val_tokens)


def run_training(cfg: TrainConfig, log=print) -> dict[str, Any]:
    teacher_weights(cfg)  # fail now, not after the dense models have trained
    if cfg.linear_teacher:
        from cta_desktop.training.linear_teacher import require_sklearn

        require_sklearn()
    if cfg.sentence_teacher:
        from cta_desktop.training.sentence_teacher import require_encoder

        require_encoder()
    out = Path(cfg.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    data = prepare_data(cfg, log)
    vocab, x_tr, y_tr, x_val, y_val, val_texts = data.vocab, data.x_tr, data.y_tr, data.x_val, data.y_val, data.val_texts
    vocab.save(out / VOCAB_FILE)

    results: dict[int, tuple[dict, dict]] = {}
    dense_runs = train_dense_models(cfg, data, log)
    dense_w, info = best_on_val(dense_runs)  # the parent (and the shipped dense model)
    log(f"  dense parent: seed {info['seed']} (val macro recall {info['best_val_macro_recall']:.2f} of "
        f"{info['runs_val_macro_recall']})")
    results[0] = (dense_w, info)
    targets, teacher_info = (distillation_targets(cfg, data, [w for w, _ in dense_runs], log)
                             if cfg.teachers or cfg.linear_teacher or cfg.sentence_teacher else (None, None))
    for level in cfg.levels:
        runs = []
        for j in range(max(1, cfg.prune_runs)):
            w, level_info = prune_from(replace(cfg, seed=cfg.seed + j), dense_w, level, x_tr, y_tr, x_val, y_val, log, targets)
            runs.append((w, {**level_info, "seed": cfg.seed + j}))
        results[level] = best_on_val(runs)

    from cta_desktop.core.calibration import fit_temperature, scale_final_layer
    from cta_desktop.training.model import build_model, set_weights

    temperatures = {}
    for level, (weights, _) in results.items():
        val_probs = NumpyEngine(weights).predict_proba(x_val)
        temperatures[level] = round(fit_temperature(val_probs, y_val), 4) if cfg.calibrate else 1.0
    # the .keras file holds the dense parent as the app runs it: calibrated (final layer / T)
    dense_model = build_model(len(vocab), cfg.dropout)
    set_weights(dense_model, scale_final_layer(dense_w, temperatures[0]))
    dense_model.save(out / "cta_dense.keras")

    test_texts, y_test = load_split(cfg.data_dir, "test") if not cfg.limit else (val_texts, y_val)
    date = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    summary: dict[str, Any] = {}
    for level, (weights, info) in results.items():
        stem = model_stem(level)
        temperature = temperatures[level]
        val_scores, test_scores = (score_weights(weights, temperature, vocab, texts, labels)
                                   for texts, labels in ((val_texts, y_val), (test_texts, y_test)))
        meta = {
            "name": stem,
            "sparsity_target": level,
            "sparsity_measured": measured_sparsity(weights),
            "metrics_units": "percent",
            "val": val_scores["metrics"],
            "test": test_scores["metrics"],
            "test_split": "test" if not cfg.limit else "val (smoke run)",
            "test_subsets": test_scores["subsets"],
            "calibration": {
                "method": "temperature scaling: softmax(logits / T), T fitted on val by negative log-likelihood",
                "temperature": temperature,
                "applied": "at load time by cta_desktop.core.modelstore (final dense layer / T); the .nzb holds "
                           "the trained weights, cta_dense.keras the calibrated ones",
                "val_ece_before": val_scores["ece_before"], "val_ece": val_scores["ece"],
                "test_ece_before": test_scores["ece_before"], "test_ece": test_scores["ece"],
                "test_reliability": test_scores["reliability"],
            },
            "selection": {"metric": "val macro_recall", **info},
            "training_data": training_data_text(cfg, data),
            "training_sources": [{"key": k, "name": SOURCES[k][0], "licence": SOURCES[k][1]} for k in data.sources],
            "vocab_size": len(vocab),
            "seed": info.get("seed", cfg.seed),
            "date": date,
            "config": {k: v for k, v in asdict(cfg).items() if k not in ("data_dir", "out_dir")},
            "parent": None if level == 0 else "cta_dense",
            "distillation": None if level == 0 or teacher_info is None else
            {"alpha": cfg.distill_alpha, "teacher": teacher_info},
            "engine_for_metrics": "numpy reference forward pass (cta_desktop.core.engines.reference), calibrated",
        }
        size = write_nzb(nzb_path(level, out), to_nzb_tensors(weights), {"name": stem, "sparsity": level, "vocab_size": len(vocab)})
        meta["nzb_bytes"] = size
        if level == 0:
            meta["keras_bytes"] = (out / "cta_dense.keras").stat().st_size
        metadata_path(level, out).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        summary[level] = meta
        emo = meta["test_subsets"]["with_emoji"]
        log(f"{stem}: val MR {meta['val']['macro_recall']:.2f}  test MR {meta['test']['macro_recall']:.2f}  "
            f"acc {meta['test']['accuracy']:.2f}  emoji MR {emo.get('macro_recall', float('nan')):.2f}  "
            f"T {temperature:.3f}  ECE {meta['calibration']['test_ece_before']:.2f} -> {meta['calibration']['test_ece']:.2f}  "
            f"sparsity {meta['sparsity_measured']['overall_prunable']:.3f}  {size} B")
    log(f"training finished in {time.time() - t0:.0f} s")
    return summary


def training_data_text(cfg: TrainConfig, data: Prepared) -> str:
    text = "TweetEval sentiment (SemEval-2017 Task 4A), train split" + (
        f", first {cfg.limit} tweets" if cfg.limit else f", {data.n_tweeteval} tweets")
    if data.n_tse:
        text += f"; Tweet Sentiment Extraction, {data.n_tse} tweets"
    if cfg.emoji_fraction:
        text += (f"; ~{100 * cfg.emoji_fraction:.0f}% of them augmented with emoji drawn from the Emoji Sentiment "
                 f"Ranking by label ({100 * cfg.emoji_only:.0f}% of those emoji only)")
    return text


def score_weights(weights, temperature: float, vocab: Vocabulary, texts, labels) -> dict:
    """Calibrated metrics, ECE before and after calibration, reliability bins and the emoji subsets."""
    from cta_desktop.core.calibration import (
        calibration_summary,
        expected_calibration_error,
        scale_final_layer,
        subset_metrics,
    )

    ids = vocab.encode(texts)
    raw = NumpyEngine(weights).predict_proba(ids)
    probs = NumpyEngine(scale_final_layer(weights, temperature)).predict_proba(ids) if temperature != 1.0 else raw
    summary = calibration_summary(probs, labels)
    summary["before"] = calibration_summary(raw, labels)
    return {"metrics": classification_metrics(labels, probs.argmax(1)),
            "ece_before": round(expected_calibration_error(raw, labels), 2), "ece": summary["ece"],
            "reliability": summary, "subsets": subset_metrics(list(texts), np.asarray(labels), probs)}


def levels_arg(text: str) -> tuple[int, ...]:
    levels = tuple(int(x) for x in text.split(",") if x.strip())
    bad = [x for x in levels if x not in SPARSITY_LEVELS or x == 0]
    if bad:
        raise ValueError(f"pruning levels must be among {SPARSITY_LEVELS[1:]}, got {bad}")
    return levels
