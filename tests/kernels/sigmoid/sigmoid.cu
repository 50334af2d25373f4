// sigmoid: out[i] = 1 / (1 + exp(-x[i])), i < n (float32).
// Grid-stride loop with the fast-math __expf intrinsic (a few ulp, fine for |x| <= 1).
#include <cuda_runtime.h>

#define GRID_STRIDE_LOOP(i, n)                                        \
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < (n);      \
         i += blockDim.x * gridDim.x)

// xpiler: launch grid=12,1,1 block=256,1,1
// xpiler: args x=float32[10000] out=float32[10000] n=10000
__global__ void sigmoid(const float* __restrict__ x, float* __restrict__ out, int n)
{
    GRID_STRIDE_LOOP(i, n) {
        out[i] = 1.0f / (1.0f + __expf(-x[i]));
    }
}
