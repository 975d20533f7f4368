"""A minimal reader for frozen TensorFlow GraphDef files.

Reads the protobuf wire format directly, so converting the default model needs
neither TensorFlow nor the ``protobuf`` package. Only what a frozen inference
graph holds is decoded: node names, ops, inputs and attributes, with tensors
(the values of ``Const`` nodes) turned into numpy arrays.

Field numbers come from tensorflow/core/framework/{graph,node_def,attr_value,
tensor,tensor_shape}.proto.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np

VARINT, FIXED64, LENGTH_DELIMITED, FIXED32 = 0, 1, 2, 5

# TensorFlow DataType -> (numpy dtype, TensorProto field holding typed values)
TENSOR_TYPES = {
    1: (np.float32, 5),  # float_val
    2: (np.float64, 6),  # double_val
    3: (np.int32, 7),  # int_val
    4: (np.uint8, 7),
    6: (np.int8, 7),
    9: (np.int64, 10),  # int64_val
    10: (np.bool_, 11),  # bool_val
}


class GraphDefError(ValueError):
    """The bytes are not a GraphDef this reader understands."""


@dataclass
class Node:
    name: str
    op: str
    inputs: list[str] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)


def read_varint(buf: memoryview, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(buf):
            raise GraphDefError("truncated varint")
        byte = buf[pos]
        value |= (byte & 0x7F) << shift
        pos, shift = pos + 1, shift + 7
        if byte < 0x80:
            return value, pos


def iter_fields(buf: memoryview) -> Iterator[tuple[int, int, Any]]:
    """Yield (field number, wire type, value): an int for varints, a memoryview otherwise."""
    pos = 0
    while pos < len(buf):
        key, pos = read_varint(buf, pos)
        number, wire_type = key >> 3, key & 7
        if wire_type == VARINT:
            value, pos = read_varint(buf, pos)
            yield number, wire_type, value
            continue
        if wire_type == LENGTH_DELIMITED:
            size, pos = read_varint(buf, pos)
        elif wire_type in (FIXED32, FIXED64):
            size = 4 if wire_type == FIXED32 else 8
        else:
            raise GraphDefError(f"unsupported wire type {wire_type} before byte {pos}")
        if pos + size > len(buf):
            raise GraphDefError("truncated field")
        yield number, wire_type, buf[pos : pos + size]
        pos += size


def packed_varints(buf: memoryview) -> Iterator[int]:
    pos = 0
    while pos < len(buf):
        value, pos = read_varint(buf, pos)
        yield value


def as_signed(varint: int) -> int:
    """int32/int64 fields store negatives as 64-bit two's complement."""
    return varint - (1 << 64) if varint >= 1 << 63 else varint


def decode_repeated(chunks: list[tuple[int, Any]], dtype: np.dtype) -> np.ndarray:
    """Join a repeated scalar field, whether packed (one byte string) or one value per field."""
    if dtype.kind == "f":  # fixed-width little-endian either way
        return np.concatenate([np.frombuffer(c, dtype.newbyteorder("<")) for _, c in chunks] or [np.zeros(0)])
    ints = [v for wire_type, c in chunks for v in ([c] if wire_type == VARINT else packed_varints(c))]
    return np.array([as_signed(v) for v in ints], dtype=np.int64)


def parse_shape(buf: memoryview) -> tuple[int, ...]:
    """TensorShapeProto: repeated dim (2), each with a size (1)."""
    return tuple(
        next((as_signed(v) for n, _, v in iter_fields(dim) if n == 1), 0)
        for number, _, dim in iter_fields(buf)
        if number == 2
    )


def parse_tensor(buf: memoryview) -> np.ndarray:
    """TensorProto -> numpy array, from raw ``tensor_content`` or the typed ``*_val`` field."""
    dtype_code, shape, content, chunks = 0, (), None, {}
    for number, wire_type, value in iter_fields(buf):
        if number == 1:
            dtype_code = value
        elif number == 2:
            shape = parse_shape(value)
        elif number == 4:
            content = value
        else:
            chunks.setdefault(number, []).append((wire_type, value))
    if dtype_code not in TENSOR_TYPES:
        raise GraphDefError(f"unsupported tensor dtype {dtype_code}")
    numpy_type, value_field = TENSOR_TYPES[dtype_code]
    dtype = np.dtype(numpy_type)
    if content is not None:
        flat = np.frombuffer(content, dtype.newbyteorder("<"))
    else:
        flat = decode_repeated(chunks.get(value_field, []), dtype)
    if flat.size == 0:  # no values stored means all zeros
        flat = np.zeros(1, dtype)
    count = int(np.prod(shape))
    if flat.size not in (count, 1):
        raise GraphDefError(f"tensor of shape {shape} holds {flat.size} values")
    # one stored value fills the whole shape (TensorFlow writes splats that way)
    return np.broadcast_to(flat, (count,)).astype(dtype).reshape(shape)


def parse_attr(buf: memoryview) -> Any:
    """AttrValue -> Python value, for the kinds an inference graph uses."""
    for number, wire_type, value in iter_fields(buf):
        if number == 1:  # a list; inference graphs only hold int lists (strides, ksize)
            ints = [(w, c) for n, w, c in iter_fields(value) if n == 3]
            return decode_repeated(ints, np.dtype(np.int64)).tolist()
        if number == 2:
            return bytes(value)
        if number in (3, 6):  # int, DataType
            return as_signed(value)
        if number == 4:
            return float(np.frombuffer(value, "<f4")[0])
        if number == 5:
            return bool(value)
        if number == 7:
            return parse_shape(value)
        if number == 8:
            return parse_tensor(value)
    return None


def parse_node(buf: memoryview) -> Node:
    """NodeDef: name 1, op 2, input 3, attr 5 (a map entry: key 1, value 2)."""
    node = Node(name="", op="")
    for number, _, value in iter_fields(buf):
        if number == 1:
            node.name = bytes(value).decode()
        elif number == 2:
            node.op = bytes(value).decode()
        elif number == 3:
            node.inputs.append(bytes(value).decode())
        elif number == 5:
            entry = {n: v for n, _, v in iter_fields(value)}
            node.attrs[bytes(entry[1]).decode()] = parse_attr(entry.get(2, memoryview(b"")))
    return node


def read_graph(path: str | Path) -> list[Node]:
    """All nodes (GraphDef field 1) of a GraphDef file, in file order."""
    buf = memoryview(Path(path).read_bytes())
    nodes = [parse_node(value) for number, _, value in iter_fields(buf) if number == 1]
    if not nodes:
        raise GraphDefError(f"{path}: no graph nodes found")
    return nodes


def constants(nodes: list[Node]) -> dict[str, np.ndarray]:
    """Name -> value of every ``Const`` node."""
    return {node.name: node.attrs["value"] for node in nodes if node.op == "Const"}
