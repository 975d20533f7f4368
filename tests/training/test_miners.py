"""The vectorised semi-hard miner against a plain loop over the definition."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from photoface_training.miners import mine_semihard, pairwise_squared_distances


def mine_by_loop(distances: np.ndarray, labels: list[int], margin: float, fallback: str):
    """FaceNet 3.2 written out: every anchor-positive pair, its hardest semi-hard negative,
    else (fallback "hardest") its hardest negative; ties to the lowest index."""
    triplets = []
    n = len(labels)
    for anchor in range(n):
        for positive in range(n):
            if positive == anchor or labels[positive] != labels[anchor]:
                continue
            d_ap = distances[anchor][positive]
            negatives = [i for i in range(n) if labels[i] != labels[anchor]]
            semihard = [i for i in negatives if d_ap < distances[anchor][i] < d_ap + margin]
            pool = semihard or (negatives if fallback == "hardest" else [])
            if pool:
                best = pool[0]
                for i in pool[1:]:
                    if distances[anchor][i] < distances[anchor][best]:
                        best = i
                triplets.append((anchor, positive, best))
    return triplets


def mine(distances: np.ndarray, labels: list[int], margin: float, fallback: str):
    found = mine_semihard(torch.as_tensor(distances), torch.as_tensor(labels), margin, fallback)
    return list(zip(*(t.tolist() for t in found)))


batches = st.integers(2, 12).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, 3), min_size=n, max_size=n),
    # small integer distances: many ties and distances exactly on the band's edges
    st.lists(st.integers(0, 6), min_size=n * n, max_size=n * n),
))


@settings(max_examples=300, deadline=None)
@given(batch=batches, margin=st.sampled_from([0.5, 1.0, 2.0]), fallback=st.sampled_from(["hardest", "skip"]))
def test_miner_matches_loop_on_integer_distances(batch, margin, fallback):
    labels, values = batch
    n = len(labels)
    table = np.array(values, dtype=np.float64).reshape(n, n)
    distances = np.triu(table, 1) + np.triu(table, 1).T
    assert sorted(mine(distances, labels, margin, fallback)) == sorted(mine_by_loop(distances, labels, margin, fallback))


@pytest.mark.parametrize("seed", range(20))
def test_miner_matches_loop_on_random_embeddings(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 24))
    labels = rng.integers(0, 4, size=n).tolist()
    embeddings = torch.nn.functional.normalize(torch.as_tensor(rng.normal(size=(n, 8))), dim=1)
    distances = pairwise_squared_distances(embeddings).numpy()
    for fallback in ("hardest", "skip"):
        assert mine(distances, labels, 0.2, fallback) == sorted(mine_by_loop(distances, labels, 0.2, fallback))


def test_pairwise_squared_distances_by_loop():
    embeddings = torch.as_tensor(np.random.default_rng(1).normal(size=(5, 3)))
    table = pairwise_squared_distances(embeddings)
    for i in range(5):
        for j in range(5):
            assert table[i, j].item() == pytest.approx(float(((embeddings[i] - embeddings[j]) ** 2).sum()))


def test_semihard_is_preferred_to_a_harder_negative():
    # anchor 0, positive 1 at 1.0; negatives: 2 is harder (0.5), 3 semi-hard (1.1), 4 easy (3.0)
    distances = np.zeros((5, 5))
    for j, d in ((1, 1.0), (2, 0.5), (3, 1.1), (4, 3.0)):
        distances[0, j] = distances[j, 0] = d
    triplets = mine(distances, [0, 0, 1, 1, 2], 0.2, "hardest")
    assert (0, 1, 3) in triplets


def test_a_single_identity_gives_no_triplets():
    assert mine(np.ones((3, 3)) - np.eye(3), [7, 7, 7], 0.2, "hardest") == []


def test_unknown_fallback_is_refused():
    with pytest.raises(ValueError, match="fallback"):
        mine(np.zeros((2, 2)), [0, 1], 0.2, "random")
