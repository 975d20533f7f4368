"""The order photos are analysed in (issue #19): spread over folders and dates, nothing lost."""

from photoface.index.order import spread, spread_order
from photoface.store.records import PhotoRecord


def record(path: str, mtime: int) -> PhotoRecord:
    return PhotoRecord(path, size=1, mtime_ns=mtime, content_hash=path)


def test_spread_is_a_permutation_whose_prefixes_cover_the_range():
    for n in (0, 1, 2, 5, 16, 100):
        order = spread(list(range(n)))
        assert sorted(order) == list(range(n))
    order = spread(list(range(100)))
    assert order[:2] == [0, 64]
    assert max(order[:8]) - min(order[:8]) >= 75, "8 picks span most of the range"
    gaps = sorted(order[:8])
    assert max(b - a for a, b in zip(gaps, gaps[1:])) <= 32, "and leave no big hole"


def test_each_folder_gives_one_photo_before_any_gives_a_second():
    # A library walked in name order: 3 years of 40 photos, then an album of 2.
    records = [record(f"/lib/{year}/img{i:03}.jpg", mtime=year * 1000 + i)
               for year in (2019, 2020, 2021) for i in range(40)]
    records += [record("/lib/zz-album/a.jpg", 1), record("/lib/zz-album/b.jpg", 2)]
    order = spread_order(records)
    assert sorted(r.path for r in order) == sorted(r.path for r in records), "every photo once"
    first_folders = {r.path.split("/")[2] for r in order[:4]}
    assert first_folders == {"2019", "2020", "2021", "zz-album"}
    assert {r.path.split("/")[2] for r in order[4:8]} == first_folders


def test_within_a_folder_the_first_photos_span_its_dates():
    records = [record(f"/lib/all/img{i:03}.jpg", mtime=(100 - i)) for i in range(100)]  # names against dates
    order = spread_order(records)
    first_dates = sorted(r.mtime_ns for r in order[:4])
    assert first_dates[0] <= 26 and first_dates[-1] >= 75, "a quarter of the photos apart, by date"
    assert spread_order(records) == order, "deterministic"
