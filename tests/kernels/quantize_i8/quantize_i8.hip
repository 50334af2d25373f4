// quantize_i8 (half input): out[i] = saturate(round_half_even(x[i] * (1 / scale))),
// x __half [n], out int8 [n].
//
// Grid-stride loop, one element per lane per step.  The half value is widened exactly to
// float; rintf rounds to nearest with ties to even (the default rounding mode) and the
// result is clamped to [-128, 127], so large values saturate rather than wrap.
#include <hip/hip_runtime.h>
#include <hip/hip_fp16.h>
#include <stdint.h>

// xpiler: launch grid=4,1,1 block=256,1,1
// xpiler: args x=float16[1500] out=int8[1500] n=1500 scale=0.015625
__global__ void quantize_f16_i8(const __half* __restrict__ x, int8_t* __restrict__ out, int n, float scale)
{
    const float inv = 1.0f / scale;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) {
        float q = rintf(__half2float(x[i]) * inv);
        q = fminf(fmaxf(q, -128.0f), 127.0f);
        out[i] = (int8_t)(int)q;
    }
}
