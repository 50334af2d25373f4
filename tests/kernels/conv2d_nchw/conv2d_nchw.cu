// conv2d_nchw: x[N, C, H, W], w[K, C, KH, KW] (OIHW), out[N, K, OH, OW],
//   OH = (H + 2*pad - KH) / stride + 1; zero padding, no bias.
//
// 3-D grid: (x, y) tile the output plane with 16x8 thread blocks, z = n * K + k selects
// the image and the filter.  Threads with the same threadIdx.y read one input row, so the
// loads along W are coalesced for stride 1.
#include <cuda_runtime.h>

#define BLOCK_W 16
#define BLOCK_H 8

// xpiler: launch grid=2,3,16 block=16,8,1
// xpiler: args x=float32[2,4,20,20] w=float32[8,4,3,3] out=float32[2,8,20,20] N=2 C=4 H=20 W=20 K=8 KH=3 KW=3 stride=1 pad=1
__global__ void conv2d_nchw_kernel(const float* __restrict__ x, const float* __restrict__ w,
                                   float* __restrict__ out, int N, int C, int H, int W, int K,
                                   int KH, int KW, int stride, int pad)
{
    const int OH = (H + 2 * pad - KH) / stride + 1;
    const int OW = (W + 2 * pad - KW) / stride + 1;
    const int ow = blockIdx.x * blockDim.x + threadIdx.x;
    const int oh = blockIdx.y * blockDim.y + threadIdx.y;
    const int n = blockIdx.z / K;
    const int k = blockIdx.z % K;
    if (ow >= OW || oh >= OH || n >= N)
        return;

    const int ih0 = oh * stride - pad;
    const int iw0 = ow * stride - pad;
    float acc = 0.0f;
    for (int c = 0; c < C; ++c) {
        const float* xc = x + ((size_t)n * C + c) * H * W;
        const float* wc = w + ((size_t)k * C + c) * KH * KW;
        for (int i = 0; i < KH; ++i) {
            const int ih = ih0 + i;
            if ((unsigned)ih >= (unsigned)H)   // also catches ih < 0
                continue;
            for (int j = 0; j < KW; ++j) {
                const int iw = iw0 + j;
                if ((unsigned)iw < (unsigned)W)
                    acc += __ldg(&xc[ih * W + iw]) * __ldg(&wc[i * KW + j]);
            }
        }
    }
    out[(((size_t)n * K + k) * OH + oh) * OW + ow] = acc;
}
