/*
 * mha.c -- scaled dot-product attention for every (batch, head).
 * Layout: q, k, v, out are [batch, heads, seq, head_dim], row-major.
 *   out[b, h, i, :] = sum_j softmax_j(q_i . k_j / sqrt(head_dim)) * v[b, h, j, :]
 * Scores are not stored: a first pass over the keys finds the row maximum, a second pass
 * recomputes each score, exponentiates it and accumulates p_ij * v_j into out, which is
 * then divided by the sum of the weights.
 */
#include <math.h>
#include <stddef.h>

static float dot(const float *restrict a, const float *restrict b, int len);

// xpiler: args q=float32[2,3,40,24] k=float32[2,3,40,24] v=float32[2,3,40,24] out=float32[2,3,40,24] batch=2 heads=3 seq=40 head_dim=24
void mha_f32(const float *restrict q, const float *restrict k, const float *restrict v,
             float *restrict out, int batch, int heads, int seq, int head_dim)
{
    const float scale = 1.0f / sqrtf((float)head_dim);
    const size_t head_stride = (size_t)seq * head_dim;

    for (int bh = 0; bh < batch * heads; ++bh) {
        const float *Q = q + (size_t)bh * head_stride;
        const float *K = k + (size_t)bh * head_stride;
        const float *V = v + (size_t)bh * head_stride;
        float *O = out + (size_t)bh * head_stride;

        for (int i = 0; i < seq; ++i) {
            const float *qi = Q + (size_t)i * head_dim;
            float *oi = O + (size_t)i * head_dim;

            float m = -INFINITY;
            for (int j = 0; j < seq; ++j)
                m = fmaxf(m, dot(qi, K + (size_t)j * head_dim, head_dim) * scale);

            for (int d = 0; d < head_dim; ++d)
                oi[d] = 0.0f;
            float denom = 0.0f;
            for (int j = 0; j < seq; ++j) {
                const float p = expf(dot(qi, K + (size_t)j * head_dim, head_dim) * scale - m);
                const float *vj = V + (size_t)j * head_dim;
                denom += p;
                for (int d = 0; d < head_dim; ++d)
                    oi[d] += p * vj[d];
            }

            const float inv = 1.0f / denom;
            for (int d = 0; d < head_dim; ++d)
                oi[d] *= inv;
        }
    }
}

static float dot(const float *restrict a, const float *restrict b, int len)
{
    float s = 0.0f;
    for (int t = 0; t < len; ++t)
        s += a[t] * b[t];
    return s;
}
