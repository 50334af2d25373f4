// histogram: hist[b] = number of i with x[i] == b, x int32 [n] with values in [0, bins).
//
// Each workgroup counts into a private histogram in dynamically sized LDS (the launch
// passes bins * sizeof(int) bytes) with LDS atomics, over a grid-stride loop, then merges
// it into the global histogram with one global atomicAdd per non-empty bin.
// histogram_i32 is the extern "C" host wrapper; it clears the device histogram first.
#include <hip/hip_runtime.h>

#define HIST_THREADS 256
#define HIST_BLOCKS 6

__global__ void __launch_bounds__(HIST_THREADS)
histogram_lds(const int* __restrict__ x, int* __restrict__ hist, int n, int bins)
{
    extern __shared__ int lds_hist[];
    for (int b = threadIdx.x; b < bins; b += blockDim.x)
        lds_hist[b] = 0;
    __syncthreads();

    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        atomicAdd(&lds_hist[x[i]], 1);
    __syncthreads();

    for (int b = threadIdx.x; b < bins; b += blockDim.x) {
        const int c = lds_hist[b];
        if (c > 0)
            atomicAdd(&hist[b], c);
    }
}

// xpiler: args x=int32[4500] hist=int32[100] n=4500 bins=100
extern "C" void histogram_i32(const int* x, int* hist, int n, int bins)
{
    int *dx, *dh;
    hipMalloc((void**)&dx, sizeof(int) * (size_t)n);
    hipMalloc((void**)&dh, sizeof(int) * bins);
    hipMemcpy(dx, x, sizeof(int) * (size_t)n, hipMemcpyHostToDevice);
    hipMemset(dh, 0, sizeof(int) * bins);

    hipLaunchKernelGGL(histogram_lds, dim3(HIST_BLOCKS), dim3(HIST_THREADS), bins * sizeof(int), 0,
                       dx, dh, n, bins);

    hipMemcpy(hist, dh, sizeof(int) * bins, hipMemcpyDeviceToHost);
    hipFree(dx);
    hipFree(dh);
}
