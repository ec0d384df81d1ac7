"""The in-place error function of the numpy MiniLM equals the textbook expression, bit for bit."""

from __future__ import annotations

import math

import numpy as np

from lightspeed_ogx.minilm.encoder import _erf, _gelu


def _textbook_erf(x: np.ndarray) -> np.ndarray:
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    inner = 1.48851587 + t * (-0.82215223 + t * 0.17087277)
    inner = 0.27886807 + t * (-1.13520398 + t * inner)
    inner = 0.09678418 + t * (-0.18628806 + t * inner)
    poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * inner))
    erfc = t * np.exp(poly)
    return np.where(x >= 0, 1.0 - erfc, erfc - 1.0)


def test_erf_is_the_textbook_expression_and_accurate() -> None:
    x = np.random.default_rng(3).normal(0, 4, 10_000)
    x[:4] = [0.0, -0.0, -40.0, 40.0]
    assert np.array_equal(_erf(x.copy()), _textbook_erf(x))
    exact = np.array([math.erf(v) for v in x])
    assert np.max(np.abs(_erf(x.copy()) - exact)) < 2e-7


def test_gelu_does_not_change_its_input() -> None:
    x = np.linspace(-6, 6, 101, dtype=np.float32)
    before = x.copy()
    out = _gelu(x)
    assert np.array_equal(x, before)
    assert out.dtype == np.float32
    assert out[50] == 0.0
    assert abs(out[-1] - 6.0) < 1e-6
