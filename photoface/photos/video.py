"""Videos through PyAV (FFmpeg inside its wheel): frames sampled for detection,
and one frame decoded again to be shown.

A video is stored like a photo: its stored frame is the decoded picture before
the display matrix's rotation, which becomes the EXIF orientation, so boxes map
between frames exactly as for a JPEG. Only keyframes are decoded (each on its
own, the packets between them are only read, or for a long video skipped by
seeking), so a minute of 1080p costs about 30 frame decodes, not 1,800. Each file gets a decoding time limit and frames
over the photos' pixel limit are refused before they are decoded.
"""

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from pathlib import Path

import av

from photoface.photos.loader import LoadedPhoto, PhotoError, check_pixels, open_regular_file, upright

SAMPLE_EVERY_S = 2.0  # at least this far apart; longer videos spread MAX_SAMPLES over their length
MAX_SAMPLES = 60
DECODE_LIMIT_S = 60.0  # per file, reading and decoding only (not detecting): a hostile file stops here
READ_THROUGH_S = 300.0  # videos up to this long are read through; longer ones are sought to each sample time

# The display matrix's counter-clockwise rotation (PyAV's VideoFrame.rotation) -> EXIF orientation.
# Mirrored display matrices are rare (none from phones) and shown unmirrored.
_ROTATION_TO_ORIENTATION = {0: 1, 90: 8, 180: 3, 270: 6}


@dataclass
class SampledFrame:
    time_ms: int
    photo: LoadedPhoto  # the frame upright, at full resolution


def sample_frames(path: str | Path) -> Iterator[SampledFrame]:
    """Keyframes about every SAMPLE_EVERY_S (at most MAX_SAMPLES), upright; PhotoError if the file is no
    readable video, too large, or takes longer than DECODE_LIMIT_S to read (time spent by the caller
    between frames does not count)."""
    path = Path(path)
    with _bad_data_refused(path):
        yield from _keyframes(path)


def _keyframes(path: Path) -> Iterator[SampledFrame]:
    clock = _DecodeClock(path)
    taken = 0
    with _opened(path) as (container, stream):
        for seconds, packet in _sample_packets(path, container, stream, clock):
            frame = _decode_alone(path, stream, packet, clock)
            if frame is None:
                continue
            yield SampledFrame(round(seconds * 1000), _loaded(path, frame))
            clock.resume()
            taken += 1
            if taken == MAX_SAMPLES:
                return
    if taken == 0:
        raise PhotoError(path, "no frame could be decoded")


def _sample_packets(path: Path, container, stream, clock: "_DecodeClock") -> Iterator[tuple[float, object]]:
    """Keyframe packets (with their time) about ``every_s`` apart. A short video is read through; a long one
    is sought to each sample time, so that its packets in between are never read."""
    duration = _duration_s(container, stream)
    every_s = max(SAMPLE_EVERY_S, duration / MAX_SAMPLES)
    start = _seconds(stream.start_time, stream.time_base) or 0.0
    targets = [start + i * every_s for i in range(MAX_SAMPLES)] if duration > READ_THROUGH_S else [None]
    next_s = -math.inf
    for target in targets:
        read_through = target is None or not _seek(container, stream, target)
        for packet in _guarded(path, container.demux(stream), clock):
            seconds = _seconds(packet.pts, packet.time_base)
            if not packet.is_keyframe or seconds is None or seconds < next_s:
                continue
            next_s = seconds + every_s * 0.9  # keyframes a little early still count as the next sample
            yield seconds, packet
            if not read_through:
                break  # on to the next sample time
        if read_through:
            return


def frame_at(path: str | Path, time_ms: int, max_side: int | None = None) -> LoadedPhoto:
    """The frame shown at ``time_ms`` (the first one from there), upright, reduced so that its long
    side is about ``max_side``; PhotoError as ``sample_frames``."""
    path = Path(path)
    clock = _DecodeClock(path)
    with _bad_data_refused(path), _opened(path) as (container, stream):
        target = time_ms / 1000
        if target > 0:
            _seek(container, stream, target)
        frames = _guarded(path, container.decode(stream), clock)
        frame = next((f for f in frames if f.time is None or f.time >= target - 0.0005), None)
        if frame is None:
            raise PhotoError(path, "no frame at that time")
        photo = _loaded(path, frame)
    if max_side and max(photo.image.size) > max_side:
        photo.image.thumbnail((max_side, max_side))
    return photo


