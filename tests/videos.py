"""Videos written at test time with PyAV from the shared photos: a few seconds of still scenes."""

from pathlib import Path

import av
from PIL import Image

FPS = 10  # a keyframe every second (the indexer samples about one every 2 s)


def letterboxed(photo: Image.Image, size: tuple[int, int]) -> tuple[Image.Image, float, tuple[int, int]]:
    """``photo`` fitted into a black frame of ``size``; with its scale and offset in the frame."""
    scale = min(size[0] / photo.width, size[1] / photo.height)
    fitted = photo.convert("RGB").resize((round(photo.width * scale), round(photo.height * scale)))
    offset = ((size[0] - fitted.width) // 2, (size[1] - fitted.height) // 2)
    frame = Image.new("RGB", size)
    frame.paste(fitted, offset)
    return frame, scale, offset


def write_video(path: Path, scenes: list[tuple[Image.Image, float]], rotation: int = 0, codec: str = "libx264",
                recorded: str | None = None):
    """Each (frame, seconds) shown in turn; ``rotation``: the display matrix's counter-clockwise degrees;
    ``recorded``: the creation_time a camera writes (ISO 8601, UTC)."""
    with av.open(str(path), "w") as container:
        if recorded:
            container.metadata["creation_time"] = recorded
        quiet = {"x265-params": "log-level=error"} if codec == "libx265" else {}
        stream = container.add_stream(codec, rate=FPS, options=quiet)
        stream.width, stream.height = scenes[0][0].size
        stream.pix_fmt = "yuv420p"
        stream.codec_context.gop_size = FPS
        if rotation:
            stream.set_display_rotation(rotation)
        for image, seconds in scenes:
            for _ in range(round(seconds * FPS)):
                container.mux(stream.encode(av.VideoFrame.from_image(image)))
        container.mux(stream.encode())
