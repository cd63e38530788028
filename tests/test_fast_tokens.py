"""The compiled tokenizer (core/fast_tokens.py, core/_kernels_tokens.py) gives exactly the tokens, ids,
words and judgement of the Python one (preprocess.tokenize_many, the frozen reference's equal)."""

from __future__ import annotations

import html
import pickle
import sys
import textwrap
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_tokenize_many import _HAVE_SHARED, EDGE_CASES, PIECES, _shared_texts

from cta_desktop.core import fast_tokens, judgement
from cta_desktop.core.analysis import workers
from cta_desktop.core.datasets.fast_csv import Utf8Texts
from cta_desktop.core.preprocess import OOV_ID, Vocabulary, encode_tokens, tokenize_many

pytest.importorskip("numba")


@pytest.fixture(scope="module", autouse=True)
def kernel():
    assert fast_tokens.warm_up(), "the tokenizer kernel did not load"


def _vocab(texts: list[str]) -> dict[str, int]:
    """A vocabulary of these texts' frequent tokens (so both known and unknown tokens occur)."""
    return Vocabulary.build(tokenize_many(texts), max_size=3000, min_count=2).index


def _python_chunk(texts, index) -> workers.EncodedChunk:
    saved = fast_tokens._kernel
    fast_tokens._kernel = None  # not ready: encode_chunk takes the Python path
    try:
        assert fast_tokens.encode(texts, index) is None
        np.testing.assert_array_equal(workers.encode_ids(texts, index), encode_tokens(tokenize_many(texts), index))
        return workers.encode_chunk(texts, index)
    finally:
        fast_tokens._kernel = saved


def _check(texts: list[object], index: dict[str, int]) -> None:
    want = tokenize_many(texts)
    fast = fast_tokens.encode(texts, index)
    assert fast is not None
    assert [fast.tokens(r) for r in range(len(texts))] == want
    rows = [*range(len(texts) - 1, -1, -2), *range(0, len(texts), 3)]  # any rows, any order, twice
    assert fast.token_lists().take(rows) == [want[r] for r in rows] and fast.tokens_of([]) == []
    np.testing.assert_array_equal(fast.ids, encode_tokens(want, index))
    # the judgement's per-tweet counts, added up by the kernel (Python's rows: by judgement itself)
    np.testing.assert_array_equal(fast.row_counts, judgement._row_counts(fast.ids, judgement._packed_table(index)))
    texts = [t if isinstance(t, str) else "" for t in texts]  # the analysis's chunks hold strings
    np.testing.assert_array_equal(workers.encode_ids(texts, index), fast.ids)
    py, nb = _python_chunk(texts, index), workers.encode_chunk(texts, index)
    np.testing.assert_array_equal(nb.ids, py.ids)
    np.testing.assert_array_equal(nb.reasons, py.reasons)
    assert nb.languages == py.languages
    assert nb.words == py.words
    np.testing.assert_array_equal(nb.word_ids, py.word_ids)
    assert nb.oov_rows.tolist() == py.oov_rows.tolist() and nb.oov_words == py.oov_words
    _check_utf8(texts, index)


def _same_chunk(a: workers.EncodedChunk, b: workers.EncodedChunk) -> None:
    np.testing.assert_array_equal(a.ids, b.ids)
    np.testing.assert_array_equal(a.reasons, b.reasons)
    assert a.languages == b.languages and a.words == b.words
    np.testing.assert_array_equal(a.word_ids, b.word_ids)
    assert a.oov_rows.tolist() == b.oov_rows.tolist() and a.oov_words == b.oov_words


