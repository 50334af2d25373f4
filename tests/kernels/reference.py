"""NumPy references for the corpus operator families.

Each function takes the kernel's arguments as keyword arguments (arrays shaped as the
manifest's ``args`` spec says, scalars as Python numbers, plus the manifest's ``params``)
and returns ``{output_name: array}``.  References compute in float64 (int64 for integer
products) and cast to the output buffer's dtype, so the same reference serves every dtype
a kernel instance uses.  They derive sizes from array shapes, so a kernel that bakes its
sizes in as constants (and therefore has no size parameters) still matches.

Canonical names are shared by every dialect's version of a family (see README.md).
"""
from __future__ import annotations

import math

import numpy as np


def _f(a):
    return np.asarray(a, dtype=np.float64)


def _like(value, buf):
    """Cast a float64 result to the dtype and shape of the output buffer ``buf``."""
    buf = np.asarray(buf)
    if np.issubdtype(buf.dtype, np.integer):
        info = np.iinfo(buf.dtype)
        value = np.clip(np.rint(value), info.min, info.max)
    return np.asarray(value).astype(buf.dtype).reshape(buf.shape)


def _erf(x):
    return np.vectorize(math.erf, otypes=[np.float64])(x)


# ---------------------------------------------------------------- element-wise
def add(x, y, out, **_):
    return {"out": _like(_f(x).reshape(-1) + _f(y).reshape(-1), out)}


def sub(x, y, out, **_):
    return {"out": _like(_f(x).reshape(-1) - _f(y).reshape(-1), out)}


def relu(x, out, **_):
    return {"out": _like(np.maximum(_f(x), 0.0), out)}


def gelu(x, out, **_):
    """Exact (erf) GELU: x * Phi(x)."""
    v = _f(x)
    return {"out": _like(0.5 * v * (1.0 + _erf(v / math.sqrt(2.0))), out)}


def sigmoid(x, out, **_):
    return {"out": _like(1.0 / (1.0 + np.exp(-_f(x))), out)}


def sign(x, out, **_):
    """-1, 0 or +1 (torch.sign); inputs are drawn so that exact zeros do not occur."""
    return {"out": _like(np.sign(_f(x)), out)}


def sin(x, out, **_):
    return {"out": _like(np.sin(_f(x)), out)}


# ---------------------------------------------------------------- normalisation
def _rows(x, cols=None):
    v = _f(x)
    if cols is None:
        cols = v.shape[-1]
    return v.reshape(-1, cols)


def softmax(x, out, **_):
    """Row-wise softmax over the last axis of x[rows, cols]."""
    v = _rows(x)
    e = np.exp(v - v.max(axis=1, keepdims=True))
    return {"out": _like(e / e.sum(axis=1, keepdims=True), out)}


def layernorm(x, gamma, beta, out, eps=1e-5, **_):
    """Over the last axis of x[rows, cols]; biased variance, as PyTorch."""
    v = _rows(x)
    mu = v.mean(axis=1, keepdims=True)
    var = ((v - mu) ** 2).mean(axis=1, keepdims=True)
    y = (v - mu) / np.sqrt(var + eps) * _f(gamma).reshape(1, -1) + _f(beta).reshape(1, -1)
    return {"out": _like(y, out)}


def rmsnorm(x, weight, out, eps=1e-5, **_):
    v = _rows(x)
    y = v / np.sqrt((v * v).mean(axis=1, keepdims=True) + eps) * _f(weight).reshape(1, -1)
    return {"out": _like(y, out)}


def batchnorm(x, mean, var, gamma, beta, out, eps=1e-5, **_):
    """Inference batch norm, x[N, C, HW] (NCHW with H*W flattened), per-channel statistics."""
    v = _f(x)
    C = np.asarray(mean).size
    v = v.reshape(v.shape[0] if v.ndim == 3 else -1, C, -1)
    sh = (1, C, 1)
    y = (v - _f(mean).reshape(sh)) / np.sqrt(_f(var).reshape(sh) + eps)
    y = y * _f(gamma).reshape(sh) + _f(beta).reshape(sh)
    return {"out": _like(y, out)}


# ---------------------------------------------------------------- matrix products
def _mat(a, rows, cols):
    return np.asarray(a).astype(np.float64).reshape(rows, cols)


def gemm(A, B, C, **_):
    """C[M,N] = A[M,K] @ B[K,N], all row-major."""
    M, K = np.asarray(A).shape
    N = np.asarray(C).shape[-1]
    return {"C": _like(_mat(A, M, K) @ _mat(B, K, N), C)}


def gemm_i8(A, B, C, **_):
    """C[M,N] (int32) = A[M,K] (int8) @ B[K,N] (int8), exact integer arithmetic."""
    a = np.asarray(A).astype(np.int64)
    b = np.asarray(B).astype(np.int64)
    M, K = a.shape
    N = np.asarray(C).shape[-1]
    return {"C": (a.reshape(M, K) @ b.reshape(K, N)).astype(np.asarray(C).dtype).reshape(np.asarray(C).shape)}


