"""Videos written with PyAV from the shared photos, for tests and benchmarks (never committed)."""

import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path

import av
from PIL import Image

FPS = 10


def letterboxed(photo: Image.Image, size: tuple[int, int]) -> tuple[Image.Image, float, tuple[int, int]]:
    """``photo`` fitted into a black frame of ``size``; with its scale and offset in the frame."""
    scale = min(size[0] / photo.width, size[1] / photo.height)
    fitted = photo.convert("RGB").resize((round(photo.width * scale), round(photo.height * scale)))
    offset = ((size[0] - fitted.width) // 2, (size[1] - fitted.height) // 2)
    frame = Image.new("RGB", size)
    frame.paste(fitted, offset)
    return frame, scale, offset


def still_scenes(scenes: Iterable[tuple[Image.Image, float]], fps: int = FPS) -> Iterator[Image.Image]:
    """Each (frame, seconds) shown in turn."""
    for image, seconds in scenes:
        yield from [image] * round(seconds * fps)


def write_video(path: Path, frames: Iterable[Image.Image], *, fps: int = FPS, codec: str = "libx264",
                rotation: int = 0, recorded: str | None = None, options: dict | None = None) -> None:
    """Frames of one size at ``fps``, a keyframe a second; ``rotation``: the display matrix's counter-clockwise
    degrees; ``recorded``: the creation_time a camera writes (ISO 8601, UTC); ``options``: the encoder's."""
    frames = iter(frames)
    first = next(frames)
    quiet = {"x265-params": "log-level=error"} if codec == "libx265" else {}
    with av.open(str(path), "w", container_options={"fflags": "+bitexact"}) as container:  # the same bytes each run
        if recorded:
            container.metadata["creation_time"] = recorded
        stream = container.add_stream(codec, rate=fps, options={**quiet, **(options or {})})
        stream.width, stream.height = first.size
        stream.pix_fmt = "yuv420p"
        stream.codec_context.gop_size = fps
        if rotation:
            stream.set_display_rotation(rotation)
        for image in itertools.chain([first], frames):  # one frame in memory at a time
            container.mux(stream.encode(av.VideoFrame.from_image(image)))
        container.mux(stream.encode())
