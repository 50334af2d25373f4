// mha_vnni.cpp -- scaled dot-product attention for all heads, float32, AVX-512F.
// Layout: q, k, v, out [batch, heads, seq, head_dim], contiguous.
//   out[b,h,i,:] = sum_j softmax_j(q[b,h,i,:] . k[b,h,j,:] / sqrt(head_dim)) v[b,h,j,:]
// One query row per task.  Scores are dot products along head_dim (16 floats per zmm,
// masked tail, _mm512_reduce_add_ps); they live in a per-thread scratch row, where the
// softmax numerators are taken with scalar expf (seq values per row -- not worth a vector
// exp here).  The output row is then an FMA sweep of the value rows, 16 dims at a time.
#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <stdint.h>

static inline float dot_masked(const float* a, const float* b, int n)
{
    __m512 acc = _mm512_setzero_ps();
    int d = 0;
    for (; d + 16 <= n; d += 16)
        acc = _mm512_fmadd_ps(_mm512_loadu_ps(a + d), _mm512_loadu_ps(b + d), acc);
    if (d < n) {
        const __mmask16 m = (__mmask16)((1u << (n - d)) - 1u);
        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + d), _mm512_maskz_loadu_ps(m, b + d), acc);
    }
    return _mm512_reduce_add_ps(acc);
}

// xpiler: args q=float32[2,3,40,24] k=float32[2,3,40,24] v=float32[2,3,40,24] out=float32[2,3,40,24] batch=2 heads=3 seq=40 head_dim=24
extern "C" void mha_f32(const float* q, const float* k, const float* v, float* out,
                        int batch, int heads, int seq, int head_dim)
{
    const float scale = 1.0f / sqrtf((float)head_dim);
    const int nbh = batch * heads;

    #pragma omp parallel
    {
        float* p = (float*)malloc((size_t)seq * sizeof(float));   // per-thread score row

        #pragma omp for collapse(2) schedule(static)
        for (int bh = 0; bh < nbh; ++bh) {
            for (int i = 0; i < seq; ++i) {
                const int64_t head = (int64_t)bh * seq * head_dim;
                const float* qi = q + head + (int64_t)i * head_dim;
                const float* K = k + head;
                const float* V = v + head;
                float* oi = out + head + (int64_t)i * head_dim;

                float mx = -INFINITY;
                for (int j = 0; j < seq; ++j) {
                    p[j] = dot_masked(qi, K + (int64_t)j * head_dim, head_dim) * scale;
                    mx = p[j] > mx ? p[j] : mx;
                }
                float sum = 0.0f;
                for (int j = 0; j < seq; ++j) {
                    p[j] = expf(p[j] - mx);
                    sum += p[j];
                }
                const __m512 inv = _mm512_set1_ps(1.0f / sum);

                for (int d = 0; d < head_dim; d += 16) {
                    const int left = head_dim - d;
                    const __mmask16 m = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1u);
                    __m512 acc = _mm512_setzero_ps();
                    for (int j = 0; j < seq; ++j)
                        acc = _mm512_fmadd_ps(_mm512_set1_ps(p[j]),
                                              _mm512_maskz_loadu_ps(m, V + (int64_t)j * head_dim + d), acc);
                    _mm512_mask_storeu_ps(oi + d, m, _mm512_mul_ps(acc, inv));
                }
            }
        }

        free(p);
    }
}
