// sumpool2d: x[N, H, W, C] (NHWC) -> out[N, OH, OW, C], sum over each kh x kw window,
// stride `stride`, no padding.  Grid-stride loop with 64-bit flat indices.
#include <cuda_runtime.h>
#include <cstdint>

// xpiler: launch grid=4,1,1 block=128,1,1
// xpiler: args x=float32[3,22,22,12] out=float32[3,7,7,12] N=3 H=22 W=22 C=12 kh=4 kw=4 stride=3
__global__ void sumpool2d_kernel(const float* __restrict__ x, float* __restrict__ out,
                                 int N, int H, int W, int C, int kh, int kw, int stride)
{
    const int OH = (H - kh) / stride + 1;
    const int OW = (W - kw) / stride + 1;
    const int64_t total = static_cast<int64_t>(N) * OH * OW * C;
    const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;

    for (int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
         idx < total; idx += step) {
        const int c = static_cast<int>(idx % C);
        int64_t rest = idx / C;
        const int ow = static_cast<int>(rest % OW);
        rest /= OW;
        const int oh = static_cast<int>(rest % OH);
        const int64_t n = rest / OH;

        const int64_t h0 = static_cast<int64_t>(oh) * stride;
        const int64_t w0 = static_cast<int64_t>(ow) * stride;
        float sum = 0.0f;
        for (int i = 0; i < kh; ++i) {
            const float* xr = x + ((n * H + h0 + i) * W + w0) * C + c;
            for (int j = 0; j < kw; ++j)
                sum += xr[static_cast<int64_t>(j) * C];
        }
        out[idx] = sum;
    }
}
