// dense (fully connected): out[batch, out_features] = x[batch, in] * W[out, in]^T + bias.
//
// 16x16 shared-memory tiles.  Both x and W are read along in_features, the contiguous axis,
// so both tile loads are coalesced; W^T is formed implicitly by indexing ws[tx][k].  One
// column of padding keeps ws[threadIdx.x][kk] conflict-free.
#include <cuda_runtime.h>

#define TILE 16

// xpiler: launch grid=8,4,1 block=16,16,1
// xpiler: args x=float32[64,200] W=float32[120,200] bias=float32[120] out=float32[64,120] batch=64 in_features=200 out_features=120
__global__ void dense_kernel(const float* __restrict__ x, const float* __restrict__ W,
                             const float* __restrict__ bias, float* __restrict__ out,
                             int batch, int in_features, int out_features)
{
    __shared__ float xs[TILE][TILE + 1];
    __shared__ float ws[TILE][TILE + 1];

    const int tx = threadIdx.x, ty = threadIdx.y;
    const int b = blockIdx.y * TILE + ty;        // output row handled by this thread
    const int o = blockIdx.x * TILE + tx;        // output column handled by this thread
    const int wrow = blockIdx.x * TILE + ty;     // W row this thread loads

    float acc = 0.0f;
    for (int k0 = 0; k0 < in_features; k0 += TILE) {
        const int k = k0 + tx;
        xs[ty][tx] = (b < batch && k < in_features) ? x[(size_t)b * in_features + k] : 0.0f;
        ws[ty][tx] = (wrow < out_features && k < in_features) ? W[(size_t)wrow * in_features + k] : 0.0f;
        __syncthreads();

#pragma unroll
        for (int kk = 0; kk < TILE; ++kk)
            acc += xs[ty][kk] * ws[tx][kk];
        __syncthreads();
    }

    if (b < batch && o < out_features)
        out[(size_t)b * out_features + o] = acc + bias[o];
}
