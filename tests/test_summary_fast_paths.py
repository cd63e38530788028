"""The running summary's numpy shortcuts give what the plain loops they replace give."""

from __future__ import annotations

from collections import Counter
from itertools import compress

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cta_desktop.core.analysis.summary import _months_by_class, _top_probability, _top_rows

N_CLASSES = 3
NOT_JUDGED = 255


def months_by_loop(dates, labels):
    """What RunningSummary.add counted before (and still counts when `_months_by_class` says None)."""
    months = [d[:7] if d else None for d in dates]
    out: Counter = Counter()
    for c in range(N_CLASSES):
        for month, count in Counter(compress(months, (labels == c).tolist())).items():
            if month:
                out[(month, c)] += count
    return out


iso = st.builds(lambda y, m, d, rest: f"{y:04d}-{m:02d}-{d:02d}{rest}", st.integers(0, 9999), st.integers(0, 99),
                st.integers(1, 31), st.sampled_from(["", " 10:11:12", "T23:59:59Z"]))
odd = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["2021-1-05", "20210105", "２０２１-01-05", "2021-01"]))


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_months_by_class_counts_as_the_loop(data):
    n = data.draw(st.integers(1, 40))
    shape = data.draw(st.sampled_from(["one", "iso", "any"]))
    if shape == "one":
        rest = data.draw(st.sampled_from(["", " 10:11:12"]))
        dates = [d[:10] + rest for d in data.draw(st.lists(iso, min_size=n, max_size=n))]
    elif shape == "iso":  # (several files' dates: with and without a time or a zone)
        dates = data.draw(st.lists(iso, min_size=n, max_size=n))
    else:
        dates = data.draw(st.lists(st.one_of(iso, odd), min_size=n, max_size=n))
    labels = np.array(data.draw(st.lists(st.sampled_from([0, 1, 2, NOT_JUDGED]), min_size=n, max_size=n)))
    fast = _months_by_class(dates, labels, N_CLASSES)
    if shape != "any":
        assert fast is not None  # the readers' dates take the numpy path, whatever their lengths
    if fast is not None:
        assert fast == months_by_loop(dates, labels)


def test_months_by_class_leaves_other_dates_to_the_loop():
    labels = np.zeros(2, np.int64)
    assert _months_by_class(["2021-01-05", None], labels, N_CLASSES) is None
    assert _months_by_class(["2021-01-05", "2021-1-05"], labels, N_CLASSES) is None  # no "YYYY-MM"
    assert _months_by_class(["2021-01-05", "2021-01"[:6]], labels, N_CLASSES) is None  # too short
    assert _months_by_class(["2021-01-05", "2021/01/05"], labels, N_CLASSES) is None
    assert _months_by_class(["２０２１-01-05", "2021-01-05"], labels, N_CLASSES) is None  # not ASCII
    # lengths that add up as if they were one: each date is still read from its own start
    three = np.zeros(3, np.int64)
    assert _months_by_class(["2021-01-05", "2021-02-052021-04-01", ""], three, N_CLASSES) is None
    dates = ["2021-01-05", "2021-02-052021-04", "2021-05"]
    assert _months_by_class(dates, three, N_CLASSES) == months_by_loop(dates, three)
    assert _months_by_class(["2021-01-05", "2021-02-05"], labels, N_CLASSES) == Counter({("2021-01", 0): 1,
                                                                                         ("2021-02", 0): 1})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([0.1, 0.25, 0.5, 0.75, 0.9, float("nan")]) | st.floats(0, 1, width=32),
                min_size=0, max_size=60), st.integers(1, 4), st.data())
def test_top_rows_is_the_stable_sort(conf_list, k, data):
    conf = np.array(conf_list, np.float32)
    idx = np.array(sorted(data.draw(st.sets(st.integers(0, max(0, len(conf) - 1)), max_size=len(conf)))), np.int64)
    if not len(conf):
        idx = idx[:0]
    expected = idx[np.argsort(-conf[idx], kind="stable")][:k]
    assert _top_rows(idx, conf, k).tolist() == expected.tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-1, 6) | st.integers(-2**62, 2**62), min_size=0, max_size=60), st.integers(1, 4))
def test_top_rows_of_counts_is_the_stable_sort(values, k):
    """Like counts (int64, -1 where unknown) as the most-liked tweets take them."""
    key = np.array(values, np.int64)
    idx = np.flatnonzero(key >= 0)
    assert _top_rows(idx, key, k).tolist() == idx[np.argsort(-key[idx], kind="stable")][:k].tolist()


def test_top_probability_is_the_row_max():
    probs = np.random.default_rng(1).dirichlet([1, 1, 1], 500).astype(np.float32)
    probs[3] = np.nan
    probs[7, 1] = np.nan
    assert np.array_equal(_top_probability(probs), probs.max(axis=1), equal_nan=True)
    assert _top_probability(probs).dtype == np.float32