def gemv(A, x, y, **_):
    """y[M] = A[M,K] @ x[K]."""
    M, K = np.asarray(A).shape
    return {"y": _like(_mat(A, M, K) @ _f(x).reshape(K), y)}


def bmm(A, B, C, **_):
    """C[b] = A[b] @ B[b]; A[batch,M,K], B[batch,K,N], C[batch,M,N]."""
    a, b = _f(A), _f(B)
    return {"C": _like(np.matmul(a, b), C)}


def dense(x, W, bias, out, **_):
    """out[batch, out_features] = x[batch, in_features] @ W[out_features, in_features]^T + bias."""
    x2 = _f(x)
    return {"out": _like(x2 @ _f(W).T + _f(bias).reshape(1, -1), out)}


# ---------------------------------------------------------------- convolutions
def conv1d(x, w, out, **_):
    """x[N, C_in, L], w[C_out, C_in, KW], out[N, C_out, L-KW+1]; stride 1, no padding."""
    v, k = _f(x), _f(w)
    N, Ci, L = v.shape
    Co, _ci, KW = k.shape
    Lo = L - KW + 1
    y = np.zeros((N, Co, Lo))
    for j in range(KW):
        y += np.einsum("ncl,oc->nol", v[:, :, j:j + Lo], k[:, :, j])
    return {"out": _like(y, out)}


def _pad_nhwc(v, pad):
    return np.pad(v, ((0, 0), (pad, pad), (pad, pad), (0, 0))) if pad else v


def conv2d_nhwc(x, w, out, stride=1, pad=0, **_):
    """x[N,H,W,C], w[K,KH,KW,C] (OHWI), out[N,OH,OW,K]; OH = (H + 2*pad - KH) // stride + 1."""
    return {"out": _like(_conv_nhwc_raw(_f(x), _f(w), stride, pad), out)}


def conv2d_nchw(x, w, out, stride=1, pad=0, **_):
    """x[N,C,H,W], w[K,C,KH,KW] (OIHW), out[N,K,OH,OW]."""
    v = np.transpose(_f(x), (0, 2, 3, 1))
    k = np.transpose(_f(w), (0, 2, 3, 1))
    return {"out": _like(np.transpose(_conv_nhwc_raw(v, k, stride, pad), (0, 3, 1, 2)), out)}


def _conv_nhwc_raw(v, k, stride, pad):
    v = _pad_nhwc(v, pad)
    N, H, W, C = v.shape
    K, KH, KW, _c = k.shape
    OH, OW = (H - KH) // stride + 1, (W - KW) // stride + 1
    y = np.zeros((N, OH, OW, K))
    for i in range(KH):
        for j in range(KW):
            patch = v[:, i:i + stride * (OH - 1) + 1:stride, j:j + stride * (OW - 1) + 1:stride, :]
            y += np.einsum("nhwc,kc->nhwk", patch, k[:, i, j, :])
    return y


def depthwise_conv2d(x, w, out, stride=1, pad=0, **_):
    """x[N,H,W,C], w[KH,KW,C], out[N,OH,OW,C]: each channel convolved with its own filter."""
    v = _pad_nhwc(_f(x), pad)
    k = _f(w)
    N, H, W, C = v.shape
    KH, KW, _c = k.shape
    OH, OW = (H - KH) // stride + 1, (W - KW) // stride + 1
    y = np.zeros((N, OH, OW, C))
    for i in range(KH):
        for j in range(KW):
            y += v[:, i:i + stride * (OH - 1) + 1:stride, j:j + stride * (OW - 1) + 1:stride, :] * k[i, j, :]
    return {"out": _like(y, out)}


# ---------------------------------------------------------------- pooling (NHWC, no padding)
def _pool(x, out, kh, kw, stride, reduce):
    v = _f(x)
    N, H, W, C = v.shape
    OH, OW = (H - kh) // stride + 1, (W - kw) // stride + 1
    taps = [v[:, i:i + stride * (OH - 1) + 1:stride, j:j + stride * (OW - 1) + 1:stride, :]
            for i in range(kh) for j in range(kw)]
    return {"out": _like(reduce(np.stack(taps), axis=0), out)}


def avgpool2d(x, out, kh, kw, stride, **_):
    return _pool(x, out, kh, kw, stride, np.mean)


def maxpool2d(x, out, kh, kw, stride, **_):
    return _pool(x, out, kh, kw, stride, np.max)


def minpool2d(x, out, kh, kw, stride, **_):
    return _pool(x, out, kh, kw, stride, np.min)


def sumpool2d(x, out, kh, kw, stride, **_):
    return _pool(x, out, kh, kw, stride, np.sum)


# ---------------------------------------------------------------- data movement
def concat(a, b, out, **_):
    """out[rows, cols_a + cols_b] = [a | b] along the last axis."""
    av, bv = np.asarray(a), np.asarray(b)
    rows = np.asarray(out).shape[0]
    return {"out": np.concatenate([av.reshape(rows, -1), bv.reshape(rows, -1)], axis=1)
            .astype(np.asarray(out).dtype).reshape(np.asarray(out).shape)}


