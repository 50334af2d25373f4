// minpool2d: x[N, H, W, C] (NHWC) -> out[N, OH, OW, C], kh x kw window, stride, no padding.
// One thread per output element with a bounds guard, C fastest.
#include <cuda_runtime.h>
#include <math.h>

__device__ static inline float min_window(const float* p, int kh, int kw, int row_pitch, int C);

// xpiler: launch grid=21,1,1 block=256,1,1
// xpiler: args x=float32[1,20,20,16] out=float32[1,18,18,16] N=1 H=20 W=20 C=16 kh=3 kw=3 stride=1
__global__ void minpool2d_kernel(const float* __restrict__ x, float* __restrict__ out,
                                 int N, int H, int W, int C, int kh, int kw, int stride)
{
    const int OH = (H - kh) / stride + 1;
    const int OW = (W - kw) / stride + 1;
    const unsigned total = (unsigned)(N * OH * OW * C);
    const unsigned idx = blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= total)
        return;

    const int c = idx % C;
    const int pix = idx / C;            // n * OH * OW + oh * OW + ow
    const int ow = pix % OW;
    const int oh = (pix / OW) % OH;
    const int n = pix / (OW * OH);

    const float* p = x + ((size_t)(n * H + oh * stride) * W + ow * stride) * C + c;
    out[idx] = min_window(p, kh, kw, W * C, C);
}

__device__ static inline float min_window(const float* p, int kh, int kw, int row_pitch, int C)
{
    float m = INFINITY;
    for (int i = 0; i < kh; ++i, p += row_pitch)
        for (int j = 0; j < kw; ++j)
            m = fminf(m, p[j * C]);
    return m;
}
