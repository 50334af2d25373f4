// quantize_i8: symmetric int8 quantization,
//   out[i] = saturate(round_half_even(x[i] * (1 / scale))) in [-128, 127].
// x float32 [n], out int8 [n].
//
// Grid-stride loop over groups of four: one float4 load and one char4 store per group
// (both buffers start at aligned addresses).  __float2int_rn rounds to nearest, ties to
// even; the clamp makes out-of-range values saturate instead of wrapping.  The n % 4
// leftover elements are done by the first threads of the grid after the loop.
#include <cuda_runtime.h>
#include <stdint.h>

__device__ __forceinline__ signed char quantize_one(float v, float inv)
{
    int q = __float2int_rn(v * inv);
    q = max(-128, min(127, q));
    return (signed char)q;
}

// xpiler: launch grid=2,1,1 block=128,1,1
// xpiler: args x=float32[2003] out=int8[2003] n=2003 scale=0.015625
__global__ void quantize_i8_kernel(const float* __restrict__ x, int8_t* __restrict__ out,
                                   int n, float scale)
{
    const float inv = 1.0f / scale;
    const int n4 = n / 4;
    const float4* x4 = reinterpret_cast<const float4*>(x);
    char4* o4 = reinterpret_cast<char4*>(out);
    const int tid = blockIdx.x * blockDim.x + threadIdx.x;

    for (int i = tid; i < n4; i += blockDim.x * gridDim.x) {
        const float4 v = x4[i];
        char4 q;
        q.x = quantize_one(v.x, inv);
        q.y = quantize_one(v.y, inv);
        q.z = quantize_one(v.z, inv);
        q.w = quantize_one(v.w, inv);
        o4[i] = q;
    }
    const int rest = n - n4 * 4;
    if (tid < rest)
        out[n4 * 4 + tid] = quantize_one(x[n4 * 4 + tid], inv);
}
