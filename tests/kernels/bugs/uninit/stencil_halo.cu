// stencil_halo: 5-point 1-D stencil y[i] = sum_k c[k] * x[i + k - 2] through shared memory.
// A block stages its 256 points plus a halo of 2 on each side, then every thread reads
// five neighbours from the tile. Points outside the array count as zero.
#include <cuda_runtime.h>

#define BLOCK 256
#define R 2

// xpiler: launch grid=4,1,1 block=256,1,1
// xpiler: args x=float32[1024] y=float32[1024] n=1024
__global__ void stencil_halo(const float *x, float *y, int n)
{
    __shared__ float tile[BLOCK + 2 * R];
    const int tid = threadIdx.x;
    const int i = blockIdx.x * BLOCK + tid;
    tile[tid + R] = i < n ? x[i] : 0.0f;
    if (tid < R) {
        const int j = i - R;
        tile[tid] = j >= 0 ? x[j] : 0.0f;
    }
    __syncthreads();
    const float w[2 * R + 1] = {0.1f, 0.2f, 0.4f, 0.2f, 0.1f};
    float acc = 0.0f;
    for (int k = 0; k <= 2 * R; ++k)
        acc += w[k] * tile[tid + k];
    if (i < n)
        y[i] = acc;
}
