// histogram (few bins): hist[b] = number of i with x[i] == b, x int32 [n] in [0, bins),
// bins <= 32.
//
// One block of 8 warps and no atomics.  The block walks x in 256-element steps; for every
// bin each warp takes a __ballot_sync of "my element is b" and lane b adds the __popc of
// the ballot to its private count, so lane b of every warp owns bin b.  The per-warp
// counts meet in shared memory and threads 0..bins-1 sum the 8 rows and store the
// result: every bin of hist is written exactly once, so it need not be cleared.
#include <cuda_runtime.h>

#define FULL_MASK 0xffffffffu
#define HB_THREADS 256
#define HB_WARPS (HB_THREADS / 32)

// xpiler: launch grid=1,1,1 block=256,1,1
// xpiler: args x=int32[4000] hist=int32[20] n=4000 bins=20
__global__ void __launch_bounds__(HB_THREADS)
histogram_ballot(const int* __restrict__ x, int* __restrict__ hist, int n, int bins)
{
    __shared__ int s_counts[HB_WARPS][32];
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;

    int mine = 0;                                        // count of bin `lane` in this warp
    for (int base = 0; base < n; base += HB_THREADS) {   // uniform trip count
        const int i = base + threadIdx.x;
        const int v = i < n ? x[i] : -1;
        for (int b = 0; b < bins; ++b) {
            const unsigned hits = __ballot_sync(FULL_MASK, v == b);
            if (lane == b)
                mine += __popc(hits);
        }
    }
    s_counts[warp][lane] = mine;
    __syncthreads();

    if (threadIdx.x < bins) {
        int total = 0;
        for (int w = 0; w < HB_WARPS; ++w)
            total += s_counts[w][threadIdx.x];
        hist[threadIdx.x] = total;
    }
}
