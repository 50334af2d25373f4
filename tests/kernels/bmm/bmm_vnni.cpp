// bmm_vnni.cpp -- batched matmul C[b] = A[b] B[b], float32, AVX-512F.
// Layout: A [batch, M, K], B [batch, K, N], C [batch, M, N], all row-major, contiguous.
// One output row per task (OpenMP over batch x M).  For each 64-column panel of the row
// four zmm accumulators stay in registers over the whole k loop: broadcast A[b,i,k],
// FMA against four 16-float pieces of B's row k.  Panel lanes past N are masked.
#include <immintrin.h>
#include <stdint.h>

#define PANEL 64

static inline __mmask16 tail_mask(int left)
{
    return left >= 16 ? (__mmask16)0xFFFF : (left > 0 ? (__mmask16)((1u << left) - 1u) : (__mmask16)0);
}

// xpiler: args A=float32[4,33,64] B=float32[4,64,47] C=float32[4,33,47] batch=4 M=33 N=47 K=64
extern "C" void bmm_f32(const float* A, const float* B, float* C, int batch, int M, int N, int K)
{
    #pragma omp parallel for collapse(2) schedule(static)
    for (int b = 0; b < batch; ++b) {
        for (int i = 0; i < M; ++i) {
            const float* a = A + ((int64_t)b * M + i) * K;
            const float* Bb = B + (int64_t)b * K * N;
            float* c = C + ((int64_t)b * M + i) * N;

            for (int j = 0; j < N; j += PANEL) {
                const __mmask16 m0 = tail_mask(N - j);
                const __mmask16 m1 = tail_mask(N - j - 16);
                const __mmask16 m2 = tail_mask(N - j - 32);
                const __mmask16 m3 = tail_mask(N - j - 48);
                __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
                __m512 acc2 = _mm512_setzero_ps(), acc3 = _mm512_setzero_ps();

                for (int k = 0; k < K; ++k) {
                    const __m512 av = _mm512_set1_ps(a[k]);
                    const float* brow = Bb + (int64_t)k * N + j;
                    acc0 = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(m0, brow), acc0);
                    acc1 = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(m1, brow + 16), acc1);
                    acc2 = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(m2, brow + 32), acc2);
                    acc3 = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(m3, brow + 48), acc3);
                }
                _mm512_mask_storeu_ps(c + j, m0, acc0);
                _mm512_mask_storeu_ps(c + j + 16, m1, acc1);
                _mm512_mask_storeu_ps(c + j + 32, m2, acc2);
                _mm512_mask_storeu_ps(c + j + 48, m3, acc3);
            }
        }
    }
}
