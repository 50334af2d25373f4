// reduce_sum: out[r] = sum_c x[r, c] for x[rows, cols] (float32).
//
// Long rows are split across blocks: blockIdx.y is the row, blockIdx.x a chunk of
// `chunk` columns.  Each block reduces its chunk (registers -> warp shuffles -> shared
// partials -> warp 0) and adds the result to out[row] with atomicAdd, so the order of the
// final additions is not deterministic.  The kernel is a template on the block size;
// reduce_sum_rows is the extern "C" host wrapper (it zeroes out before launching).
#include <cuda_runtime.h>

#define FULL_MASK 0xffffffffu

template <int BLOCK>
__global__ void __launch_bounds__(BLOCK)
reduce_sum_kernel(const float* __restrict__ x, float* __restrict__ out,
                  int rows, int cols, int chunk)
{
    static_assert(BLOCK % 32 == 0 && BLOCK <= 1024, "BLOCK must be whole warps");
    constexpr int kWarps = BLOCK / 32;
    __shared__ float warp_sums[kWarps];

    const int row = blockIdx.y;
    const int begin = blockIdx.x * chunk;
    const int end = min(begin + chunk, cols);
    const float* xr = x + (size_t)row * cols;

    float s = 0.0f;
    for (int c = begin + threadIdx.x; c < end; c += BLOCK)
        s += xr[c];

#pragma unroll
    for (int offset = 16; offset > 0; offset >>= 1)
        s += __shfl_down_sync(FULL_MASK, s, offset);

    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    if (lane == 0)
        warp_sums[warp] = s;
    __syncthreads();

    if (warp == 0) {
        s = lane < kWarps ? warp_sums[lane] : 0.0f;
#pragma unroll
        for (int offset = 16; offset > 0; offset >>= 1)
            s += __shfl_down_sync(FULL_MASK, s, offset);
        if (lane == 0 && row < rows)
            atomicAdd(&out[row], s);
    }
}

// xpiler: args x=float32[32,3000] out=float32[32] rows=32 cols=3000
extern "C" void reduce_sum_rows(const float* x, float* out, int rows, int cols)
{
    constexpr int kBlock = 256;
    constexpr int kChunk = 1024;   // columns per block

    float *d_x, *d_out;
    cudaMalloc((void**)&d_x, sizeof(float) * (size_t)rows * cols);
    cudaMalloc((void**)&d_out, sizeof(float) * rows);
    cudaMemcpy(d_x, x, sizeof(float) * (size_t)rows * cols, cudaMemcpyHostToDevice);
    cudaMemset(d_out, 0, sizeof(float) * rows);   // the blocks accumulate into out

    const dim3 grid((cols + kChunk - 1) / kChunk, rows);
    reduce_sum_kernel<kBlock><<<grid, kBlock>>>(d_x, d_out, rows, cols, kChunk);

    cudaMemcpy(out, d_out, sizeof(float) * rows, cudaMemcpyDeviceToHost);
    cudaFree(d_x);
    cudaFree(d_out);
}
