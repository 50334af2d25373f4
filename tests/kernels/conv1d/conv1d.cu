// conv1d: x[N, C_in, L] (NCL), w[C_out, C_in, KW], out[N, C_out, L - KW + 1];
// stride 1, no padding, no bias (cross-correlation, as in deep-learning frameworks).
//
// 3-D grid: x tiles the output positions, y is the output channel, z the batch entry.
// The C_in * KW weights of the block's output channel are staged in dynamic shared memory
// (launch with shared = C_in * KW * sizeof(float)).
#include <cuda_runtime.h>

// xpiler: launch grid=3,16,2 block=128,1,1 shared=160
// xpiler: args x=float32[2,8,300] w=float32[16,8,5] out=float32[2,16,296] N=2 C_in=8 L=300 C_out=16 KW=5
__global__ void conv1d_kernel(const float* __restrict__ x, const float* __restrict__ w,
                              float* __restrict__ out, int N, int C_in, int L, int C_out, int KW)
{
    extern __shared__ float w_s[];

    const int co = blockIdx.y;
    const int n = blockIdx.z;
    const int L_out = L - KW + 1;

    const float* wc = w + (size_t)co * C_in * KW;
    for (int i = threadIdx.x; i < C_in * KW; i += blockDim.x)
        w_s[i] = wc[i];
    __syncthreads();

    const int l = blockIdx.x * blockDim.x + threadIdx.x;
    if (l < L_out && n < N) {
        const float* xn = x + (size_t)n * C_in * L;
        float acc = 0.0f;
        for (int ci = 0; ci < C_in; ++ci) {
            const float* xr = xn + (size_t)ci * L + l;
            const float* wr = w_s + ci * KW;
            for (int j = 0; j < KW; ++j)
                acc = fmaf(xr[j], wr[j], acc);
        }
        out[((size_t)n * C_out + co) * L_out + l] = acc;
    }
}
