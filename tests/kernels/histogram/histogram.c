/*
 * histogram.c -- hist[b] = number of i with x[i] == b, for 0 <= b < bins.
 * Layout: x is int32 [n] with every value in [0, bins); hist is int32 [bins].
 * The counts are cleared first, then one pass over x increments them.
 */
#include <stdint.h>

// xpiler: args x=int32[3001] hist=int32[50] n=3001 bins=50
void histogram_i32(const int32_t *restrict x, int32_t *restrict hist, int n, int bins)
{
    for (int b = 0; b < bins; ++b)
        hist[b] = 0;
    for (int i = 0; i < n; ++i)
        hist[x[i]] += 1;
}
