"""The base network as the Embedder runs it, trainable past the head.

Depth ``last`` trains only the network's last block and bottleneck; every
layer before them is frozen, so their output is computed once per augmented
view of each face and cached (``data.activation_views``): an epoch then costs
seconds per thousand faces instead of a full forward and backward pass.
Depth ``whole`` trains every layer from face crops.
"""

import copy

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from photoface.devices import resolve_device
from photoface.embed.models import standardise

# InceptionResnetV1 modules trained at depth "last", in the order they run
LAST_BLOCKS = ("block8", "last_linear", "last_bn")
DEVICES = ("auto", "cpu", "cuda")


def training_device(name: str) -> torch.device:
    """``auto``: the first CUDA GPU when torch sees one, else the CPU."""
    return torch.device(resolve_device(name, DEVICES))


def retrained_network(embedder, trained_state: dict | None) -> nn.Module:
    """A copy of ``embedder``'s network (which stays as it is) with a checkpoint's trained layers."""
    network = copy.deepcopy(embedder.model)
    if trained_state is not None:
        network.load_state_dict(trained_state, strict=False)  # only the trained layers are saved
    return network


@torch.inference_mode()
def before_last_block(network: nn.Module, crops: np.ndarray) -> torch.Tensor:
    """The frozen layers' output for 160 px crops: what depth ``last`` trains on."""
    x = standardise(crops).contiguous(memory_format=torch.channels_last)
    for name, module in network.named_children():
        if name == LAST_BLOCKS[0]:
            return x
        x = module(x)
    raise ValueError(f"the network has no {LAST_BLOCKS[0]!r} layer")


class Trunk(nn.Module):
    """Base embeddings (normalised, centred as the Embedder's) from crops (depth ``whole``) or from
    the frozen layers' cached output (depth ``last``)."""

    def __init__(self, embedder, depth: str, trained_state: dict | None = None):
        super().__init__()
        self.depth = depth
        self.network = retrained_network(embedder, trained_state)
        centre = torch.zeros(embedder.dim) if embedder.centre is None else embedder.centre.clone()
        self.register_buffer("centre", centre)
        for name, parameter in self.network.named_parameters():
            parameter.requires_grad = depth == "whole" or name.split(".")[0] in LAST_BLOCKS
        self.network.eval()  # frozen batch norm, no dropout

    def forward(self, inputs: np.ndarray) -> torch.Tensor:
        device = self.centre.device
        if self.depth == "last":
            embeddings = self._from_last_block(torch.as_tensor(inputs).to(device).float())
        else:
            embeddings = self.network(standardise(inputs).to(device))
        return F.normalize(F.normalize(embeddings, dim=1) - self.centre, dim=1)

    def _from_last_block(self, activations: torch.Tensor) -> torch.Tensor:
        network = self.network
        pooled = network.avgpool_1a(network.block8(activations.contiguous(memory_format=torch.channels_last)))
        return network.last_bn(network.last_linear(pooled.flatten(1)))

    def trained_state(self) -> dict:
        trained = {name for name, p in self.network.named_parameters() if p.requires_grad}
        return {name: tensor for name, tensor in self.network.state_dict().items() if name in trained}
