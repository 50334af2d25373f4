// gemv_vnni.cpp -- y[M] = A[M,K] x[K], float32, AVX-512F.
// Layout: A row-major [M,K], x [K], y [M].
// Four rows are walked together so each x vector is loaded once for four FMAs; each row
// keeps its own zmm accumulator, reduced at the end with _mm512_reduce_add_ps.  The
// K % 16 tail uses a masked load (zeros in the dead lanes contribute nothing).
#include <immintrin.h>
#include <cstddef>

namespace {
constexpr int kRows = 4;
constexpr int kVec = 16;
}

// xpiler: args A=float32[301,257] x=float32[257] y=float32[301] M=301 K=257
extern "C" void gemv_f32(const float* __restrict A, const float* __restrict x,
                         float* __restrict y, int M, int K)
{
    const int kbody = K / kVec * kVec;
    const __mmask16 ktail = static_cast<__mmask16>((1u << (K - kbody)) - 1u);
    const int mbody = M / kRows * kRows;

    #pragma omp parallel for schedule(static)
    for (int i = 0; i < mbody; i += kRows) {
        const float* r0 = A + static_cast<std::size_t>(i) * K;
        const float* r1 = r0 + K;
        const float* r2 = r1 + K;
        const float* r3 = r2 + K;
        __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
        __m512 s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps();
        for (int k = 0; k < kbody; k += kVec) {
            const __m512 xv = _mm512_loadu_ps(x + k);
            s0 = _mm512_fmadd_ps(_mm512_loadu_ps(r0 + k), xv, s0);
            s1 = _mm512_fmadd_ps(_mm512_loadu_ps(r1 + k), xv, s1);
            s2 = _mm512_fmadd_ps(_mm512_loadu_ps(r2 + k), xv, s2);
            s3 = _mm512_fmadd_ps(_mm512_loadu_ps(r3 + k), xv, s3);
        }
        if (ktail) {
            const __m512 xv = _mm512_maskz_loadu_ps(ktail, x + kbody);
            s0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(ktail, r0 + kbody), xv, s0);
            s1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(ktail, r1 + kbody), xv, s1);
            s2 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(ktail, r2 + kbody), xv, s2);
            s3 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(ktail, r3 + kbody), xv, s3);
        }
        y[i]     = _mm512_reduce_add_ps(s0);
        y[i + 1] = _mm512_reduce_add_ps(s1);
        y[i + 2] = _mm512_reduce_add_ps(s2);
        y[i + 3] = _mm512_reduce_add_ps(s3);
    }

    // leftover rows, one at a time
    for (int i = mbody; i < M; ++i) {
        const float* r = A + static_cast<std::size_t>(i) * K;
        __m512 s = _mm512_setzero_ps();
        for (int k = 0; k < kbody; k += kVec)
            s = _mm512_fmadd_ps(_mm512_loadu_ps(r + k), _mm512_loadu_ps(x + k), s);
        if (ktail)
            s = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(ktail, r + kbody), _mm512_maskz_loadu_ps(ktail, x + kbody), s);
        y[i] = _mm512_reduce_add_ps(s);
    }
}