def _check_utf8(texts: list[str], index: dict[str, int]) -> None:
    """The texts as the fast CSV reader hands them on (`Utf8Texts`: UTF-8 fields, stripped as they are
    read, one buffer with other bytes between them) give the chunk their strings give."""
    texts = [t for t in texts if t.encode("utf-8", "surrogatepass") == t.encode("utf-8", "replace")]
    raws = [pad + t + end for t, pad, end in zip(texts, [" ", "", "\u00a0\t", "\u3000"] * len(texts),
                                                  ["", " \n", "\u2028", " "] * len(texts), strict=False)]
    parts = [r.encode() for r in raws]
    lengths = np.array([len(p) for p in parts], np.int64)
    starts = np.cumsum(lengths + 1) - (lengths + 1)
    ends = starts + lengths
    data = np.frombuffer(b"\0".join(parts) + b"\0tail", np.uint8)
    utf8 = Utf8Texts(data, starts, ends)
    stripped = [r.strip() for r in raws]
    assert utf8.texts() == stripped
    got = fast_tokens.encode_utf8(data, starts, ends, index)
    assert got is not None
    fast, made = got
    assert list(made) == stripped and fast.ascii.tolist() == [t.isascii() for t in stripped]
    chunk = workers.encode_chunk_utf8(utf8, index)
    _same_chunk(chunk, workers.encode_chunk(stripped, index))
    back = pickle.loads(pickle.dumps(chunk))  # (as a worker sends it: ids as int16, word counts sparse)
    _same_chunk(back, chunk)
    assert back.ids.dtype == np.int32 and back.word_ids.dtype == np.int64
    # the entities the kernel unescapes itself, as html.unescape does; the others left to it
    cps, off, plain, plain_off, _, status = fast_tokens._kernel.decode_fields(data, starts, ends,
                                                                             fast_tokens._tables[0])
    unescaped = list(fast_tokens.CodePointTexts(plain, plain_off))
    assert [u for u, s in zip(unescaped, status.tolist(), strict=True) if not s] == [
        html.unescape(t) for t, s in zip(stripped, status.tolist(), strict=True) if not s]
    assert [u for u, s in zip(unescaped, status.tolist(), strict=True) if s] == [
        t for t, s in zip(stripped, status.tolist(), strict=True) if s]


@pytest.fixture(scope="module")
def shared_texts() -> list[str]:
    if not _HAVE_SHARED:
        pytest.skip("needs ../shared/data")
    return _shared_texts()


def test_every_shared_tweet_gets_the_python_tokens_ids_and_words(shared_texts):
    from cta_desktop.core.modelstore import load_model

    index = load_model(80).vocab.index
    fast = fast_tokens.encode(shared_texts, index)
    assert fast is not None
    assert (fast.status == 0).mean() > 0.99  # the kernel itself tokenises nearly all of them
    assert [fast.tokens(r) for r in range(len(shared_texts))] == tokenize_many(shared_texts)
    for lo in range(0, len(shared_texts), 40_000):  # ids, judgement, words (as the analysis chunks them)
        _check(shared_texts[lo : lo + 40_000], index)


@pytest.mark.parametrize("texts", EDGE_CASES, ids=lambda t: repr(t)[:40])
def test_edge_cases(texts):
    texts = list(texts)
    _check(texts, _vocab([t for t in texts if isinstance(t, str)] * 2 + ["good day :) <3 12"] * 2))


def test_what_the_kernel_leaves_to_python_is_still_right():
    texts = ["ΟΔΟΣ ok", "İstanbul", "a\x1fb", "httpſ://x", "\ud83d oops", "\U00030001 far", "plain words", "x &amp; y"]
    fast = fast_tokens.encode(texts, _vocab(texts * 2))
    assert fast is not None
    assert fast.status.tolist() == [1, 1, 1, 1, 1, 1, 0, 0]  # entities are unescaped first, then compiled
    _check(texts, _vocab(texts * 2))


def test_unknown_tokens_are_counted_once_each_however_often():
    index = _vocab(["the cat"] * 2)
    texts = ["zebra zebra #ZebraCrossing :) 12.5x", "zebra's 😀😀", "the cat"] * 300
    fast = fast_tokens.encode(texts, index)
    assert fast is not None
    want = {t for row in tokenize_many(texts) for t in row if t not in index}
    assert set(fast.oov_tokens()) == want and len(fast.oov_tokens()) < 10  # not one per occurrence
    _check(texts, index)
    assert (fast.ids == OOV_ID).sum() > 0


def test_unknown_tokens_words_as_python_names_them():
    """Unknown tokens are split apart at C speed and judged countable in numpy where ASCII: the same
    tokens (emoticons and numbers mapped where their tokens are unknown too) and words as one by one."""
    from cta_desktop.core.preprocess import _map_token
    from cta_desktop.core.textstats import countable_word

    index = {"<pad>": 0, "<oov>": 1, "cat": 2}  # no <num>, no emoticon tokens, no stop words
    texts = [":) ;-) =) <3 12 ٣4 x2 mustn www the a !! ?", "‰ÛÓPresident Iâ€™m naïve café zebra's cat",
             "#HashTag @someone http://t.co/x 😀 :grinning_face: x x x", "cat"]
    fast = fast_tokens.encode(texts, index)
    assert fast is not None and (fast.status == 0).all()
    text = fast.oov_cps.tobytes().decode("utf-32-le")
    off = fast.oov_off.tolist()
    assert fast.oov_tokens() == [_map_token(text[a:b]) for a, b in zip(off[:-1], off[1:], strict=True)]
    words, countable = fast.oov_words()
    assert words == [countable_word(t) for t in fast.oov_tokens()]
    assert countable.tolist() == [w is not None for w in words]
    assert "mustn" in fast.oov_tokens() and "mustn" not in words  # an unknown stop word is no word either
    assert {"zebra's", "president", "café", "hash", "tag"} <= set(words)
    _check(texts, index)

