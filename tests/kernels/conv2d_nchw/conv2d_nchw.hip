// conv2d_nchw: out[n][k][oh][ow] = sum_{c,r,s} xpad[n][c][oh*stride + r][ow*stride + s] * w[k][c][r][s]
// x[N,C,H,W], w[K,C,KH,KW] (OIHW), out[N,K,OH,OW], OH = (H + 2*pad - KH)/stride + 1,
// zero padding, float32.
//
// A 16x16 workgroup computes a 16x16 patch of one output plane (grid.z =
// n*K + k).  For each input channel it stages the receptive field of the
// patch, a (15*stride + KH) x (15*stride + KW) window with the padding
// materialised as zeros, in dynamic LDS, then every lane runs the KHxKW
// stencil out of LDS.  The filter taps are workgroup-uniform and are read
// from global memory (scalar loads on AMD).
//   shared bytes = (15*stride + KH) * (15*stride + KW) * 4
#include <hip/hip_runtime.h>

#define BX 16
#define BY 16

// xpiler: launch grid=2,2,16 block=16,16,1 shared=1296
// xpiler: args x=float32[2,4,20,20] w=float32[8,4,3,3] out=float32[2,8,20,20] N=2 C=4 H=20 W=20 K=8 KH=3 KW=3 stride=1 pad=1
__global__ void conv2d_nchw_tiled(const float* __restrict__ x, const float* __restrict__ w,
                                  float* __restrict__ out, int N, int C, int H, int W,
                                  int K, int KH, int KW, int stride, int pad)
{
    extern __shared__ float tile[];

    const int OH = (H + 2 * pad - KH) / stride + 1;
    const int OW = (W + 2 * pad - KW) / stride + 1;
    const int TH = (BY - 1) * stride + KH;
    const int TW = (BX - 1) * stride + KW;

    const int n = blockIdx.z / K;
    const int k = blockIdx.z % K;
    const int ow = blockIdx.x * BX + threadIdx.x;
    const int oh = blockIdx.y * BY + threadIdx.y;
    const int ih0 = blockIdx.y * BY * stride - pad;    // top-left of the window
    const int iw0 = blockIdx.x * BX * stride - pad;
    const int tid = threadIdx.y * BX + threadIdx.x;

    float acc = 0.0f;
    for (int c = 0; c < C; ++c) {
        const float* xc = x + ((size_t)n * C + c) * H * W;
        for (int t = tid; t < TH * TW; t += BX * BY) {
            int ty = t / TW, tx = t % TW;
            int ih = ih0 + ty, iw = iw0 + tx;
            tile[t] = (ih >= 0 && ih < H && iw >= 0 && iw < W) ? xc[ih * W + iw] : 0.0f;
        }
        __syncthreads();

        const float* wc = w + ((size_t)k * C + c) * KH * KW;
        for (int r = 0; r < KH; ++r)
            for (int s = 0; s < KW; ++s)
                acc += tile[(threadIdx.y * stride + r) * TW + threadIdx.x * stride + s] * wc[r * KW + s];
        __syncthreads();                 // before the next channel overwrites the tile
    }

    if (oh < OH && ow < OW)
        out[(((size_t)n * K + k) * OH + oh) * OW + ow] = acc;
}
