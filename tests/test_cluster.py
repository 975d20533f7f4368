"""Face clustering: neighbour graphs, average linkage, seeds, same-photo rule, numbering."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import pdist

from photoface.cluster.agglomerative import (DEFAULT_NEIGHBOURS, LEGACY_THRESHOLD, LEVELS, UNSORTED,
                                             attach_to_groups, cluster_embeddings, cuts_at)
from photoface.cluster.linkage import VOUCH_FROM, VOUCH_RATIO, Cut, average_linkage
from photoface.cluster.neighbours import nearest_neighbours
from photoface.evaluation.clustering import pairwise_prf
from photoface.evaluation.synthetic import synthetic_faces


def unit(vectors):
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)


def blobs(centres, per_blob, spread, seed=0):
    """Points around unit ``centres``, blob by blob, and their blob index."""
    rng = np.random.default_rng(seed)
    centres = unit(centres)
    which = np.repeat(np.arange(len(centres)), per_blob)
    return unit(centres[which] + spread * rng.standard_normal((len(which), centres.shape[1]))), which


def same_partition(a, b):
    return pairwise_prf(a, b)[:2] == (1.0, 1.0)


def people_only(identity):
    """True labels as the clustering should give them: people seen once are unsorted."""
    return np.where(np.bincount(identity)[identity] > 1, identity, -1)


@pytest.fixture(scope="module")
def faces():
    return synthetic_faces(600, singleton_fraction=0.2, seed=1)


# --- neighbours ---------------------------------------------------------------------------------

def test_exact_neighbours_match_brute_force():
    vectors = unit(np.random.default_rng(0).standard_normal((300, 16)))
    indices, distances = nearest_neighbours(vectors, 5)
    all_distances = ((vectors[:, None] - vectors[None]) ** 2).sum(-1)
    np.fill_diagonal(all_distances, np.inf)
    assert np.array_equal(indices, np.argsort(all_distances, axis=1, kind="stable")[:, :5])
    assert np.allclose(distances, np.sort(all_distances, axis=1)[:, :5], atol=1e-5)


def test_exact_duplicate_is_a_neighbour_but_not_oneself():
    vectors = unit([[1, 0], [1, 0], [0, 1]])
    indices, distances = nearest_neighbours(vectors, 1)
    assert indices[:2, 0].tolist() == [1, 0]
    assert distances[0, 0] == 0


def test_neighbours_of_other_queries_and_k_capped():
    vectors = unit([[1, 0], [0, 1], [1, 1]])
    indices, _ = nearest_neighbours(vectors, 10, unit([[1, 0.1]]))
    assert indices.tolist() == [[0, 2, 1]]
    assert nearest_neighbours(vectors, 10)[0].shape == (3, 2)


def test_inverted_file_finds_the_close_neighbours():
    vectors, _ = synthetic_faces(3000, seed=2)
    exact, distances = nearest_neighbours(vectors, 10, exact=True)
    approximate, _ = nearest_neighbours(vectors, 10, exact=False)
    found = np.array([[j in set(b) for j in a] for a, b in zip(exact.tolist(), approximate.tolist())])
    assert found[distances < 1.2].mean() > 0.95
    assert not np.any(approximate == np.arange(len(vectors))[:, None])


# --- linkage ------------------------------------------------------------------------------------

def test_linkage_on_a_complete_graph_is_exact_average_linkage():
    vectors, _ = blobs(np.eye(8)[:4] + 0.3, per_blob=15, spread=0.25)
    neighbours, distances = nearest_neighbours(vectors, len(vectors))
    ours = average_linkage(vectors, neighbours, distances, threshold=1.0)
    tree = linkage(pdist(vectors, "sqeuclidean"), method="average")
    assert same_partition(ours, fcluster(tree, 1.0, criterion="distance"))
    assert len(np.unique(ours)) > 1


def test_cut_is_strict_for_single_faces_and_looser_for_big_clusters():
    cut = Cut(1.0, 1.4)
    assert cut.at(1, 1) == pytest.approx(1.0)
    assert cut.at(1, 1000) == pytest.approx(1.4 - 0.4 / np.sqrt(2), abs=1e-3)  # a face's own noise stays
    assert cut.at(4, 4) == pytest.approx(1.2)
    assert cut.at(4, 4) < cut.at(16, 16) < 1.4
    assert np.all(Cut(0.9).at(np.array([1, 50]), 50) == 0.9)
    assert Cut(1.0, 1.4, pair=0.7).at(1, 1) == pytest.approx(0.7)
    assert Cut(1.0, 1.4, pair=0.7).at(np.array([1, 4]), 4).tolist() == cut.at(np.array([1, 4]), 4).tolist()


def test_big_clusters_of_one_person_merge_where_two_faces_would_not():
    """Two halves of a person, 1.14 apart on average, merge; two single faces 1.15 apart do not."""
    half_a, _ = blobs([np.eye(16)[0]], per_blob=10, spread=0.2, seed=1)
    half_b, _ = blobs([np.eye(16)[0] + 1.2 * np.eye(16)[1]], per_blob=10, spread=0.2, seed=2)
    vectors = np.concatenate([half_a, half_b])
    between = ((half_a[:, None] - half_b[None]) ** 2).sum(-1).mean()
    assert 1.0 < between < 1.3
    assert np.unique(cluster_embeddings(vectors)).tolist() == [0]
    assert len(np.unique(cluster_embeddings(vectors, threshold=1.0))) == 2
    pair = unit([[1, 0, 0], [1, 2.1, 0]])
    assert 1.0 < ((pair[0] - pair[1]) ** 2).sum() < 1.3
    assert cluster_embeddings(pair).tolist() == [-1, -1]


def test_lone_face_joins_only_a_clearly_nearest_cluster():
    a, _ = blobs([np.eye(16)[0]], per_blob=8, spread=0.2, seed=1)  # faces 0.67 apart
    b, _ = blobs([np.eye(16)[1]], per_blob=8, spread=0.2, seed=2)
    near_a = unit(np.eye(16)[0] + 0.3 * np.eye(16)[1] + 1.4 * np.eye(16)[2])[None]  # 1.10 from a, 1.69 from b
    labels = cluster_embeddings(np.concatenate([a, b, near_a]))
    assert labels[16] == labels[0] != labels[8]
    assert cluster_embeddings(np.concatenate([a, b, near_a]), threshold=0.9)[16] == -1  # the old cut leaves it out
    halfway = unit(np.eye(16)[0] + np.eye(16)[1] + 1.6 * np.eye(16)[2])[None]  # 1.18 from each
    assert cluster_embeddings(np.concatenate([a, b, halfway]))[16] == -1


def test_lone_face_stays_out_of_a_cluster_much_tighter_than_its_distance():
    """A look-alike stranger: clearly nearest to a, but 4x farther from a's faces than they are from each other."""
    a, _ = blobs([np.eye(16)[0]], per_blob=8, spread=0.1, seed=1)  # faces 0.23 apart
    b, _ = blobs([np.eye(16)[1]], per_blob=8, spread=0.1, seed=2)
    stranger = unit(np.eye(16)[0] + 0.3 * np.eye(16)[1] + 1.4 * np.eye(16)[2])[None]  # 0.95 from a, 1.66 from b
    labels = cluster_embeddings(np.concatenate([a, b, stranger]))
    assert labels[16] == -1 and labels[0] == labels[7] != labels[8]


