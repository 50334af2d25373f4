// conv1d: out[n][co][l] = sum_{ci,j} x[n][ci][l + j] * w[co][ci][j]
// x[N, C_in, L], w[C_out, C_in, KW], out[N, C_out, L - KW + 1]; stride 1,
// no padding, float32.
//
// Grid (ceil(L_out / blockDim.x), C_out, N).  Each workgroup stages the
// filter of its output channel and the input window it needs (blockDim.x +
// KW - 1 samples of every input channel) in dynamic LDS:
//   shared bytes = (C_in*KW + C_in*(blockDim.x + KW - 1)) * sizeof(float).
#include <hip/hip_runtime.h>

// xpiler: launch grid=2,6,2 block=64,1,1 shared=2336
// xpiler: args x=float32[2,8,130] w=float32[6,8,5] out=float32[2,6,126] N=2 C_in=8 L=130 C_out=6 KW=5
__global__ void conv1d_ncl(const float* __restrict__ x, const float* __restrict__ w,
                           float* __restrict__ out, int N, int C_in, int L, int C_out, int KW)
{
    HIP_DYNAMIC_SHARED(float, smem)

    const int L_out = L - KW + 1;
    const int co = blockIdx.y;
    const int n  = blockIdx.z;
    const int l0 = blockIdx.x * blockDim.x;
    const int win = blockDim.x + KW - 1;          // input samples per channel

    float* s_w = smem;                             // [C_in][KW]
    float* s_x = smem + C_in * KW;                 // [C_in][win]

    const float* wc = w + (size_t)co * C_in * KW;
    for (int t = threadIdx.x; t < C_in * KW; t += blockDim.x)
        s_w[t] = wc[t];

    const float* xn = x + (size_t)n * C_in * L;
    for (int t = threadIdx.x; t < C_in * win; t += blockDim.x) {
        int ci = t / win, p = t - ci * win;
        int l = l0 + p;
        s_x[t] = l < L ? xn[(size_t)ci * L + l] : 0.0f;
    }
    __syncthreads();

    const int l = l0 + threadIdx.x;
    if (l >= L_out || n >= N || co >= C_out) return;

    float acc = 0.0f;
    for (int ci = 0; ci < C_in; ++ci) {
        const float* xs = s_x + ci * win + threadIdx.x;
        const float* ws = s_w + ci * KW;
        for (int j = 0; j < KW; ++j)
            acc += xs[j] * ws[j];
    }
    out[((size_t)n * C_out + co) * L_out + l] = acc;
}
