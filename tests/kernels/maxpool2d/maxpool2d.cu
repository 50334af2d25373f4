// maxpool2d: x[N, H, W, C] (NHWC) -> out[N, OH, OW, C], kh x kw window, stride, no padding.
//
// 3-D grid over (output column tile, output row, image) and a 2-D block: threadIdx.y picks
// the output column inside the tile, threadIdx.x strides over the channels (32 lanes read
// 32 consecutive channels of one pixel, coalesced).
#include <cuda_runtime.h>
#include <cfloat>

#define POOL_LANES 32   // blockDim.x: channels per step
#define POOL_COLS 4     // blockDim.y: output columns per block

// xpiler: launch grid=2,8,2 block=32,4,1
// xpiler: args x=float32[2,16,16,40] out=float32[2,8,8,40] N=2 H=16 W=16 C=40 kh=2 kw=2 stride=2
__global__ void maxpool2d_kernel(const float* __restrict__ x, float* __restrict__ out,
                                 int N, int H, int W, int C, int kh, int kw, int stride)
{
    const int OH = (H - kh) / stride + 1;
    const int OW = (W - kw) / stride + 1;
    const int ow = blockIdx.x * blockDim.y + threadIdx.y;
    const int oh = blockIdx.y;
    const int n = blockIdx.z;
    if (ow >= OW || oh >= OH || n >= N)
        return;

    const float* win = x + ((size_t)(n * H + oh * stride) * W + ow * stride) * C;
    float* dst = out + ((size_t)(n * OH + oh) * OW + ow) * C;
    for (int c = threadIdx.x; c < C; c += blockDim.x) {
        float m = -FLT_MAX;
        for (int i = 0; i < kh; ++i)
            for (int j = 0; j < kw; ++j)
                m = fmaxf(m, win[((size_t)i * W + j) * C + c]);
        dst[c] = m;
    }
}
