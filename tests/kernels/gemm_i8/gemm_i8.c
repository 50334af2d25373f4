/*
 * gemm_i8.c -- integer matrix product C = A * B with int8 operands and int32 accumulation.
 * Layout: A is int8 [M, K], B is int8 [K, N], C is int32 [M, N], all row-major.
 * With |a|, |b| <= 128 and K = 257 the sums stay far inside int32.
 */
#include <stddef.h>
#include <stdint.h>

// xpiler: args A=int8[33,257] B=int8[257,65] C=int32[33,65] M=33 N=65 K=257
void gemm_i8(const int8_t *restrict A, const int8_t *restrict B, int32_t *restrict C,
             int M, int N, int K)
{
    for (int i = 0; i < M; ++i) {
        const int8_t *a_row = A + (size_t)i * K;
        for (int j = 0; j < N; ++j) {
            int32_t acc = 0;
            for (int k = 0; k < K; ++k)
                acc += (int32_t)a_row[k] * (int32_t)B[(size_t)k * N + j];
            C[(size_t)i * N + j] = acc;
        }
    }
}
