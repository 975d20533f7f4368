"""Convert the frozen FaceNet graph (20180408-102900) into facenet-pytorch weights.

The graph and ``facenet_pytorch.InceptionResnetV1`` share one architecture, so
the mapping is one to one. The frozen graph folded every conv's batch norm into
its weights plus a ``Conv2D_bn_offset``; on the torch side that becomes an
identity BatchNorm whose bias is the offset. Only the ``Bottleneck`` keeps a
real BatchNorm.
"""

from pathlib import Path

import numpy as np
import torch
from facenet_pytorch import InceptionResnetV1

from .graphdef import Node, constants, read_graph

ROOT = "InceptionResnetV1"

# (torch module, graph scope) for every BasicConv2d, per kind of block
STEM = [
    ("conv2d_1a", "Conv2d_1a_3x3"),
    ("conv2d_2a", "Conv2d_2a_3x3"),
    ("conv2d_2b", "Conv2d_2b_3x3"),
    ("conv2d_3b", "Conv2d_3b_1x1"),
    ("conv2d_4a", "Conv2d_4a_3x3"),
    ("conv2d_4b", "Conv2d_4b_3x3"),
]
BLOCK35 = [
    ("branch0", "Branch_0/Conv2d_1x1"),
    ("branch1.0", "Branch_1/Conv2d_0a_1x1"),
    ("branch1.1", "Branch_1/Conv2d_0b_3x3"),
    ("branch2.0", "Branch_2/Conv2d_0a_1x1"),
    ("branch2.1", "Branch_2/Conv2d_0b_3x3"),
    ("branch2.2", "Branch_2/Conv2d_0c_3x3"),
]
BLOCK17 = [
    ("branch0", "Branch_0/Conv2d_1x1"),
    ("branch1.0", "Branch_1/Conv2d_0a_1x1"),
    ("branch1.1", "Branch_1/Conv2d_0b_1x7"),
    ("branch1.2", "Branch_1/Conv2d_0c_7x1"),
]
BLOCK8 = [
    ("branch0", "Branch_0/Conv2d_1x1"),
    ("branch1.0", "Branch_1/Conv2d_0a_1x1"),
    ("branch1.1", "Branch_1/Conv2d_0b_1x3"),
    ("branch1.2", "Branch_1/Conv2d_0c_3x1"),
]
MIXED_6A = [
    ("branch0", "Branch_0/Conv2d_1a_3x3"),
    ("branch1.0", "Branch_1/Conv2d_0a_1x1"),
    ("branch1.1", "Branch_1/Conv2d_0b_3x3"),
    ("branch1.2", "Branch_1/Conv2d_1a_3x3"),
]
MIXED_7A = [
    ("branch0.0", "Branch_0/Conv2d_0a_1x1"),
    ("branch0.1", "Branch_0/Conv2d_1a_3x3"),
    ("branch1.0", "Branch_1/Conv2d_0a_1x1"),
    ("branch1.1", "Branch_1/Conv2d_1a_3x3"),
    ("branch2.0", "Branch_2/Conv2d_0a_1x1"),
    ("branch2.1", "Branch_2/Conv2d_0b_3x3"),
    ("branch2.2", "Branch_2/Conv2d_1a_3x3"),
]


class ConversionError(ValueError):
    """The graph does not match facenet-pytorch's InceptionResnetV1."""


def residual_blocks() -> list[tuple[str, str, list]]:
    """(torch module, graph scope, branch convs) for every residual block."""
    blocks = [(f"repeat_1.{i}", f"Repeat/block35_{i + 1}", BLOCK35) for i in range(5)]
    blocks += [(f"repeat_2.{i}", f"Repeat_1/block17_{i + 1}", BLOCK17) for i in range(10)]
    blocks += [(f"repeat_3.{i}", f"Repeat_2/block8_{i + 1}", BLOCK8) for i in range(5)]
    return blocks + [("block8", "Block8", BLOCK8)]


