"""Losses, the P x K sampler and heads, each on its own."""

import numpy as np
import pytest
import torch

from photoface_training.heads import LinearHead
from photoface_training.losses import harmonic_batch, triplet_loss
from photoface_training.sampler import PKSampler


def test_triplet_loss_is_the_hinge_on_squared_distances():
    anchors = torch.tensor([[1.0, 0.0], [1.0, 0.0]])
    positives = torch.tensor([[0.0, 1.0], [1.0, 0.0]])  # d_ap = 2, 0
    negatives = torch.tensor([[-1.0, 0.0], [0.0, 1.0]])  # d_an = 4, 2
    result = triplet_loss(anchors, positives, negatives, margin=0.2)
    # [2 - 4 + 0.2]_+ = 0 and [0 - 2 + 0.2]_+ = 0; move the second negative onto the anchor: 0.2
    assert result.loss.item() == pytest.approx(0.0) and result.active_fraction == 0.0
    result = triplet_loss(anchors, positives, torch.tensor([[-1.0, 0.0], [1.0, 0.0]]), margin=0.2)
    assert result.loss.item() == pytest.approx(0.1) and result.active_fraction == 0.5


def test_triplet_loss_without_triplets_is_zero_and_differentiable():
    embeddings = torch.zeros((0, 4), requires_grad=True)
    result = triplet_loss(embeddings, embeddings, embeddings)
    result.loss.backward()
    assert result.loss.item() == 0.0 and result.triplets == 0


def test_harmonic_batch_mixes_versions_with_shared_labels():
    new, old = torch.randn(3, 4, requires_grad=True), torch.randn(3, 4)
    embeddings, labels, is_new = harmonic_batch(new, old, torch.tensor([5, 5, 6]))
    assert labels.tolist() == [5, 5, 6, 5, 5, 6] and is_new.tolist() == [True] * 3 + [False] * 3
    embeddings.sum().backward()
    assert new.grad is not None


def test_pk_batches_are_p_identities_of_k_faces_and_reproducible():
    labels = np.repeat(np.arange(6), 5)
    sampler = PKSampler(np.append(labels, 99), p=3, k=4, seed=1)  # 99: a single face, never drawn
    batches = sampler.epoch(0)
    assert len(batches) == 3  # ceil(31 / 12)
    for batch in batches:
        counts = np.unique(labels[batch] if 30 not in batch else [], return_counts=True)[1]
        assert 30 not in batch and len(counts) == 3 and set(counts) == {4} and len(set(batch)) == 12
    assert all((a == b).all() for a, b in zip(batches, PKSampler(labels, 3, 4, seed=1).epoch(0)))
    assert not all((a == b).all() for a, b in zip(batches, sampler.epoch(1)))


def test_pk_sampler_needs_two_identities():
    with pytest.raises(ValueError, match="2 identities"):
        PKSampler(np.array([0, 0, 1]), p=2, k=2)


def test_pca_head_keeps_the_main_directions():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(200, 16)) * np.r_[np.full(4, 5.0), np.full(12, 0.1)]
    head = LinearHead(16, 4).initialise("pca", features)
    weight = head.linear.weight.detach().numpy()
    assert np.allclose(np.abs(weight[:, 4:]).max(), 0, atol=0.05)  # the 4 wide axes only
    assert torch.allclose(head(torch.ones(2, 16)).norm(dim=1), torch.ones(2))


def test_identity_head_is_the_base_embedding():
    features = torch.nn.functional.normalize(torch.randn(3, 8), dim=1)
    assert torch.allclose(LinearHead(8, 8).initialise("identity")(features), features, atol=1e-6)
    with pytest.raises(ValueError):
        LinearHead(8, 4).initialise("identity")