_LINK_PIECES = ["http://x.co/a", "HTTPS://Y.com", "WWW.abc.com", "www.x.org", "wWw.q", "@user", "@", "#Tag", "#", "a@b",
                "x#y", "://", "word", " ", "😀", "Sooo", "http", "https", "ww.", "w", "W", ":", "//", "\n", "é", "@@x",
                "##y", "h://z", "@whttp://x", "#www.y"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_LINK_PIECES), max_size=12).map("".join), min_size=1, max_size=6))
def test_links_mentions_and_hashtags_in_any_order(texts):
    """The link, mention and hashtag passes copy each tweet up to where their first match can start (5
    before the first "://", a "www." in any case, the first mark) and scan from there: the same tokens
    as the three regex passes one after another, also where a mark hides inside a link or a link
    inside a mention."""
    _check(texts, _RANDOM_VOCAB)

_ENTITY_PIECES = ["&amp;", "&lt;", "&gt;", "&quot;", "&", "&amp", "&ampx;", "&lt", "&#39;", "&#x27;", "&nbsp;",
                  "&AMP;", "&amp;lt;", "& ", "&;", "&\t", "&\r", "&<", "&&", "amp;", "lt;", "x", " ", "é", "😀", "\u00a0"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_ENTITY_PIECES), max_size=10).map("".join), min_size=1, max_size=6))
def test_html_entities_as_html_unescape_reads_them(texts):
    """The UTF-8 path's kernel unescapes "&amp;", "&lt;", "&gt;" and "&quot;" itself and leaves a tweet
    with any other entity to html.unescape: the same tokens either way (`_check_utf8`)."""
    _check(texts, _RANDOM_VOCAB)


def test_off_switch_and_not_ready(monkeypatch):
    monkeypatch.setenv("CTA_FAST_TOKENS", "0")
    assert not fast_tokens.ready() and fast_tokens.encode(["hi"], {"hi": 2}) is None
    assert not fast_tokens.warm_up()


tweets = st.one_of(st.lists(st.sampled_from(PIECES), max_size=14).map("".join), st.none())
_RANDOM_VOCAB = _vocab(["".join(PIECES)] * 2 + [p for p in PIECES for _ in range(2)])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(tweets, max_size=8))
def test_random_tweets(texts):
    _check(texts, _RANDOM_VOCAB)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=5))
def test_any_text(texts):
    _check(texts, _RANDOM_VOCAB)


def test_a_worker_that_is_not_compiling_loads_the_kernel_once_it_is_in_the_cache(monkeypatch, tmp_path):
    marker = tmp_path / "compiled"
    monkeypatch.setattr(fast_tokens, "_marker", lambda: marker)
    monkeypatch.setattr(fast_tokens, "_kernel", None)
    monkeypatch.setattr(fast_tokens, "_warming", False)
    monkeypatch.setattr(fast_tokens, "_keep_trying", False)
    assert not fast_tokens.compiled_before()
    fast_tokens.warm_up_async(compile=False, keep_trying=True)  # nothing compiled it yet: not compiled twice
    assert not fast_tokens._warming
    assert fast_tokens.encode(["hi there"], {"hi": 2}) is None  # Python tokenises meanwhile
    assert not fast_tokens._warming
    assert fast_tokens.warm_up() and marker.exists()  # the compiling process leaves the marker
    monkeypatch.setattr(fast_tokens, "_kernel", None)
    assert fast_tokens.encode(["hi there"], {"hi": 2}) is None  # not loaded here yet: starts loading
    assert fast_tokens._warming
    for _ in range(600):
        if fast_tokens.ready():
            break
        time.sleep(0.05)
    fast = fast_tokens.encode(["hi there"], {"hi": 2})
    assert fast is not None and fast.ids[0, :2].tolist() == [2, OOV_ID]


