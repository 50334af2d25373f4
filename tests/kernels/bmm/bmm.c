/*
 * bmm.c -- batched matrix product C[b] = A[b] * B[b].
 * Layout: A is [batch, M, K], B is [batch, K, N], C is [batch, M, N], row-major.
 */
#include <stdint.h>

// xpiler: args A=float32[4,31,64] B=float32[4,64,47] C=float32[4,31,47] batch=4 M=31 N=47 K=64
void bmm_f32(const float *restrict A, const float *restrict B, float *restrict C,
             int batch, int M, int N, int K)
{
    for (int b = 0; b < batch; ++b) {
        const float *Ab = A + (int64_t)b * M * K;
        const float *Bb = B + (int64_t)b * K * N;
        float *Cb = C + (int64_t)b * M * N;
        for (int i = 0; i < M; ++i) {
            for (int j = 0; j < N; ++j) {
                float acc = 0.0f;
                for (int k = 0; k < K; ++k)
                    acc += Ab[i * K + k] * Bb[k * N + j];
                Cb[i * N + j] = acc;
            }
        }
    }
}
