// leaky_relu (half): out[i] = x[i] > 0 ? x[i] : alpha * x[i], x and out __half [n].
//
// Packed: a grid-stride loop moves two halves per __half2 load/store, widening to float2
// for the arithmetic and rounding back with __floats2half2_rn.  alpha stays a float (it
// need not be representable in half).  With n odd, thread 0 of the grid does the last
// element on its own after the loop.
#include <cuda_runtime.h>
#include <cuda_fp16.h>

// xpiler: launch grid=3,1,1 block=64,1,1
// xpiler: args x=float16[1001] out=float16[1001] n=1001 alpha=0.1
__global__ void leaky_relu_f16(const __half* __restrict__ x, __half* __restrict__ out, int n, float alpha)
{
    const int tid = blockIdx.x * blockDim.x + threadIdx.x;
    const int n2 = n >> 1;
    const __half2* x2 = reinterpret_cast<const __half2*>(x);
    __half2* o2 = reinterpret_cast<__half2*>(out);

    for (int i = tid; i < n2; i += blockDim.x * gridDim.x) {
        float2 v = __half22float2(x2[i]);
        v.x = v.x > 0.0f ? v.x : alpha * v.x;
        v.y = v.y > 0.0f ? v.y : alpha * v.y;
        o2[i] = __floats2half2_rn(v.x, v.y);
    }
    if (tid == 0 && (n & 1)) {
        const float v = __half2float(x[n - 1]);
        out[n - 1] = __float2half_rn(v > 0.0f ? v : alpha * v);
    }
}