@pytest.mark.parametrize("spread, lean, seed, far_from", [
    (0.1, 1.3, 1, "linkage"),  # 0.84 from the person, under the single-face cut: a merge in the linkage
    (0.18, 1.4, 3, "adoption"),  # 1.10 from the person: only the lone-seed rule could take it in
])
def test_a_stranger_whose_look_alikes_vouch_for_it_stays_out(spread, lean, seed, far_from):
    """A face near a person but among none of the person's faces' k nearest joins the person only while
    no face at all has it among its nearest; its own look-alikes having it among theirs keep it out."""
    e = np.eye(16)
    person, _ = blobs([e[0]], per_blob=20, spread=spread, seed=seed)
    stranger = unit(e[0] + lean * e[1])[None]
    look_alikes = unit(stranger + 2.6 * e[2:5] + 0.4 * e[1])  # 1.08 from the stranger, 1.5+ from the person
    linkage = ((person - stranger) ** 2).sum(-1).mean()
    within = ((person[:, None] - person[None]) ** 2).sum(-1).sum() / (20 * 19)
    assert linkage / within > VOUCH_RATIO and linkage > VOUCH_FROM
    assert (linkage < cuts_at(0)[0].single) == (far_from == "linkage")
    neighbours, _ = nearest_neighbours(np.concatenate([person, stranger, look_alikes]), DEFAULT_NEIGHBOURS)
    assert not np.isin(20, neighbours[:20]) and np.isin(20, neighbours[21:])

    alone = cluster_embeddings(np.concatenate([person, stranger]))
    assert np.unique(alone).tolist() == [0]
    crowded = cluster_embeddings(np.concatenate([person, stranger, look_alikes]))
    assert crowded[:20].tolist() == [0] * 20 and crowded[20:].tolist() == [-1] * 4
    if far_from == "linkage":  # the old single cut, which asks for no vouching, took it in
        assert cluster_embeddings(np.concatenate([person, stranger, look_alikes]), threshold=LEGACY_THRESHOLD)[20] == 0


