// gemv_u8_vnni.cpp -- quantized GEMV: y[M] (int32) = A[M,K] (uint8) x[K] (int8), exact.
// Layout: A row-major [M,K] bytes, x [K] bytes, y [M] int32.
// u8 x s8 is exactly what vpdpbusd takes, so no offset/compensation is needed.  This one
// is written with the AVX-512VL forms: 256-bit _mm256_dpbusd_epi32 over 32 bytes at a
// time, then the 128-bit _mm_dpbusd_epi32 for a 16-byte step and a masked 16-byte tail
// (_mm_maskz_loadu_epi8 zeroes the bytes past K, which then add nothing).
#include <immintrin.h>
#include <stdint.h>

static inline int32_t hsum_epi32_128(__m128i v)
{
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, _MM_SHUFFLE(1, 0, 3, 2)));
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(v);
}

// xpiler: args A=uint8[130,317] x=int8[317] y=int32[130] M=130 K=317
extern "C" void gemv_u8s8(const uint8_t* A, const int8_t* x, int32_t* y, int M, int K)
{
    #pragma omp parallel for
    for (int i = 0; i < M; ++i) {
        const uint8_t* row = A + (int64_t)i * K;
        __m256i acc = _mm256_setzero_si256();
        int k = 0;
        for (; k + 32 <= K; k += 32)
            acc = _mm256_dpbusd_epi32(acc, _mm256_loadu_si256((const __m256i*)(row + k)),
                                      _mm256_loadu_si256((const __m256i*)(x + k)));

        __m128i acc4 = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
        if (k + 16 <= K) {
            acc4 = _mm_dpbusd_epi32(acc4, _mm_loadu_si128((const __m128i*)(row + k)),
                                    _mm_loadu_si128((const __m128i*)(x + k)));
            k += 16;
        }
        if (k < K) {
            const __mmask16 m = (__mmask16)((1u << (K - k)) - 1u);
            acc4 = _mm_dpbusd_epi32(acc4, _mm_maskz_loadu_epi8(m, row + k), _mm_maskz_loadu_epi8(m, x + k));
        }
        y[i] = hsum_epi32_128(acc4);
    }
}
