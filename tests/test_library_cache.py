"""The library as a result cache: per-tweet results per model, the summary reused for an unchanged person."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from cta_desktop.core.library import Library
from cta_desktop.core.person_analysis import analyze_library_person, fill_missing_results, results_key
from cta_desktop.core.preprocess import Vocabulary


class CountingEngine:
    name = "stub"

    def __init__(self):
        self.seen = 0

    def predict_proba(self, ids):
        self.seen += len(ids)
        p = np.full((len(ids), 3), 0.1, np.float32)
        p[np.arange(len(ids)), ids[:, 0] % 3] = 0.8
        return p


def model(**meta):
    return SimpleNamespace(vocab=Vocabulary(["<pad>", "<oov>", "good", "bad", "day"]), sparsity=80, metadata=meta)


def person_file(path, ids):
    path.write_text("id,date,text\n" + "".join(f"{i},2021-05-{1 + i % 28:02d} 09:00:00,{['good', 'bad', 'day'][i % 3]} "
                                               f"day {i}\n" for i in ids), encoding="utf-8")
    return path


@pytest.fixture
def lib(tmp_path):
    with Library(tmp_path / "library.sqlite3") as library:
        yield library


def test_unchanged_person_is_not_analysed_again(lib, tmp_path):
    pid = lib.import_file(person_file(tmp_path / "a.csv", range(300))).person_id
    m, engine = model(), CountingEngine()
    first = analyze_library_person(lib, pid, model=m, engine=engine, workers=0)
    assert not first.cached and first.engine_tweets == 300
    seen = engine.seen  # 300 tweets and the pipeline's warm-up batch
    # every tweet's result is stored for this model
    assert lib.missing_results(pid, results_key(m)) == 0
    second = analyze_library_person(lib, pid, model=m, engine=engine, workers=0)
    assert second.cached and second.engine_tweets == 0 and engine.seen == seen
    assert second.result.summary_json() == first.result.summary_json()
    np.testing.assert_array_equal(second.result.probs, first.result.probs)


def test_stored_results_reach_the_pipeline_as_chunk_probs(lib, tmp_path):
    pid = lib.import_file(person_file(tmp_path / "a.csv", range(100))).person_id
    m = model()
    analyze_library_person(lib, pid, model=m, engine=CountingEngine(), workers=0)
    lib.import_file(person_file(tmp_path / "b.csv", range(100, 110)), person_id=pid)
    chunks = list(lib.tweet_chunks(pid, 64, model_name=results_key(m), with_ids=True))
    probs = np.concatenate([c.probs for c in chunks])
    assert probs.shape == (110, 3)
    assert not np.isnan(probs[:100]).any() and np.isnan(probs[100:]).all()
    assert sum(len(c.row_ids) for c in chunks) == 110


def test_growing_or_another_model_invalidates(lib, tmp_path):
    pid = lib.import_file(person_file(tmp_path / "a.csv", range(50))).person_id
    engine = CountingEngine()
    analyze_library_person(lib, pid, model=model(), engine=engine, workers=0)
    recalibrated = model(temperature=1.3)
    assert results_key(recalibrated) != results_key(model())
    again = analyze_library_person(lib, pid, model=recalibrated, engine=engine, workers=0)
    assert not again.cached
    lib.import_file(person_file(tmp_path / "b.csv", range(50, 60)), person_id=pid)
    grown = analyze_library_person(lib, pid, model=model(), engine=engine, workers=0)
    assert not grown.cached and grown.result.n_tweets == 60


def test_fill_missing_results_runs_the_engine_only_on_new_tweets(lib, tmp_path):
    pid = lib.import_file(person_file(tmp_path / "a.csv", range(40))).person_id
    m, engine = model(), CountingEngine()
    assert fill_missing_results(lib, pid, m, engine) == 40
    lib.import_file(person_file(tmp_path / "b.csv", range(40, 50)), person_id=pid)
    assert fill_missing_results(lib, pid, m, engine) == 10 and engine.seen == 50
    lib.delete_person(pid)
    assert lib._query("SELECT COUNT(*) FROM results")[0][0] == 0
