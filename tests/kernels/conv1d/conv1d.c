/*
 * conv1d.c -- 1-D convolution (cross-correlation), stride 1, no padding.
 * Layout: x is [N, C_in, L], w is [C_out, C_in, KW], out is [N, C_out, L - KW + 1] (NCL).
 *   out[n, o, l] = sum_{c, j} x[n, c, l + j] * w[o, c, j]
 */

// xpiler: args x=float32[2,7,200] w=float32[12,7,5] out=float32[2,12,196] N=2 C_in=7 L=200 C_out=12 KW=5
void conv1d_f32(const float *restrict x, const float *restrict w, float *restrict out,
                int N, int C_in, int L, int C_out, int KW)
{
    const int L_out = L - KW + 1;
    for (int n = 0; n < N; ++n) {
        for (int o = 0; o < C_out; ++o) {
            for (int l = 0; l < L_out; ++l) {
                float acc = 0.0f;
                for (int c = 0; c < C_in; ++c) {
                    const float *xs = &x[(n * C_in + c) * L + l];
                    const float *ws = &w[(o * C_in + c) * KW];
                    for (int j = 0; j < KW; ++j)
                        acc += xs[j] * ws[j];
                }
                out[(n * C_out + o) * L_out + l] = acc;
            }
        }
    }
}