def transpose(x, out, **_):
    """out[cols, rows] = x[rows, cols]^T."""
    return {"out": np.ascontiguousarray(np.asarray(x).T).astype(np.asarray(out).dtype).reshape(np.asarray(out).shape)}


def gather(table, idx, out, **_):
    """out[i, :] = table[idx[i], :] (embedding lookup); idx int32 in [0, rows of table)."""
    t = np.asarray(table)
    return {"out": t[np.asarray(idx).reshape(-1)].astype(np.asarray(out).dtype).reshape(np.asarray(out).shape)}


def scatter(src, idx, out, **_):
    """out[idx[i], :] = src[i, :]; rows of out not named by idx keep their value. idx unique."""
    o = np.array(out, copy=True)
    o2 = o.reshape(o.shape[0], -1)
    o2[np.asarray(idx).reshape(-1)] = np.asarray(src).reshape(len(np.asarray(idx).reshape(-1)), -1)
    return {"out": o2.reshape(o.shape)}


# ---------------------------------------------------------------- reductions (row-wise, last axis)
def reduce_sum(x, out, **_):
    return {"out": _like(_rows(x).sum(axis=1), out)}


def reduce_mean(x, out, **_):
    return {"out": _like(_rows(x).mean(axis=1), out)}


def reduce_max(x, out, **_):
    return {"out": _like(_rows(x).max(axis=1), out)}


def reduce_min(x, out, **_):
    return {"out": _like(_rows(x).min(axis=1), out)}


# ---------------------------------------------------------------- attention
def mha(q, k, v, out, **_):
    """q, k, v, out: [batch, heads, seq, head_dim]; out = softmax(q k^T / sqrt(head_dim)) v."""
    Q, K, V = _f(q), _f(k), _f(v)
    d = Q.shape[-1]
    s = np.matmul(Q, np.swapaxes(K, -1, -2)) / math.sqrt(d)
    s = np.exp(s - s.max(axis=-1, keepdims=True))
    p = s / s.sum(axis=-1, keepdims=True)
    return {"out": _like(np.matmul(p, V), out)}


FAMILIES = [
    "add", "sub", "relu", "gelu", "sigmoid", "sign", "sin",
    "softmax", "layernorm", "rmsnorm", "batchnorm",
    "gemm", "gemm_i8", "gemv", "bmm", "dense",
    "conv1d", "conv2d_nhwc", "conv2d_nchw", "depthwise_conv2d",
    "avgpool2d", "maxpool2d", "minpool2d", "sumpool2d",
    "concat", "transpose", "gather", "scatter",
    "reduce_sum", "reduce_mean", "reduce_max", "reduce_min",
    "mha",
]


# ---------------------------------------------------------------- holdout families
# Families added with the holdout kernels (written without seeing the translation passes).
def histogram(x, hist, **_):
    """hist[b] = number of i with x[i] == b, for b < bins = hist.size; x int32 in [0, bins)."""
    h = np.asarray(hist)
    counts = np.bincount(np.asarray(x).reshape(-1).astype(np.int64), minlength=h.size)[:h.size]
    return {"hist": counts.astype(h.dtype).reshape(h.shape)}


def scan(x, out, **_):
    """Inclusive prefix sum along the last axis of x[rows, cols]: out[r, c] = sum_{j<=c} x[r, j]."""
    return {"out": _like(np.cumsum(_rows(x), axis=1), out)}


def quantize_i8(x, out, scale, **_):
    """Symmetric int8 quantization: out = saturate(round_half_even(x / scale)) in [-128, 127]."""
    return {"out": _like(_f(x) / float(scale), out)}


def dot(x, y, out, **_):
    """out[0] = sum_i x[i] * y[i] (exact for integer inputs; int32 output for int8 inputs)."""
    return {"out": _like(np.sum(_f(x).reshape(-1) * _f(y).reshape(-1)), out)}


def argmax(x, out, **_):
    """out[r] = index of the first maximum of row r of x[rows, cols] (int32)."""
    o = np.asarray(out)
    return {"out": np.argmax(_rows(x), axis=1).astype(o.dtype).reshape(o.shape)}


def leaky_relu(x, out, alpha, **_):
    """out = x for x > 0, alpha * x otherwise."""
    v = _f(x)
    return {"out": _like(np.where(v > 0.0, v, float(alpha) * v), out)}


def l2norm(x, out, eps=1e-12, **_):
    """Row-wise L2 normalisation of x[rows, cols]: out = x / sqrt(sum_c x^2 + eps)."""
    v = _rows(x)
    return {"out": _like(v / np.sqrt((v * v).sum(axis=1, keepdims=True) + float(eps)), out)}


FAMILIES += ["histogram", "scan", "quantize_i8", "dot", "argmax", "leaky_relu", "l2norm"]
