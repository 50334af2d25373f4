// depthwise_conv2d: x[N, H, W, C] (NHWC), w[KH, KW, C], out[N, OH, OW, C]; every channel is
// convolved with its own KHxKW filter, zero padding `pad`, stride `stride`.
//
// Grid-stride loop over the flat output, C fastest, so a warp reads 32 consecutive
// channels of one pixel (coalesced) and the matching 32 weights.
#include <cuda_runtime.h>

// xpiler: launch grid=24,1,1 block=256,1,1
// xpiler: args x=float32[2,25,25,40] w=float32[5,5,40] out=float32[2,13,13,40] N=2 H=25 W=25 C=40 KH=5 KW=5 stride=2 pad=2
__global__ void depthwise_conv2d_kernel(const float* __restrict__ x, const float* __restrict__ w,
                                        float* __restrict__ out, int N, int H, int W, int C,
                                        int KH, int KW, int stride, int pad)
{
    const int OH = (H + 2 * pad - KH) / stride + 1;
    const int OW = (W + 2 * pad - KW) / stride + 1;
    const long long total = (long long)N * OH * OW * C;

    for (long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (long long)blockDim.x * gridDim.x) {
        const int c = (int)(idx % C);
        long long p = idx / C;
        const int ow = (int)(p % OW);
        p /= OW;
        const int oh = (int)(p % OH);
        const int n = (int)(p / OH);

        const int h0 = oh * stride - pad;
        const int w0 = ow * stride - pad;
        // clip the window to the image instead of testing every tap
        const int kh_begin = h0 < 0 ? -h0 : 0;
        const int kw_begin = w0 < 0 ? -w0 : 0;
        const int kh_end = min(KH, H - h0);
        const int kw_end = min(KW, W - w0);

        float acc = 0.0f;
        for (int i = kh_begin; i < kh_end; ++i) {
            const float* xrow = x + (((long long)n * H + (h0 + i)) * W) * C + c;
            const float* wrow = w + (long long)i * KW * C + c;
            for (int j = kw_begin; j < kw_end; ++j)
                acc = fmaf(xrow[(long long)(w0 + j) * C], wrow[j * C], acc);
        }
        out[idx] = acc;
    }
}