class GraphToTorch:
    """Moves the graph's constants into a state_dict for InceptionResnetV1.

    Every parameter is filled exactly once, checked against the torch model's
    names and shapes, and every graph weight must be used, so a mismatch fails
    here instead of giving quietly wrong embeddings.
    """

    def __init__(self, nodes: list[Node], model: InceptionResnetV1):
        self.constants = constants(nodes)
        self.nodes = {node.name: node for node in nodes}
        self.model = model
        self.expected = model.state_dict()
        self.used: set[str] = set()
        self.state: dict[str, torch.Tensor] = {}

    def take(self, name: str) -> np.ndarray:
        if name not in self.constants:
            raise ConversionError(f"the graph has no constant {name!r}")
        self.used.add(name)
        return self.constants[name]

    def put(self, name: str, value: np.ndarray) -> None:
        if name not in self.expected or name in self.state:
            raise ConversionError(f"InceptionResnetV1 has no parameter {name!r}, or it was filled twice")
        expected = self.expected[name]
        if value.shape != expected.shape:
            raise ConversionError(
                f"{name}: the graph gives shape {value.shape}, InceptionResnetV1 wants {tuple(expected.shape)}"
            )
        self.state[name] = torch.from_numpy(np.ascontiguousarray(value)).to(expected.dtype)

    def basic_conv(self, module: str, scope: str) -> None:
        """Conv2D + folded batch norm -> conv weight and an identity BatchNorm adding the offset."""
        self.put(f"{module}.conv.weight", hwio_to_oihw(self.take(f"{ROOT}/{scope}/weights")))
        offset = self.take(f"{ROOT}/{scope}/Conv2D_bn_offset")
        eps = self.model.get_submodule(f"{module}.bn").eps
        # (x - 0) / sqrt((1 - eps) + eps) * 1 + offset == x + offset
        ones, zeros = np.ones_like(offset), np.zeros_like(offset)
        self.batch_norm(f"{module}.bn", ones, offset, zeros, np.full_like(offset, 1 - eps))

    def batch_norm(self, module: str, weight, bias, mean, var) -> None:
        self.put(f"{module}.weight", weight)
        self.put(f"{module}.bias", bias)
        self.put(f"{module}.running_mean", mean)
        self.put(f"{module}.running_var", var)
        self.put(f"{module}.num_batches_tracked", np.array(0))

    def residual_block(self, module: str, scope: str, branches: list) -> None:
        for branch, conv_scope in branches:
            self.basic_conv(f"{module}.{branch}", f"{scope}/{conv_scope}")
        self.put(f"{module}.conv2d.weight", hwio_to_oihw(self.take(f"{ROOT}/{scope}/Conv2d_1x1/weights")))
        self.put(f"{module}.conv2d.bias", self.take(f"{ROOT}/{scope}/Conv2d_1x1/biases"))
        # facenet-pytorch hard-codes the residual scales; another value would silently drift
        graph_scale, torch_scale = self.take(f"{ROOT}/{scope}/mul/x"), self.model.get_submodule(module).scale
        if graph_scale.shape != () or graph_scale != np.float32(torch_scale):
            raise ConversionError(
                f"{module}: the graph scales the residual by {graph_scale}, facenet-pytorch by {torch_scale}"
            )

    def bottleneck(self) -> None:
        # MatMul weights are (in, out); Linear weights are (out, in)
        self.put("last_linear.weight", self.take(f"{ROOT}/Bottleneck/weights").T)
        bn = f"{ROOT}/Bottleneck/BatchNorm"
        epsilon = self.nodes[f"{bn}/cond/FusedBatchNorm_1"].attrs["epsilon"]
        if not np.isclose(epsilon, self.model.last_bn.eps):
            raise ConversionError(f"the Bottleneck BatchNorm epsilon is {epsilon}, not {self.model.last_bn.eps}")
        gamma = self.take(f"{bn}/Const")  # frozen as a constant (of ones)
        beta, mean, var = (self.take(f"{bn}/{name}") for name in ("beta", "moving_mean", "moving_variance"))
        self.batch_norm("last_bn", gamma, beta, mean, var)

    def check_ops(self) -> None:
        """The parts of the network that are ops, not weights, must match too."""
        if not self.model.block8.noReLU or f"{ROOT}/Block8/Relu" in self.nodes:
            raise ConversionError("the final Block8 must have no ReLU in both models")
        # the graph floors the squared norm before its L2 normalisation (F.normalize floors the norm)
        if self.take("embeddings/Maximum/y") > 1e-6:
            raise ConversionError("unexpected epsilon in the graph's L2 normalisation")

    def finish(self) -> dict[str, torch.Tensor]:
        missing = sorted(set(self.expected) - set(self.state))
        if missing:
            raise ConversionError(f"no graph weight for {len(missing)} parameters, e.g. {missing[:3]}")
        # integer constants (concat axes, reshape shapes) describe structure, not weights
        unused = sorted(n for n, v in self.constants.items() if v.dtype.kind == "f" and n not in self.used)
        if unused:
            raise ConversionError(f"{len(unused)} graph weights have no place in InceptionResnetV1, e.g. {unused[:3]}")
        return self.state


def hwio_to_oihw(kernel: np.ndarray) -> np.ndarray:
    return kernel.transpose(3, 2, 0, 1)


def convert_graph(pb_path: str | Path) -> dict[str, torch.Tensor]:
    """State dict for ``InceptionResnetV1(classify=False)`` from the frozen FaceNet graph file."""
    return convert_nodes(read_graph(pb_path))


def convert_nodes(nodes: list[Node]) -> dict[str, torch.Tensor]:
    with torch.device("meta"):  # only names, shapes and hyperparameters are needed
        model = InceptionResnetV1(classify=False)
    converter = GraphToTorch(nodes, model)
    converter.check_ops()
    for module, scope in STEM:
        converter.basic_conv(module, scope)
    for module, scope, branches in residual_blocks():
        converter.residual_block(module, scope, branches)
    for module, scope, convs in [("mixed_6a", "Mixed_6a", MIXED_6A), ("mixed_7a", "Mixed_7a", MIXED_7A)]:
        for branch, conv_scope in convs:
            converter.basic_conv(f"{module}.{branch}", f"{scope}/{conv_scope}")
    converter.bottleneck()
    return converter.finish()
