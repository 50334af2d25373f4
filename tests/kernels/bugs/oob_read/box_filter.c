/* box_filter.c -- centred moving average of width 2*R+1 over x[n]; the window is
 * truncated at both ends of the signal and the sum divided by the points it covers. */

// xpiler: args x=float32[500] out=float32[500] n=500 R=3
void box_filter(const float *x, float *out, int n, int R)
{
    for (int i = 0; i < n; ++i) {
        float acc = 0.0f;
        int count = 0;
        for (int k = -R; k <= R; ++k) {
            int j = i + k;
            if (j < 0)
                continue;
            acc += x[j];
            ++count;
        }
        out[i] = acc / (float)count;
    }
}