def test_two_lone_faces_pair_only_below_the_pair_cut():
    cut = cuts_at(0)[0]
    assert cut.at(1, 1) == pytest.approx(cut.pair) and cut.pair < cut.single
    assert cut.at(1, 2) > cut.single  # a face and a cluster keep the size-aware cut
    for distance, paired in ((cut.pair - 0.05, True), ((cut.pair + cut.single) / 2, False)):
        cos = 1 - distance / 2
        pair = unit([[1, 0], [cos, np.sqrt(1 - cos ** 2)]])
        assert (cluster_embeddings(pair).tolist() == [0, 0]) is paired


def test_higher_level_groups_more_together():
    rng = np.random.default_rng(5)
    centres = unit(rng.standard_normal((6, 32)))
    rng = np.random.default_rng(6)
    identity = np.repeat(np.arange(6), 8)
    vectors = unit(centres[identity] + 0.2 * rng.standard_normal((len(identity), 32)))
    labels = [cluster_embeddings(vectors, level=level) for level in LEVELS]
    unsorted = [int(np.sum(found < 0)) for found in labels]
    recall = [pairwise_prf(identity, found)[1] for found in labels]
    assert unsorted == sorted(unsorted, reverse=True) and unsorted[0] > unsorted[-1]
    assert recall == sorted(recall) and recall[0] < recall[-1]


def test_levels_move_every_cut_and_an_unknown_level_is_refused():
    looser = [cuts_at(level) for level in LEVELS]
    assert all(a[0].single < b[0].single and a[0].loosest < b[0].loosest and a[0].pair < b[0].pair and a[1] < b[1]
               for a, b in zip(looser, looser[1:]))
    with pytest.raises(ValueError):
        cluster_embeddings(unit(np.eye(3)), level=LEVELS.stop)


# --- clustering ---------------------------------------------------------------------------------

def test_separated_people_are_recovered_exactly(faces):
    vectors, identity = faces
    labels = cluster_embeddings(vectors)
    assert same_partition(people_only(identity), labels)
    sizes = np.bincount(labels[labels >= 0])
    assert np.all(np.diff(sizes) <= 0), "0 is the biggest cluster"


def test_clusters_below_min_size_are_unsorted(faces):
    vectors, identity = faces
    labels = cluster_embeddings(vectors, min_cluster_size=3)
    small = np.bincount(identity)[identity] < 3
    assert np.all(labels[small] == -1)
    assert np.all(labels[~small] >= 0)


def test_non_seeds_join_but_never_form_clusters(faces):
    vectors, identity = faces
    rng = np.random.default_rng(3)
    seeds = rng.random(len(vectors)) > 0.3
    lonely_person = identity[np.flatnonzero(np.bincount(identity)[identity] > 1)[0]]
    seeds[identity == lonely_person] = False
    labels = cluster_embeddings(vectors, seeds=seeds, min_cluster_size=1)
    assert np.all(labels[identity == lonely_person] == -1)
    has_seed = np.bincount(identity, weights=seeds)[identity] > 0
    expected = np.where(has_seed, identity, -1)
    assert same_partition(expected, labels)


def test_two_faces_of_one_photo_never_share_a_person():
    vectors, _ = blobs(np.eye(16)[:2], per_blob=6, spread=0.05)
    photo_ids = np.arange(len(vectors))
    photo_ids[1] = photo_ids[0]
    labels = cluster_embeddings(vectors, photo_ids=photo_ids)
    assert sorted(labels[:2].tolist()) == [-1, labels[2]], "one stays, the other has nowhere to go"
    assert np.all(labels[2:6] == labels[2])


def test_face_pushed_out_by_its_photo_goes_to_its_next_best_person():
    a, _ = blobs([np.eye(8)[0]], per_blob=5, spread=0.02, seed=1)
    b, _ = blobs([np.eye(8)[1]], per_blob=5, spread=0.02, seed=2)
    between = unit(np.eye(8)[0] + 0.9 * np.eye(8)[1])[None]  # nearer a than b, within 1.1 of both
    vectors = np.concatenate([a, b, between])
    alone = cluster_embeddings(vectors)
    assert alone[10] == alone[0] != alone[5]
    photo_ids = np.arange(11)
    photo_ids[10] = photo_ids[0]
    labels = cluster_embeddings(vectors, photo_ids=photo_ids)
    assert labels[10] == labels[5] != labels[0]


def test_seed_beats_a_non_seed_of_the_same_photo():
    vectors, _ = blobs(np.eye(16)[:1], per_blob=6, spread=0.05)
    seeds = np.ones(6, dtype=bool)
    seeds[0] = False
    photo_ids = np.array([7, 7, 1, 2, 3, 4])
    labels = cluster_embeddings(vectors, seeds=seeds, photo_ids=photo_ids)
    assert labels.tolist() == [-1, 0, 0, 0, 0, 0]


