// depthwise_conv2d: out[n][oh][ow][c] = sum_{r,s} xpad[n][oh*stride + r][ow*stride + s][c] * w[r][s][c]
// x[N,H,W,C], w[KH,KW,C], out[N,OH,OW,C] (NHWC), zero padding, float32.
//
// One output element per lane with the channel fastest, so a wavefront
// touches contiguous channels of neighbouring pixels.  96-thread
// workgroups: one full wave64 and a half-populated second one; the flat
// bounds check keeps the partial wave and the last workgroup correct.
#include <hip/hip_runtime.h>

// xpiler: launch grid=31,1,1 block=96,1,1
// xpiler: args x=float32[1,21,21,24] w=float32[3,3,24] out=float32[1,11,11,24] N=1 H=21 W=21 C=24 KH=3 KW=3 stride=2 pad=1
__global__ void depthwise_conv2d_nhwc(const float* __restrict__ x, const float* __restrict__ w,
                                      float* __restrict__ out, int N, int H, int W, int C,
                                      int KH, int KW, int stride, int pad)
{
    const int OH = (H + 2 * pad - KH) / stride + 1;
    const int OW = (W + 2 * pad - KW) / stride + 1;
    const long total = (long)N * OH * OW * C;

    const long idx = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= total) return;

    const int c  = (int)(idx % C);
    long p       = idx / C;
    const int ow = (int)(p % OW);  p /= OW;
    const int oh = (int)(p % OH);
    const int n  = (int)(p / OH);

    float acc = 0.0f;
    for (int r = 0; r < KH; ++r) {
        const int ih = oh * stride + r - pad;
        if ((unsigned)ih >= (unsigned)H) continue;       // also rejects ih < 0
        for (int s = 0; s < KW; ++s) {
            const int iw = ow * stride + s - pad;
            if ((unsigned)iw >= (unsigned)W) continue;
            acc += x[(((long)n * H + ih) * W + iw) * C + c] * w[(r * KW + s) * C + c];
        }
    }
    out[idx] = acc;
}
