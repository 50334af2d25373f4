// reduce_max: out[r] = max_c x[r, c] for x[rows, cols] (float32).
//
// One block per row.  The block reduction is a device-function template on the block
// size, so the warp count and the shared buffer are compile-time constants; the kernel
// instantiates it for 128 threads.
#include <cuda_runtime.h>
#include <cfloat>
#include <cmath>

constexpr int kReduceMaxThreads = 128;

template <int BLOCK_SIZE>
__device__ __forceinline__ float block_reduce_max(float v)
{
    static_assert(BLOCK_SIZE % 32 == 0, "block size must be a multiple of the warp size");
    __shared__ float warp_max[BLOCK_SIZE / 32];

    for (int mask = 16; mask >= 1; mask /= 2)
        v = std::fmax(v, __shfl_xor_sync(0xffffffffu, v, mask));

    const int lane = threadIdx.x % 32, wid = threadIdx.x / 32;
    if (lane == 0)
        warp_max[wid] = v;
    __syncthreads();

    v = warp_max[0];
#pragma unroll
    for (int w = 1; w < BLOCK_SIZE / 32; ++w)
        v = std::fmax(v, warp_max[w]);
    return v;
}

// xpiler: launch grid=128,1,1 block=128,1,1
// xpiler: args x=float32[128,500] out=float32[128] rows=128 cols=500
__global__ void __launch_bounds__(kReduceMaxThreads)
reduce_max_kernel(const float* __restrict__ x, float* __restrict__ out, int rows, int cols)
{
    if (blockIdx.x >= rows)   // uniform across the block
        return;
    const float* xr = x + static_cast<size_t>(blockIdx.x) * cols;
    float m = -FLT_MAX;
    for (int c = threadIdx.x; c < cols; c += kReduceMaxThreads)
        m = std::fmax(m, xr[c]);

    m = block_reduce_max<kReduceMaxThreads>(m);
    if (threadIdx.x == 0)
        out[blockIdx.x] = m;
}