def test_deterministic_and_independent_of_input_order(faces):
    vectors, _ = faces
    first = cluster_embeddings(vectors)
    assert np.array_equal(first, cluster_embeddings(vectors))
    order = np.random.default_rng(4).permutation(len(vectors))
    assert same_partition(first[order], cluster_embeddings(vectors[order]))


def test_no_seeds_or_no_faces_means_all_unsorted():
    vectors, _ = blobs(np.eye(4)[:1], per_blob=4, spread=0.05)
    assert cluster_embeddings(vectors, seeds=np.zeros(4, dtype=bool)).tolist() == [-1] * 4
    assert cluster_embeddings(np.empty((0, 4))).shape == (0,)


@settings(max_examples=40, deadline=None)
@given(n_people=st.integers(1, 5), per_person=st.integers(1, 8), seed=st.integers(0, 2**16),
       n_photos=st.integers(1, 20), min_cluster_size=st.integers(1, 4))
def test_invariants(n_people, per_person, seed, n_photos, min_cluster_size):
    rng = np.random.default_rng(seed)
    vectors, _ = blobs(rng.standard_normal((n_people, 16)), per_person, spread=0.1, seed=seed)
    seeds = rng.random(len(vectors)) < 0.6
    photo_ids = rng.integers(0, n_photos, len(vectors))
    labels = cluster_embeddings(vectors, k=5, seeds=seeds, photo_ids=photo_ids,
                                min_cluster_size=min_cluster_size)
    labelled = labels >= 0
    pairs = set(zip(labels[labelled].tolist(), photo_ids[labelled].tolist()))
    assert len(pairs) == labelled.sum(), "two faces of one photo share a person"
    assert set(labels[labelled & ~seeds]) <= set(labels[labelled & seeds]), "cluster without a seed"
    sizes = np.bincount(labels[labelled])
    assert np.all(sizes >= min_cluster_size) and np.all(np.diff(sizes) <= 0)


def fixed_groups_and_newcomers():
    """Two fixed groups of 6 faces (persons 10 and 20), then 3 new faces of 10, a lone one of 10,
    3 faces of a stranger and a lone face halfway between 10 and 20."""
    centres = unit(np.random.default_rng(3).standard_normal((3, 32)))
    faces, which = blobs(centres, 10, 0.08, seed=4)
    halfway = unit(centres[0] + centres[1])[None]
    group_vectors = np.concatenate([faces[which == 0][:6], faces[which == 1][:6]])
    group_labels = np.repeat([10, 20], 6)
    new = np.concatenate([faces[which == 0][6:10], faces[which == 2][:3], halfway])
    labels = np.array([0, 0, 0, UNSORTED, 1, 1, 1, UNSORTED])
    return new, labels, group_vectors, group_labels


def test_clusters_and_lone_faces_join_the_fixed_group_the_clustering_would_merge_them_with():
    new, labels, group_vectors, group_labels = fixed_groups_and_newcomers()
    joined = attach_to_groups(new, labels, np.ones(len(new), bool), group_vectors, group_labels)
    assert joined.tolist() == [10, 10, 10, 10, UNSORTED, UNSORTED, UNSORTED, UNSORTED]
    blurred = np.array([True] * 3 + [False] + [True] * 4)  # a lone face that may not seed stays out
    assert attach_to_groups(new, labels, blurred, group_vectors, group_labels)[3] == UNSORTED
    assert (attach_to_groups(new, labels, np.ones(len(new), bool), group_vectors, group_labels, level=-2)
            <= joined).all()


def test_a_cluster_with_a_face_barred_from_the_group_stays_out_whole():
    new, labels, group_vectors, group_labels = fixed_groups_and_newcomers()
    seeds = np.ones(len(new), bool)
    joined = attach_to_groups(new, labels, seeds, group_vectors, group_labels, barred=np.array([[1, 10], [3, 20]]))
    assert joined.tolist()[:4] == [UNSORTED, UNSORTED, UNSORTED, 10]  # a bar from another group changes nothing
    assert attach_to_groups(new, labels, seeds, group_vectors[:0], group_labels[:0]).tolist() == [UNSORTED] * 8


def test_a_face_as_near_two_groups_joins_neither():
    new, labels, group_vectors, group_labels = fixed_groups_and_newcomers()
    twins = np.concatenate([group_vectors[:6], group_vectors[:6]])  # two groups of the same faces
    joined = attach_to_groups(new, labels, np.ones(len(new), bool), twins, np.repeat([10, 20], 6))
    assert (joined == UNSORTED).all()
