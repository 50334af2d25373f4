// gemm_i8_vnni.cpp -- C[M,N] (int32) = A[M,K] (int8) * B[K,N] (int8), exact, AVX-512 VNNI.
// Layout: A, B, C row-major.
//
// vpdpbusd multiplies *unsigned* bytes of its first source by *signed* bytes of its
// second and adds each group of four products into an int32 lane.  A is signed, so it
// is shifted into u8 with a' = a + 128 (an xor with 0x80), and the shift is removed
// again at the end:
//     sum_k (a + 128) b  =  sum_k a b  +  128 * colsum(B)
// The compensation 128 * colsum(B)[j] is itself computed with vpdpbusd (0x80 x B).
//
// Packing (done once per call, 64-byte aligned scratch):
//   Bp[kk][j] : int32 lane = bytes B[4kk+0..3][j]   (K padded to a multiple of 4 with 0,
//               N padded to a multiple of 32 with 0), so one aligned zmm load gives the
//               4-deep k-groups of 16 consecutive columns.
//   Ap[i][kk] : int32 = bytes (A[i][4kk+0..3] ^ 0x80); broadcast with vpbroadcastd.
// Micro-kernel: 4 rows x 32 columns, 8 int32 accumulators; rows past M alias the last
// valid row and are not stored, columns past N are masked off at the store.
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#define MR 4
#define NR 32

static inline __mmask16 col_mask(int left)
{
    if (left <= 0) return 0;
    return left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1u);
}

// xpiler: args A=int8[67,129] B=int8[129,50] C=int32[67,50] M=67 N=50 K=129
extern "C" void gemm_i8(const int8_t* A, const int8_t* B, int32_t* C, int M, int N, int K)
{
    const int K4 = (K + 3) / 4;
    const int Np = (N + NR - 1) / NR * NR;

    int32_t* Bp = (int32_t*)_mm_malloc((size_t)K4 * Np * sizeof(int32_t), 64);
    int32_t* Ap = (int32_t*)_mm_malloc((size_t)M * K4 * sizeof(int32_t) + 64, 64);
    int32_t* comp = (int32_t*)_mm_malloc((size_t)Np * sizeof(int32_t), 64);

    // ---- pack B into k-groups of four
    memset(Bp, 0, (size_t)K4 * Np * sizeof(int32_t));
    for (int k = 0; k < K; ++k) {
        int8_t* dst = (int8_t*)Bp + (size_t)(k >> 2) * Np * 4 + (k & 3);
        const int8_t* src = B + (size_t)k * N;
        for (int j = 0; j < N; ++j)
            dst[4 * j] = src[j];
    }

    // ---- shift A to unsigned, rows padded to K4*4 bytes (pad byte 0x80 == shifted zero)
    const __m512i flip = _mm512_set1_epi8((char)0x80);
    for (int i = 0; i < M; ++i) {
        uint8_t* dst = (uint8_t*)(Ap + (size_t)i * K4);
        const int8_t* src = A + (size_t)i * K;
        for (int k = 0; k < K4 * 4; k += 64) {
            const int left = K - k;
            const __mmask64 lm = left >= 64 ? ~(__mmask64)0 : left > 0 ? (((__mmask64)1 << left) - 1) : 0;
            const int room = K4 * 4 - k;
            const __mmask64 sm = room >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << room) - 1);
            __m512i v = _mm512_xor_si512(_mm512_maskz_loadu_epi8(lm, src + k), flip);
            _mm512_mask_storeu_epi8(dst + k, sm, v);
        }
    }

    // ---- compensation: comp[j] = 128 * sum_k B[k][j]
    for (int j = 0; j < Np; j += 16) {
        __m512i acc = _mm512_setzero_si512();
        for (int kk = 0; kk < K4; ++kk)
            acc = _mm512_dpbusd_epi32(acc, flip, _mm512_load_si512(Bp + (size_t)kk * Np + j));
        _mm512_store_si512(comp + j, acc);
    }

    #pragma omp parallel for schedule(static)
    for (int i = 0; i < M; i += MR) {
        const int32_t* a0 = Ap + (size_t)i * K4;
        const int32_t* a1 = Ap + (size_t)(i + 1 < M ? i + 1 : i) * K4;
        const int32_t* a2 = Ap + (size_t)(i + 2 < M ? i + 2 : i) * K4;
        const int32_t* a3 = Ap + (size_t)(i + 3 < M ? i + 3 : i) * K4;

        for (int j = 0; j < Np; j += NR) {
            __m512i c00 = _mm512_setzero_si512(), c01 = _mm512_setzero_si512();
            __m512i c10 = _mm512_setzero_si512(), c11 = _mm512_setzero_si512();
            __m512i c20 = _mm512_setzero_si512(), c21 = _mm512_setzero_si512();
            __m512i c30 = _mm512_setzero_si512(), c31 = _mm512_setzero_si512();

            const int32_t* bp = Bp + j;
            for (int kk = 0; kk < K4; ++kk, bp += Np) {
                const __m512i b0 = _mm512_load_si512(bp);
                const __m512i b1 = _mm512_load_si512(bp + 16);
                __m512i a = _mm512_set1_epi32(a0[kk]);
                c00 = _mm512_dpbusd_epi32(c00, a, b0); c01 = _mm512_dpbusd_epi32(c01, a, b1);
                a = _mm512_set1_epi32(a1[kk]);
                c10 = _mm512_dpbusd_epi32(c10, a, b0); c11 = _mm512_dpbusd_epi32(c11, a, b1);
                a = _mm512_set1_epi32(a2[kk]);
                c20 = _mm512_dpbusd_epi32(c20, a, b0); c21 = _mm512_dpbusd_epi32(c21, a, b1);
                a = _mm512_set1_epi32(a3[kk]);
                c30 = _mm512_dpbusd_epi32(c30, a, b0); c31 = _mm512_dpbusd_epi32(c31, a, b1);
            }

            const __m512i k0 = _mm512_load_si512(comp + j), k1 = _mm512_load_si512(comp + j + 16);
            const __mmask16 m0 = col_mask(N - j), m1 = col_mask(N - j - 16);
            int32_t* c = C + (size_t)i * N + j;
            _mm512_mask_storeu_epi32(c, m0, _mm512_sub_epi32(c00, k0));
            _mm512_mask_storeu_epi32(c + 16, m1, _mm512_sub_epi32(c01, k1));
            if (i + 1 < M) {
                _mm512_mask_storeu_epi32(c + N, m0, _mm512_sub_epi32(c10, k0));
                _mm512_mask_storeu_epi32(c + N + 16, m1, _mm512_sub_epi32(c11, k1));
            }
            if (i + 2 < M) {
                _mm512_mask_storeu_epi32(c + 2 * N, m0, _mm512_sub_epi32(c20, k0));
                _mm512_mask_storeu_epi32(c + 2 * N + 16, m1, _mm512_sub_epi32(c21, k1));
            }
            if (i + 3 < M) {
                _mm512_mask_storeu_epi32(c + 3 * N, m0, _mm512_sub_epi32(c30, k0));
                _mm512_mask_storeu_epi32(c + 3 * N + 16, m1, _mm512_sub_epi32(c31, k1));
            }
        }
    }

    _mm_free(comp);
    _mm_free(Ap);
    _mm_free(Bp);
}
