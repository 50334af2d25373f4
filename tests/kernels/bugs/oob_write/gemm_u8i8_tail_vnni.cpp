// gemm_u8i8_tail_vnni.cpp -- C[M,N] (int32) = A[M,K] (uint8) * B[K,N] (int8), with B packed
// as Bp[N/16 blocks][K/4][16][4] so one _mm512_dpbusd_epi32 does 16 columns x 4 k.
// K is a multiple of 4; N need not be a multiple of 16 (Bp is zero-padded to 48 columns).
#include <immintrin.h>
#include <stdint.h>

// xpiler: args A=uint8[8,64] Bp=int8[3,16,16,4] C=int32[8,40] M=8 N=40 K=64
extern "C" void gemm_u8i8_tail(const uint8_t *A, const int8_t *Bp, int32_t *C, int M, int N, int K)
{
    const int nblk = (N + 15) / 16;
    for (int m = 0; m < M; ++m) {
        const uint8_t *a = A + (int64_t)m * K;
        for (int jb = 0; jb < nblk; ++jb) {
            const int8_t *b = Bp + (int64_t)jb * K * 16;
            __m512i acc = _mm512_setzero_si512();
            for (int k = 0; k < K; k += 4) {
                __m512i av = _mm512_set1_epi32(*(const int32_t *)(a + k));
                acc = _mm512_dpbusd_epi32(acc, av, _mm512_loadu_si512(b + k * 16));
            }
            _mm512_storeu_si512(C + (int64_t)m * N + jb * 16, acc);
        }
    }
}
