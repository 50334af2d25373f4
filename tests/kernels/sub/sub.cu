// sub: out[i] = x[i] - y[i], i < n (float32, flat).
// One thread per element with a bounds guard; the grid is rounded up to whole blocks.
#include <cuda_runtime.h>

// xpiler: launch grid=8,1,1 block=256,1,1
// xpiler: args x=float32[2000] y=float32[2000] out=float32[2000] n=2000
__global__ __launch_bounds__(256) void sub_kernel(const float* __restrict__ x,
                                                  const float* __restrict__ y,
                                                  float* __restrict__ out, int n)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        out[i] = x[i] - y[i];
}
