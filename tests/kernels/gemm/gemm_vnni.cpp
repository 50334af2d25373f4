// gemm_vnni.cpp -- C[M,N] = A[M,K] * B[K,N], float32, all row-major, AVX-512F + FMA.
// Register-blocked micro-kernel: 4 rows of A x 32 columns of B (2 zmm per row, 8
// accumulators).  A elements are broadcast, B rows are streamed; column tails use
// __mmask16 masks so no padding or packing is needed.  Row tail: a 1-row variant.
// Row blocks are distributed over OpenMP threads.
#include <immintrin.h>
#include <stdint.h>

#define MR 4
#define NR 32

static inline __mmask16 lane_mask(int left)
{
    return left >= 16 ? (__mmask16)0xFFFF : left <= 0 ? (__mmask16)0 : (__mmask16)((1u << left) - 1u);
}

static void kernel_4xN(const float* A, const float* B, float* C, int i, int j,
                       int N, int K, __mmask16 m0, __mmask16 m1);
static void kernel_1xN(const float* A, const float* B, float* C, int i, int j,
                       int N, int K, __mmask16 m0, __mmask16 m1);

// xpiler: args A=float32[99,130] B=float32[130,75] C=float32[99,75] M=99 N=75 K=130
extern "C" void gemm_f32(const float* A, const float* B, float* C, int M, int N, int K)
{
    const int mfull = M / MR * MR;

    #pragma omp parallel for schedule(dynamic)
    for (int i = 0; i < mfull; i += MR)
        for (int j = 0; j < N; j += NR)
            kernel_4xN(A, B, C, i, j, N, K, lane_mask(N - j), lane_mask(N - j - 16));

    for (int i = mfull; i < M; ++i)
        for (int j = 0; j < N; j += NR)
            kernel_1xN(A, B, C, i, j, N, K, lane_mask(N - j), lane_mask(N - j - 16));
}

static void kernel_4xN(const float* A, const float* B, float* C, int i, int j,
                       int N, int K, __mmask16 m0, __mmask16 m1)
{
    __m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps();
    __m512 c10 = _mm512_setzero_ps(), c11 = _mm512_setzero_ps();
    __m512 c20 = _mm512_setzero_ps(), c21 = _mm512_setzero_ps();
    __m512 c30 = _mm512_setzero_ps(), c31 = _mm512_setzero_ps();

    const float* a0 = A + (int64_t)i * K;
    const float* a1 = a0 + K;
    const float* a2 = a1 + K;
    const float* a3 = a2 + K;

    for (int k = 0; k < K; ++k) {
        const float* brow = B + (int64_t)k * N + j;
        const __m512 b0 = _mm512_maskz_loadu_ps(m0, brow);
        const __m512 b1 = _mm512_maskz_loadu_ps(m1, brow + 16);
        __m512 a;
        a = _mm512_set1_ps(a0[k]); c00 = _mm512_fmadd_ps(a, b0, c00); c01 = _mm512_fmadd_ps(a, b1, c01);
        a = _mm512_set1_ps(a1[k]); c10 = _mm512_fmadd_ps(a, b0, c10); c11 = _mm512_fmadd_ps(a, b1, c11);
        a = _mm512_set1_ps(a2[k]); c20 = _mm512_fmadd_ps(a, b0, c20); c21 = _mm512_fmadd_ps(a, b1, c21);
        a = _mm512_set1_ps(a3[k]); c30 = _mm512_fmadd_ps(a, b0, c30); c31 = _mm512_fmadd_ps(a, b1, c31);
    }

    float* c = C + (int64_t)i * N + j;
    _mm512_mask_storeu_ps(c, m0, c00);         _mm512_mask_storeu_ps(c + 16, m1, c01);
    _mm512_mask_storeu_ps(c + N, m0, c10);     _mm512_mask_storeu_ps(c + N + 16, m1, c11);
    _mm512_mask_storeu_ps(c + 2 * N, m0, c20); _mm512_mask_storeu_ps(c + 2 * N + 16, m1, c21);
    _mm512_mask_storeu_ps(c + 3 * N, m0, c30); _mm512_mask_storeu_ps(c + 3 * N + 16, m1, c31);
}

static void kernel_1xN(const float* A, const float* B, float* C, int i, int j,
                       int N, int K, __mmask16 m0, __mmask16 m1)
{
    __m512 c0 = _mm512_setzero_ps(), c1 = _mm512_setzero_ps();
    const float* a = A + (int64_t)i * K;
    for (int k = 0; k < K; ++k) {
        const __m512 av = _mm512_set1_ps(a[k]);
        c0 = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(m0, B + (int64_t)k * N + j), c0);
        c1 = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(m1, B + (int64_t)k * N + j + 16), c1);
    }
    _mm512_mask_storeu_ps(C + (int64_t)i * N + j, m0, c0);
    _mm512_mask_storeu_ps(C + (int64_t)i * N + j + 16, m1, c1);
}
