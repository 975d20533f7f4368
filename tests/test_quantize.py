import numpy as np
import pytest

from photoface.embed.quantize import dequantize_int8, quantize_int8


def random_unit_vectors(count: int, dim: int = 512, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((count, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_round_trip_keeps_direction():
    vectors = random_unit_vectors(1000)
    restored = dequantize_int8(quantize_int8(vectors))
    cosines = np.sum(vectors * restored, axis=1)
    assert cosines.min() > 0.999


def test_int8_rows_use_the_full_range_and_one_byte_per_dimension():
    quantized = quantize_int8(random_unit_vectors(10))
    assert quantized.dtype == np.int8
    assert quantized.shape == (10, 512)
    assert quantized[0].nbytes == 512
    assert np.all(np.abs(quantized.astype(np.int16)).max(axis=1) == 127)


def test_scale_of_a_row_does_not_matter():
    vectors = random_unit_vectors(5)
    assert np.array_equal(quantize_int8(vectors), quantize_int8(vectors * 3.7))


def test_dequantized_rows_are_float32_unit_vectors():
    restored = dequantize_int8(quantize_int8(random_unit_vectors(20)))
    assert restored.dtype == np.float32
    assert np.allclose(np.linalg.norm(restored, axis=1), 1, atol=1e-6)


def test_zero_row_stays_zero():
    vectors = np.zeros((2, 8), np.float32)
    vectors[1, 3] = -0.5
    quantized = quantize_int8(vectors)
    assert not quantized[0].any()
    assert quantized[1, 3] == -127
    restored = dequantize_int8(quantized)
    assert not restored[0].any()
    assert restored[1, 3] == -1.0


def test_rejects_a_single_vector():
    with pytest.raises(ValueError):
        quantize_int8(np.ones(512))
