"""Pairwise and BCubed scores on cases small enough to count by hand."""

import pytest

from photoface.evaluation.clustering import bcubed_prf, pairwise_prf


def test_perfect_clustering_scores_one_whatever_the_label_names():
    assert pairwise_prf([0, 0, 1, 1, 2], [5, 5, 3, 3, 9]) == (1.0, 1.0, 1.0)
    assert bcubed_prf([0, 0, 1, 1, 2], [5, 5, 3, 3, 9]) == (1.0, 1.0, 1.0)


def test_pairwise_counts_pairs():
    # true pairs: 01 02 12 34; predicted: 01 23 24 34; shared: 01 34
    assert pairwise_prf([0, 0, 0, 1, 1], [0, 0, 1, 1, 1]) == pytest.approx((0.5, 0.5, 0.5))


def test_bcubed_averages_over_faces():
    # precision per face 1, 1, 1/3, 2/3, 2/3; recall 2/3, 2/3, 1/3, 1, 1
    p, r, f = bcubed_prf([0, 0, 0, 1, 1], [0, 0, 1, 1, 1])
    assert (p, r, f) == pytest.approx((11 / 15, 11 / 15, 11 / 15))


def test_unsorted_faces_are_singletons_not_one_cluster():
    assert pairwise_prf([0, 0, -1], [-1, -1, -1]) == (1.0, 0.0, 0.0)
    # recall per face 1/2, 1/2, 1
    assert bcubed_prf([0, 0, -1], [-1, -1, -1]) == pytest.approx((1.0, 2 / 3, 0.8))


def test_merging_two_people_costs_precision_only():
    p, r, _ = pairwise_prf([0, 0, 1, 1], [0, 0, 0, 0])
    assert (p, r) == pytest.approx((1 / 3, 1.0))
    p, r, _ = bcubed_prf([0, 0, 1, 1], [0, 0, 0, 0])
    assert (p, r) == pytest.approx((0.5, 1.0))


def test_lengths_must_match():
    with pytest.raises(ValueError):
        pairwise_prf([0, 1], [0])
