// maxpool2d_vnni.cpp -- max pooling, NHWC, no padding, float32, AVX-512F.
// Layout: x [N, H, W, C], out [N, OH, OW, C], OH = (H - kh) / stride + 1.
// Running maximum over the window on 16-channel vectors starting from -inf; the
// last C % 16 channels use a masked load (dead lanes keep -inf) and a masked store.
#include <immintrin.h>
#include <math.h>
#include <stddef.h>

#define LANES 16

// xpiler: args x=float32[2,16,16,35] out=float32[2,8,8,35] N=2 H=16 W=16 C=35 kh=2 kw=2 stride=2
extern "C" void maxpool2d_f32(const float* x, float* out, int N, int H, int W, int C,
                              int kh, int kw, int stride)
{
    const int OH = (H - kh) / stride + 1;
    const int OW = (W - kw) / stride + 1;
    const __m512 neg_inf = _mm512_set1_ps(-INFINITY);
    const int npix = N * OH * OW;

    #pragma omp parallel for
    for (int p = 0; p < npix; ++p) {
        const int n = p / (OH * OW), oh = p / OW % OH, ow = p % OW;
        const float* win = x + (((size_t)n * H + (size_t)oh * stride) * W + (size_t)ow * stride) * C;
        float* y = out + (size_t)p * C;

        for (int c = 0; c < C; c += LANES) {
            const int left = C - c;
            const __mmask16 m = left < LANES ? (__mmask16)((1u << left) - 1u) : (__mmask16)0xFFFF;
            __m512 best = neg_inf;
            for (int i = 0; i < kh; ++i) {
                const float* row = win + (size_t)i * W * C + c;
                for (int j = 0; j < kw; ++j)
                    best = _mm512_max_ps(best, _mm512_mask_loadu_ps(neg_inf, m, row + (size_t)j * C));
            }
            _mm512_mask_storeu_ps(y + c, m, best);
        }
    }
}