def recorded_at(path: str | Path) -> datetime | None:
    """When the video was recorded (its creation_time, as naive local time like EXIF dates); None if unknown."""
    try:
        with _opened(Path(path)) as (container, stream):
            value = container.metadata.get("creation_time") or stream.metadata.get("creation_time")
        recorded = datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except (PhotoError, ValueError):
        return None
    # 1904-01-01 or 1970-01-01: a camera that never set its clock
    if recorded is None or recorded.year < 1980:
        return None
    return recorded.astimezone().replace(tzinfo=None) if recorded.tzinfo else recorded


@contextmanager
def _bad_data_refused(path: Path):
    """PhotoError for whatever else FFmpeg or PyAV raise on hostile data."""
    try:
        yield
    except PhotoError:
        raise
    except MemoryError as exc:
        raise PhotoError(path, "out of memory") from exc
    except Exception as exc:  # decoders raise all sorts on bad data
        raise PhotoError(path, "truncated or corrupt") from exc


class _DecodeClock:
    """The time spent reading and decoding one file, paused while the caller uses a frame."""

    def __init__(self, path: Path):
        self._path = path
        self._spent = 0.0
        self._since = time.monotonic()

    def resume(self) -> None:
        self._since = time.monotonic()

    def check(self) -> None:
        now = time.monotonic()
        self._spent += now - self._since
        self._since = now
        if self._spent > DECODE_LIMIT_S:
            raise PhotoError(self._path, f"took too long to decode (limit {DECODE_LIMIT_S:.0f} s)")


@contextmanager
def _opened(path: Path):
    """The file's container and its first video stream, checked against the pixel limit."""
    _call(path, open_regular_file, path).close()  # refuses FIFOs, which would block FFmpeg
    container = _call(path, av.open, str(path), metadata_errors="ignore")
    with container:
        stream = next(iter(container.streams.video), None)
        if stream is None:
            raise PhotoError(path, "no video in the file")
        if stream.codec_context is None:  # FFmpeg has no decoder for it
            raise PhotoError(path, "video codec not supported")
        check_pixels(path, (stream.codec_context.width, stream.codec_context.height))
        stream.codec_context.thread_count = 1  # the indexer reads files in parallel already
        yield container, stream


def _seek(container, stream, seconds: float) -> bool:
    """To the keyframe at or before ``seconds``; False if the file cannot seek (it goes on from where it is)."""
    if not stream.time_base:
        return False
    try:
        container.seek(int(seconds / stream.time_base), stream=stream, backward=True)
    except av.FFmpegError:
        return False
    return True


def _decode_alone(path: Path, stream, packet, clock: _DecodeClock):
    """A keyframe decoded from its packet alone (the decoder drained and reset), or None."""
    codec = stream.codec_context
    try:
        frames = [*codec.decode(packet), *codec.decode(None)]
    except av.FFmpegError:
        frames = []  # one broken keyframe: try the next
    finally:
        codec.flush_buffers()
    clock.check()
    if not frames:
        return None
    check_pixels(path, (frames[0].width, frames[0].height))
    return frames[0]


def _guarded(path: Path, items, clock: _DecodeClock):
    """Packets or frames from FFmpeg, with its errors and the time limit turned into PhotoError."""
    iterator = iter(items)
    while True:
        try:
            item = next(iterator)
        except StopIteration:
            return
        except av.FFmpegError as exc:
            raise PhotoError(path, "truncated or corrupt") from exc
        clock.check()
        yield item


def _loaded(path: Path, frame) -> LoadedPhoto:
    try:
        image = frame.to_image()  # RGB
    except (av.FFmpegError, ValueError) as exc:
        raise PhotoError(path, "truncated or corrupt") from exc
    orientation = _ROTATION_TO_ORIENTATION.get(round(frame.rotation / 90) * 90 % 360, 1)
    return LoadedPhoto(upright(image, orientation), image.size, orientation)


def _call(path: Path, function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except PhotoError:
        raise
    except FileNotFoundError as exc:
        raise PhotoError(path, "cannot read: no such file or directory") from exc
    except av.InvalidDataError as exc:
        raise PhotoError(path, "not a video") from exc
    except av.FFmpegError as exc:
        raise PhotoError(path, "truncated or corrupt") from exc
    except OSError as exc:
        raise PhotoError(path, f"cannot read: {exc.strerror or exc}".lower()) from exc


def _duration_s(container, stream) -> float:
    """The video's length in seconds (0 if it does not say)."""
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return container.duration / av.time_base if container.duration else 0.0


def _seconds(pts: int | None, time_base: Fraction | None) -> float | None:
    return None if pts is None or time_base is None else float(pts * time_base)