POOL_CHILD = textwrap.dedent("""
    import os, sys, time
    from cta_desktop.core import fast_tokens
    from cta_desktop.core.analysis import workers
    from cta_desktop.core.modelstore import load_model

    def state(_):
        time.sleep(0.05)
        return os.getpid(), fast_tokens._warming

    def getting_it(model):
        pool = workers.get_pool(model, 2)
        seen = dict(pool.map(state, range(40)))
        workers.shutdown_workers()
        return len(seen), sum(seen.values())

    model = load_model(80)
    assert not fast_tokens.compiled_before()
    print("alone=%d,%d" % getting_it(model))
    fast_tokens._warming = True  # as when the GUI's start-up thread is compiling it
    print("app=%d,%d" % getting_it(model))
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork start method")
def test_one_worker_compiles_on_a_fresh_install_and_none_while_the_app_does(tmp_path, run_python):
    out = run_python(POOL_CHILD, {"CTA_CACHE_DIR": str(tmp_path / "fresh"), "CTA_MP_START": "fork"},
                     drop_env=["NUMBA_CACHE_DIR"])
    got = dict(line.split("=") for line in out.split() if "=" in line)
    assert got["alone"] == "2,1"  # two workers answered; exactly one of them is getting the kernel
    assert got["app"] == "2,0"  # none while the app compiles it: they load it once it is in the cache


def _multilingual_texts() -> list[str]:
    import csv
    from pathlib import Path

    path = Path(__file__).parent / "data" / "multilingual_tweets.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        return [row["text"] for row in csv.DictReader(fh)]


def test_the_language_identifier_kernels_give_py3langids_answers(shared_texts):
    """identify_many through the compiled walk and scores: py3langid's own language for every text
    (the probabilities to 1e-5: the sums run in another order)."""
    from cta_desktop.core import language
    from cta_desktop.core.preprocess import tokenize

    texts = [" ".join(language.word_tokens(tokenize(t))) for t in shared_texts[:20_000] + _multilingual_texts()]
    texts += ["", "12345", "ÄÖÜ", "Ελληνικά κείμενα", "😀😀", "ＡＢＣ full width"]
    walk = fast_tokens.langid_walk()
    assert walk is not None
    language.identify_many(texts[:5], walk)  # tables built
    assert language._WALK_TABLES is not False, "the kernels disagreed with py3langid on its probes"
    ident = language._identifier()
    t0 = time.perf_counter()
    want = [ident.classify(t) for t in texts]
    t1 = time.perf_counter()
    got = language.identify_many(texts, walk)
    t2 = time.perf_counter()
    assert [g[0] for g in got] == [w[0] for w in want]
    assert max(abs(g[1] - w[1]) for g, w in zip(got, want, strict=True)) <= 1e-5
    assert len({w[0] for w in want}) >= 8  # the check set spans many languages
    print(f"identify_many: {(t1 - t0) / (t2 - t1):.1f}x py3langid's classify")


def test_kernels_that_disagree_with_py3langid_are_not_used(monkeypatch):
    """The kernels are checked against py3langid's classify on probe texts first (a py3langid that
    scores otherwise): when they disagree, identify_many asks classify text by text."""
    from cta_desktop.core import language

    ident = language._identifier()
    features, scores = fast_tokens.langid_walk()
    monkeypatch.setattr(language, "_WALK_TABLES", None)
    texts = ["Vielen Dank für den schönen Abend in Berlin", "thank you all so much"]
    wrong = (features, lambda *args: np.zeros((len(args[2]) - 1, len(ident.nb_classes)), np.float32))
    assert language.identify_many(texts, wrong) == [ident.classify(t) for t in texts]
    assert language._WALK_TABLES is False


def test_a_fresh_process_builds_the_identifier_and_the_kernels_tables_in_one_call(monkeypatch):
    """No identifier and no tables yet (a new worker): detect_languages builds both (one lock guards
    them, so the identifier is made before the tables are), and answers as detect_language does."""
    from cta_desktop.core import language
    from cta_desktop.core.preprocess import tokenize

    monkeypatch.setattr(language, "_IDENTIFIER", None)
    monkeypatch.setattr(language, "_WALK_TABLES", None)
    texts = ["Vielen Dank für den schönen Abend in Berlin, wirklich", "오늘 정말 감사합니다 여러분", "thanks so much"]
    got = language.detect_languages(texts, [tokenize(t) for t in texts], None, fast_tokens.langid_walk())
    assert language._WALK_TABLES is not False and language._WALK_TABLES is not None
    assert got == [language.detect_language(t) for t in texts] == ["de", "ko", "en"]
