"""Which headers belong to a platform, and what a translated file of each dialect includes.

A translation drops the source platform's headers (``<cuda_runtime.h>`` means nothing to
a BANG compiler) and writes the target's own, so the output builds with the target's
compiler and no header of ours (issue: "outputs stand alone"). Local headers
(``#include "mine.h"``) and the C/C++ standard headers stay.

    platform_of("cuda_fp16.h") -> "cuda"
    includes_for("c") -> ("math.h", "stdint.h", "stddef.h", "float.h", "stdbool.h")
"""
from __future__ import annotations

from typing import Optional

#: Headers of each platform (their names as written between <>).
PLATFORM_HEADERS: dict[str, frozenset[str]] = {
    "cuda": frozenset("""cuda.h cuda_runtime.h cuda_runtime_api.h device_launch_parameters.h device_functions.h
cuda_fp16.h cuda_fp16.hpp cuda_bf16.h mma.h crt/mma.h math_constants.h sm_20_atomic_functions.h
sm_60_atomic_functions.h vector_types.h vector_functions.h helper_cuda.h""".split()),
    "hip": frozenset("""hip/hip_runtime.h hip/hip_runtime_api.h hip/hip_fp16.h hip/hip_bf16.h
hip/amd_detail/amd_hip_runtime.h hip/hip_vector_types.h hip/math_functions.h""".split()),
    "bang": frozenset("bang.h mlu.h cnrt.h cn_api.h bang_device_functions.h bang_device_types.h cnrt_data.h".split()),
    "vnni": frozenset("""immintrin.h x86intrin.h xmmintrin.h emmintrin.h pmmintrin.h tmmintrin.h smmintrin.h
nmmintrin.h avxintrin.h avx2intrin.h avx512fintrin.h zmmintrin.h omp.h""".split()),
    "c": frozenset(),
}

#: What a translated file of each dialect includes, in order: the platform's runtime, then
#: the standard headers the generated code may use (FLT_MAX, INFINITY, fixed-width ints,
#: math functions, bool in C).
INCLUDES: dict[str, tuple[str, ...]] = {
    "cuda": ("cuda_runtime.h", "cuda_fp16.h", "cfloat", "cmath", "cstdint", "cstddef", "climits", "cstdio",
             "cstdlib", "cstring"),
    "hip": ("hip/hip_runtime.h", "hip/hip_fp16.h", "cfloat", "cmath", "cstdint", "cstddef", "climits", "cstdio",
            "cstdlib", "cstring"),
    "bang": ("bang.h", "cnrt.h", "float.h", "math.h", "stdint.h", "stddef.h", "limits.h", "stdio.h", "stdlib.h",
             "string.h"),
    "vnni": ("immintrin.h", "cfloat", "cmath", "math.h", "cstdint", "cstddef", "climits", "cstdio", "cstdlib", "cstring"),
    "c": ("math.h", "stdint.h", "stddef.h", "float.h", "limits.h", "stdbool.h", "stdio.h", "stdlib.h",
          "string.h", "assert.h"),
}


def platform_of(header: str) -> Optional[str]:
    """The dialect a header belongs to, or None for standard and local headers."""
    for name, hs in PLATFORM_HEADERS.items():
        if header in hs:
            return name
    return None


def includes_for(dialect: str) -> tuple[str, ...]:
    return INCLUDES[dialect]
