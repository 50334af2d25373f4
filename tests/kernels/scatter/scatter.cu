// scatter: out[idx[i], :] = src[i, :] for i < num_idx; idx (int32) holds distinct rows of
// out, and rows of out that no index names are left untouched.
//
// 2-D grid: blockIdx.y = i (one source row), x-threads cover the dim columns.
#include <cuda_runtime.h>

// xpiler: launch grid=2,40,1 block=32,1,1
// xpiler: args src=float32[40,33] idx=int32[40] out=float32[64,33] num_idx=40 dim=33
__global__ void scatter_kernel(const float* __restrict__ src, const int* __restrict__ idx,
                               float* __restrict__ out, int num_idx, int dim)
{
    const int i = blockIdx.y;
    const int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < num_idx && j < dim) {
        const int row = idx[i];
        out[(size_t)row * dim + j] = src[(size_t)i * dim + j];
    }
}
