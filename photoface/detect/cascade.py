"""MTCNN's three-stage cascade (Zhang et al. 2016), run faster on a CPU.

facenet-pytorch's ``detect_face`` resizes every candidate window on its own
(hundreds of small ``interpolate`` calls per photo: over half of detection
time). Here each stage's windows are cut and resized in one batched
``roi_align`` call, which also zero-pads windows that cross the border as the
original MTCNN does. The pyramid keeps area interpolation: Pillow's uint8
resizes were faster but made boxes jump by 5 % between JPEG re-encodings of
one photo. The networks and the box arithmetic are facenet-pytorch's own.

Images of one size go through in one batch (a GPU's way to stay busy): every
candidate carries the index of its image, and suppression is per image, so a
photo's faces do not depend on the photos it was batched with.
"""

import numpy as np
import torch
from facenet_pytorch.models.mtcnn import ONet, PNet, RNet
from facenet_pytorch.models.utils.detect_face import batched_nms_numpy, bbreg, generateBoundingBox, rerec
from PIL import Image
from torch.nn.functional import avg_pool2d, interpolate
from torchvision.ops import batched_nms, roi_align

PYRAMID_FACTOR = 0.709  # MTCNN's scale step between pyramid levels


class Cascade:
    """P-Net proposals, R-Net refinement, O-Net boxes, scores and landmarks."""

    def __init__(self, min_face_size: int, thresholds: tuple[float, float, float], device: str = "cpu"):
        self.min_face_size = min_face_size
        self.thresholds = thresholds
        self.device = torch.device(device)
        self.pnet, self.rnet, self.onet = PNet(), RNet(), ONet()  # weights ship in the wheel
        for network in (self.pnet, self.rnet, self.onet):
            # Channels-last convs and max-pools run ~20 % faster on CPU, same output.
            network.eval().to(self.device, memory_format=torch.channels_last)

    @torch.inference_mode()
    def __call__(self, images: list[Image.Image]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """For each image (all of one size): boxes (n, 4) as x1, y1, x2, y2, scores (n,) and landmarks
        (n, 5, 2) in image pixels."""
        pixels = _as_tensor(images, self.device)
        boxes, image_of = self._propose(pixels)
        if len(boxes):  # only then are the octaves pooled: photos without candidates skip that work
            octaves = _octaves(pixels)
            boxes, image_of = self._refine(octaves, boxes, image_of)
        if not len(boxes):
            return [(np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros((0, 5, 2), np.float32))
                    for _ in images]
        return self._output(octaves, boxes, image_of, len(images))

    def _propose(self, pixels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """P-Net over the image pyramid: candidate squares with scores, (n, 5), and their images' indices."""
        candidates, images_of = [], []
        height, width = pixels.shape[2:]
        for scale in self._scales(min(height, width)):
            size = (int(height * scale + 1), int(width * scale + 1))
            # from the full image: area-resizing an octave instead moved boxes by 5 % for 25 ms
            level = _normalised(interpolate(pixels, size=size, mode="area"))
            regression, probabilities = self.pnet(level)
            found, image_of = generateBoundingBox(regression, probabilities[:, 1], scale, self.thresholds[0])
            pick = batched_nms(found[:, :4], found[:, 4], image_of, 0.5)
            candidates.append(found[pick])
            images_of.append(image_of[pick])
        if not candidates:
            return torch.zeros((0, 5), device=pixels.device), torch.zeros(0, dtype=torch.long, device=pixels.device)
        boxes, image_of = torch.cat(candidates), torch.cat(images_of)
        pick = batched_nms(boxes[:, :4], boxes[:, 4], image_of, 0.7)
        boxes, image_of = boxes[pick], image_of[pick]
        width, height = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
        regressed = boxes[:, :4] + boxes[:, 5:9] * torch.stack([width, height, width, height], 1)
        return rerec(torch.cat([regressed, boxes[:, 4:5]], 1)), image_of

    def _scales(self, short_side: int) -> list[float]:
        scale = 12.0 / self.min_face_size
        side = short_side * scale
        scales = []
        while side >= 12:
            scales.append(scale)
            scale *= PYRAMID_FACTOR
            side *= PYRAMID_FACTOR
        return scales

    def _refine(self, octaves: list[torch.Tensor], boxes: torch.Tensor, image_of: torch.Tensor):
        regression, probabilities = self.rnet(_windows(octaves, boxes, image_of, 24))
        keep = probabilities[:, 1] > self.thresholds[1]
        boxes = torch.cat([boxes[keep, :4], probabilities[keep, 1:2]], 1)
        regression, image_of = regression[keep], image_of[keep]
        pick = batched_nms(boxes[:, :4], boxes[:, 4], image_of, 0.7)
        return rerec(bbreg(boxes[pick], regression[pick])), image_of[pick]

    def _output(self, octaves: list[torch.Tensor], boxes: torch.Tensor, image_of: torch.Tensor, images: int):
        regression, points, probabilities = self.onet(_windows(octaves, boxes, image_of, 48))
        keep = probabilities[:, 1] > self.thresholds[2]
        boxes = torch.cat([boxes[keep, :4], probabilities[keep, 1:2]], 1)
        regression, points, image_of = regression[keep], points[keep], image_of[keep]
        width = (boxes[:, 2] - boxes[:, 0] + 1).unsqueeze(1)
        height = (boxes[:, 3] - boxes[:, 1] + 1).unsqueeze(1)
        landmarks = torch.stack([width * points[:, :5] + boxes[:, 0:1] - 1,
                                 height * points[:, 5:] + boxes[:, 1:2] - 1], 2)
        boxes = bbreg(boxes, regression)
        pick = batched_nms_numpy(boxes[:, :4], boxes[:, 4], image_of, 0.7, "Min")
        boxes, landmarks, image_of = boxes[pick].cpu().numpy(), landmarks[pick].cpu().numpy(), image_of[pick].cpu()
        return [(boxes[mine, :4], boxes[mine, 4], landmarks[mine])
                for mine in (image_of.numpy() == image for image in range(images))]


def _as_tensor(images: list[Image.Image], device: torch.device) -> torch.Tensor:
    """RGB images of one size as an Nx3xHxW float tensor, 0-255 (sent to the device as bytes)."""
    pixels = torch.from_numpy(np.stack([np.asarray(image) for image in images])).to(device)
    return pixels.permute(0, 3, 1, 2).float().contiguous()


def _normalised(pixels: torch.Tensor) -> torch.Tensor:
    """MTCNN's input: [-1, 1], channels-last."""
    return ((pixels - 127.5) * 0.0078125).contiguous(memory_format=torch.channels_last)


def _octaves(pixels: torch.Tensor) -> list[torch.Tensor]:
    """The image and its 2x, 4x, ... average-pooled copies, down to 12 pixels (P-Net's window)."""
    octaves = [pixels]
    while min(octaves[-1].shape[2:]) >= 24:
        octaves.append(avg_pool2d(octaves[-1], 2, ceil_mode=True))
    return octaves


def _windows(octaves: list[torch.Tensor], boxes: torch.Tensor, image_of: torch.Tensor, side: int) -> torch.Tensor:
    """Every box cut out and resized to side x side (zeros outside the image), batched.

    Boxes use MTCNN's inclusive pixel coordinates, so a box spans
    [x1 - 1, x2] in continuous coordinates. roi_align averages a grid of
    samples per output pixel, like an area resize; a big box is read from an
    octave of the image (2x, 4x, ... average-pooled) so that the grid stays
    2-4 samples wide instead of growing with the box. Outside the image
    roi_align reads black, as MTCNN's zero-padded crops do.
    """
    rois = torch.cat([image_of.unsqueeze(1).to(boxes.dtype), boxes[:, :2] - 1, boxes[:, 2:4]], 1)
    box_sides = (boxes[:, 2:4] - boxes[:, :2] + 1).amax(1).clamp(min=1)
    chosen_octave = (box_sides / (2 * side)).log2().floor().clamp(0, len(octaves) - 1).long()
    windows = torch.empty(len(boxes), 3, side, side, device=boxes.device)
    for octave, level in enumerate(octaves):
        chosen = chosen_octave == octave
        if chosen.any():
            windows[chosen] = roi_align(level, rois[chosen], (side, side), spatial_scale=0.5**octave,
                                        sampling_ratio=-1, aligned=True)
    return _normalised(windows)
