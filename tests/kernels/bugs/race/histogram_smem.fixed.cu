// histogram_smem: 64-bin histogram of byte values (bin = v >> 2), privatised per block in
// shared memory and merged into the global histogram with atomics.
#include <cuda_runtime.h>

#define BINS 64

// xpiler: launch grid=4,1,1 block=128,1,1
// xpiler: args data=uint8[2048] hist=int32[64] n=2048
__global__ void histogram_smem(const unsigned char *data, int *hist, int n)
{
    __shared__ int local[BINS];
    for (int b = threadIdx.x; b < BINS; b += blockDim.x)
        local[b] = 0;
    __syncthreads();
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x)
        atomicAdd(&local[data[i] >> 2], 1);
    __syncthreads();
    for (int b = threadIdx.x; b < BINS; b += blockDim.x)
        atomicAdd(&hist[b], local[b]);
}
