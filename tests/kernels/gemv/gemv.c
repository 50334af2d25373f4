/*
 * gemv.c -- matrix-vector product y = A * x.
 * Layout: A is row-major [M, K], x is [K], y is [M].
 * Each dot product runs over K = 517 terms and is accumulated in double.
 */
#include <stddef.h>

static double dot_f32(const float *restrict a, const float *restrict b, size_t len);

// xpiler: args A=float32[300,517] x=float32[517] y=float32[300] M=300 K=517
void gemv_f32(const float *restrict A, const float *restrict x, float *restrict y,
              int M, int K)
{
    for (int m = 0; m < M; ++m)
        y[m] = (float)dot_f32(A + (size_t)m * (size_t)K, x, (size_t)K);
}

static double dot_f32(const float *restrict a, const float *restrict b, size_t len)
{
    double acc = 0.0;
    for (size_t i = 0; i < len; ++i)
        acc += (double)a[i] * (double)b[i];
    return acc;
}
