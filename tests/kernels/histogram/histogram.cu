// histogram: hist[b] = number of i with x[i] == b, x int32 [n] with values in [0, bins).
//
// Privatised per block: each block counts into a bins-sized histogram in dynamic shared
// memory (launch: bins * sizeof(int) bytes), then adds it to the global one with one
// atomicAdd per non-empty bin.  Inside a warp, lanes holding the same value are grouped
// with __match_any_sync; the lowest such lane (__ffs) adds the group's size (__popc), so
// a run of equal values costs one shared atomic instead of 32.  The element loop is a
// grid-stride loop whose trip count is uniform across the block (the guard is inside),
// so all 32 lanes always reach __match_any_sync together.
// histogram_i32 is the extern "C" host wrapper: it clears hist on the device first.
#include <cuda_runtime.h>

#define FULL_MASK 0xffffffffu
#define HIST_THREADS 256
#define HIST_MAX_BLOCKS 32

__global__ void __launch_bounds__(HIST_THREADS)
histogram_kernel(const int* __restrict__ x, int* __restrict__ hist, int n, int bins)
{
    extern __shared__ int s_hist[];
    for (int b = threadIdx.x; b < bins; b += blockDim.x)
        s_hist[b] = 0;
    __syncthreads();

    const int lane = threadIdx.x & 31;
    for (int base = blockIdx.x * blockDim.x; base < n; base += blockDim.x * gridDim.x) {
        const int i = base + threadIdx.x;
        const int bin = i < n ? x[i] : -1;               // -1: no element, a group of its own
        const unsigned peers = __match_any_sync(FULL_MASK, bin);
        const int leader = __ffs(peers) - 1;
        if (bin >= 0 && lane == leader)
            atomicAdd(&s_hist[bin], __popc(peers));
    }
    __syncthreads();

    for (int b = threadIdx.x; b < bins; b += blockDim.x) {
        const int c = s_hist[b];
        if (c != 0)
            atomicAdd(&hist[b], c);
    }
}

// xpiler: args x=int32[5000] hist=int32[37] n=5000 bins=37
extern "C" void histogram_i32(const int* x, int* hist, int n, int bins)
{
    int *d_x, *d_hist;
    cudaMalloc((void**)&d_x, sizeof(int) * (size_t)n);
    cudaMalloc((void**)&d_hist, sizeof(int) * bins);
    cudaMemcpy(d_x, x, sizeof(int) * (size_t)n, cudaMemcpyHostToDevice);
    cudaMemset(d_hist, 0, sizeof(int) * bins);

    int blocks = (n + HIST_THREADS * 4 - 1) / (HIST_THREADS * 4);   // ~4 elements per thread
    if (blocks > HIST_MAX_BLOCKS)
        blocks = HIST_MAX_BLOCKS;
    histogram_kernel<<<blocks, HIST_THREADS, bins * sizeof(int)>>>(d_x, d_hist, n, bins);

    cudaMemcpy(hist, d_hist, sizeof(int) * bins, cudaMemcpyDeviceToHost);
    cudaFree(d_x);
    cudaFree(d_hist);
}
