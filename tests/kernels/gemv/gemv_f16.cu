// gemv (half): y[M] = A[M,K] x[K] with A and x __half, y float32; float accumulation.
//
// One 128-thread block per row.  Threads stride along the row (coalesced), then the 128
// partial sums are folded by a shared-memory tree in dynamically sized shared memory
// (blockDim.x floats: launch shared = 128 * 4 bytes), with a __syncthreads() after every
// halving step, so the barrier sits inside the loop.  blockDim.x must be a power of two.
#include <cuda_runtime.h>
#include <cuda_fp16.h>

// xpiler: launch grid=45,1,1 block=128,1,1 shared=512
// xpiler: args A=float16[45,300] x=float16[300] y=float32[45] M=45 K=300
__global__ void gemv_f16_rows(const __half* __restrict__ A, const __half* __restrict__ x,
                              float* __restrict__ y, int M, int K)
{
    extern __shared__ float partial[];
    const int row = blockIdx.x;
    const int tid = threadIdx.x;
    const __half* a = A + (size_t)row * K;

    float acc = 0.0f;
    if (row < M)
        for (int k = tid; k < K; k += blockDim.x)
            acc = fmaf(__half2float(a[k]), __half2float(x[k]), acc);
    partial[tid] = acc;
    __syncthreads();

    for (int s = blockDim.x >> 1; s > 0; s >>= 1) {
        if (tid < s)
            partial[tid] += partial[tid + s];
        __syncthreads();
    }
    if (tid == 0 && row < M)
        y[row] = partial[0];
}
