/*
 * gemm.c -- single-precision matrix product C = A * B.
 * Layout: A is [M, K], B is [K, N], C is [M, N], all row-major.
 */

#define A_AT(i, k) A[(i) * K + (k)]
#define B_AT(k, j) B[(k) * N + (j)]
#define C_AT(i, j) C[(i) * N + (j)]

// xpiler: args A=float32[100,129] B=float32[129,75] C=float32[100,75] M=100 N=75 K=129
void gemm_f32(const float *restrict A, const float *restrict B, float *restrict C,
              int M, int N, int K)
{
    for (int i = 0; i < M; ++i) {
        for (int j = 0; j < N; ++j) {
            float acc = 0.0f;
            for (int k = 0; k < K; ++k)
                acc += A_AT(i, k) * B_AT(k, j);
            C_AT(i, j) = acc;
        }
    }
}
