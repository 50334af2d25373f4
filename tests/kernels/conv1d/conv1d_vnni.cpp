// conv1d_vnni.cpp -- 1-D convolution (cross-correlation), stride 1, no padding, float32.
// Layout: x [N, C_in, L], w [C_out, C_in, KW], out [N, C_out, L - KW + 1] (NCL).
//   out[n, o, l] = sum_{c, j} w[o, c, j] * x[n, c, l + j]
// Vectorised along the output position l: 16 outputs per zmm, each tap is a broadcast
// weight times an unaligned load of x shifted by j.  Two output channels share every
// x load.  The last partial block of l is masked; masked-off lanes never touch memory.
#include <immintrin.h>
#include <stdint.h>

// xpiler: args x=float32[2,8,130] w=float32[13,8,5] out=float32[2,13,126] N=2 C_in=8 L=130 C_out=13 KW=5
extern "C" void conv1d_f32(const float* x, const float* w, float* out,
                           int N, int C_in, int L, int C_out, int KW)
{
    const int Lo = L - KW + 1;

    #pragma omp parallel for collapse(2) schedule(static)
    for (int n = 0; n < N; ++n) {
        for (int o = 0; o < C_out; o += 2) {
            const int o1 = o + 1 < C_out ? o + 1 : o;
            const float* w0 = w + (int64_t)o * C_in * KW;
            const float* w1 = w + (int64_t)o1 * C_in * KW;
            const float* xn = x + (int64_t)n * C_in * L;

            for (int l = 0; l < Lo; l += 16) {
                const int left = Lo - l;
                const __mmask16 m = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
                __m512 acc0 = _mm512_setzero_ps();
                __m512 acc1 = _mm512_setzero_ps();
                for (int c = 0; c < C_in; ++c) {
                    const float* xc = xn + (int64_t)c * L + l;
                    for (int j = 0; j < KW; ++j) {
                        const __m512 xv = _mm512_maskz_loadu_ps(m, xc + j);
                        acc0 = _mm512_fmadd_ps(_mm512_set1_ps(w0[c * KW + j]), xv, acc0);
                        acc1 = _mm512_fmadd_ps(_mm512_set1_ps(w1[c * KW + j]), xv, acc1);
                    }
                }
                _mm512_mask_storeu_ps(out + ((int64_t)n * C_out + o) * Lo + l, m, acc0);
                if (o1 != o)
                    _mm512_mask_storeu_ps(out + ((int64_t)n * C_out + o1) * Lo + l, m, acc1);
            }
        }
    }
}
