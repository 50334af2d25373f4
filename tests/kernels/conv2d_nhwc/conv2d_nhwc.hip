// conv2d_nhwc: out[n][oh][ow][k] = sum_{r,s,c} xpad[n][oh*stride + r][ow*stride + s][c] * w[k][r][s][c]
// x[N,H,W,C], w[K,KH,KW,C] (OHWI), out[N,OH,OW,K] with
// OH = (H + 2*pad - KH) / stride + 1 (likewise OW); zero padding; float32.
//
// 2-D workgroup of 16 x 16: threadIdx.x picks the output channel (so lanes
// write consecutive addresses of the NHWC output), threadIdx.y one of 16
// output pixels.  grid.x walks the N*OH*OW pixels, grid.y the K channels in
// groups of 16.  The inner loop runs along C, contiguous in both x and w.
#include <hip/hip_runtime.h>

#define TK 16   // output channels per workgroup
#define TP 16   // output pixels per workgroup

// xpiler: launch grid=8,2,1 block=16,16,1
// xpiler: args x=float32[2,15,15,8] w=float32[20,3,3,8] out=float32[2,8,8,20] N=2 H=15 W=15 C=8 K=20 KH=3 KW=3 stride=2 pad=1
__global__ void __launch_bounds__(TK * TP)
conv2d_nhwc_direct(const float* __restrict__ x, const float* __restrict__ w,
                   float* __restrict__ out, int N, int H, int W, int C, int K,
                   int KH, int KW, int stride, int pad)
{
    const int OH = (H + 2 * pad - KH) / stride + 1;
    const int OW = (W + 2 * pad - KW) / stride + 1;

    const int k   = blockIdx.y * TK + threadIdx.x;
    const int pix = blockIdx.x * TP + threadIdx.y;
    if (k >= K || pix >= N * OH * OW) return;

    const int ow = pix % OW;
    const int oh = (pix / OW) % OH;
    const int n  = pix / (OW * OH);

    const float* xn = x + (size_t)n * H * W * C;
    const float* wk = w + (size_t)k * KH * KW * C;
    float acc = 0.0f;

    for (int r = 0; r < KH; ++r) {
        const int ih = oh * stride - pad + r;
        if (ih < 0 || ih >= H) continue;
        for (int s = 0; s < KW; ++s) {
            const int iw = ow * stride - pad + s;
            if (iw < 0 || iw >= W) continue;
            const float* xp = xn + ((size_t)ih * W + iw) * C;
            const float* wp = wk + ((size_t)r * KW + s) * C;
#pragma unroll 4
            for (int c = 0; c < C; ++c)
                acc = fmaf(xp[c], wp[c], acc);
        }
    }
    out[(size_t)pix * K + k] = acc;
}
