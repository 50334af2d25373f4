"""Each platform's host runtime API in one neutral vocabulary, so host code that allocates,
copies and launches can be carried from one platform to another (``passes/host_code.py``).

    op(name) -> ("cuda", "memcpy")   for "cudaMemcpy"
    spell("bang", "memcpy") -> "cnrtMemcpy"; direction("bang", "h2d") -> "cnrtMemcpyHostToDev"

Operations: ``malloc(void **p, bytes)``, ``free(p)``, ``memcpy(dst, src, bytes, dir)``,
``memset(p, value, bytes)``, ``sync()`` (the device or the queue), ``last_error()``,
``error_string(e)``, ``get_device(int *)``, ``device_attribute(int *, attr, dev)`` (the
attribute ``attr_warp_size`` only); types ``error_t``, ``stream_t``; the constant ``success``; copy
directions ``h2d``, ``d2h``, ``d2d``, ``h2h``. C has no device: its "device" memory is host
memory (``malloc``/``memcpy``/``free``), a launch is a call.
"""
from __future__ import annotations

from typing import Optional

API: dict[str, dict[str, str]] = {
    "cuda": {"malloc": "cudaMalloc", "free": "cudaFree", "memcpy": "cudaMemcpy", "memset": "cudaMemset",
             "sync": "cudaDeviceSynchronize", "last_error": "cudaGetLastError", "peek_error": "cudaPeekAtLastError",
             "error_string": "cudaGetErrorString", "error_t": "cudaError_t", "success": "cudaSuccess",
             "stream_t": "cudaStream_t", "stream_sync": "cudaStreamSynchronize",
             "h2d": "cudaMemcpyHostToDevice", "d2h": "cudaMemcpyDeviceToHost", "d2d": "cudaMemcpyDeviceToDevice",
             "h2h": "cudaMemcpyHostToHost", "default": "cudaMemcpyDefault",
             "get_device": "cudaGetDevice", "device_attribute": "cudaDeviceGetAttribute",
             "attr_warp_size": "cudaDevAttrWarpSize"},
    "hip": {"malloc": "hipMalloc", "free": "hipFree", "memcpy": "hipMemcpy", "memset": "hipMemset",
            "sync": "hipDeviceSynchronize", "last_error": "hipGetLastError", "peek_error": "hipPeekAtLastError",
            "error_string": "hipGetErrorString", "error_t": "hipError_t", "success": "hipSuccess",
            "stream_t": "hipStream_t", "stream_sync": "hipStreamSynchronize",
            "h2d": "hipMemcpyHostToDevice", "d2h": "hipMemcpyDeviceToHost", "d2d": "hipMemcpyDeviceToDevice",
            "h2h": "hipMemcpyHostToHost", "default": "hipMemcpyDefault",
            "get_device": "hipGetDevice", "device_attribute": "hipDeviceGetAttribute",
            "attr_warp_size": "hipDeviceAttributeWarpSize"},
    "bang": {"malloc": "cnrtMalloc", "free": "cnrtFree", "memcpy": "cnrtMemcpy", "memset": "cnrtMemset",
             "sync": "cnrtQueueSync", "error_string": "cnrtGetErrorStr", "error_t": "cnrtRet_t",
             "success": "cnrtSuccess", "stream_t": "cnrtQueue_t", "stream_sync": "cnrtQueueSync",
             "queue_create": "cnrtQueueCreate", "queue_destroy": "cnrtQueueDestroy",
             "h2d": "cnrtMemcpyHostToDev", "d2h": "cnrtMemcpyDevToHost", "d2d": "cnrtMemcpyDevToDev",
             "h2h": "cnrtMemcpyHostToHost", "get_device": "cnrtGetDevice"},
    "c": {},
    "vnni": {},
}
#: Aliases some code uses for the same operation.
ALIASES: dict[str, tuple[str, str]] = {
    "cnrtSyncQueue": ("bang", "sync"), "cnrtCreateQueue": ("bang", "queue_create"),
    "cnrtDestroyQueue": ("bang", "queue_destroy"), "CNRT_RET_SUCCESS": ("bang", "success"),
    "cudaThreadSynchronize": ("cuda", "sync"),
}
#: Calls that only set up a device and mean nothing elsewhere (dropped, value success).
SETUP = {"cudaSetDevice", "hipSetDevice", "cnrtInit", "cnrtSetDevice", "cudaFuncSetAttribute",
         "hipFuncSetAttribute", "cudaDeviceSetCacheConfig", "hipDeviceSetCacheConfig"}

_BY_NAME = {name: (d, op) for d, ops in API.items() for op, name in ops.items()}
_BY_NAME.update(ALIASES)


def op(name: str) -> Optional[tuple[str, str]]:
    """(dialect, operation) of a runtime API name, or None."""
    return _BY_NAME.get(name)


def spell(dialect: str, operation: str) -> Optional[str]:
    return API.get(dialect, {}).get(operation)


def has_device(dialect: str) -> bool:
    """Whether the dialect's host code manages device memory (C and VNNI do not)."""
    return bool(API.get(dialect))
