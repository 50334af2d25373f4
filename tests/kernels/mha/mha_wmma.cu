// mha on tensor cores: out[b,h] = softmax(q k^T / sqrt(head_dim)) v for one (batch, head)
// and a tile of 16 query rows per block.  q, k, v are half [batch, heads, seq, head_dim];
// out is float32 with the same shape.
//
// nvcuda::wmma m16n16k16, half inputs, float accumulators:
//   1. Q tile, K and V of the head are staged in shared memory as half, zero-padded to
//      Dp = head_dim rounded up to 16 and Sp = seq rounded up to 16.
//   2. S = Q K^T: K^T is read straight out of the row-major K buffer by loading matrix_b
//      as col_major.  The 1/sqrt(d) scale is applied element-wise on the accumulator
//      fragment (acc.x[i], uniform across lanes, so independent of the fragment layout).
//   3. Row softmax on S (one warp per row, padded key columns masked out); the normalised
//      probabilities P are written as half.
//   4. O = P V, staged through shared memory and stored with bounds checks.
// Dynamic shared memory (launch shared = bytes), every region a multiple of 32 bytes:
//   Qs half [16][Dp] | Ks half [Sp][Dp] | Vs half [Sp][Dp] | Ss float [16][max(Sp,Dp)] | Ps half [16][Sp]
//   = 2*(16*Dp + 2*Sp*Dp) + 4*16*max(Sp,Dp) + 2*16*Sp bytes.  Ss holds the scores (ldm Sp)
//   and is then reused for the output tile (ldm Dp).
#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include <mma.h>
#include <math.h>

using namespace nvcuda;

#define WM 16
#define ATTN_WARPS 4
#define ATTN_THREADS (ATTN_WARPS * 32)
#define ROUND_UP16(v) (((v) + 15) & ~15)

// xpiler: launch grid=4,4,1 block=128,1,1 shared=19968
// xpiler: args q=float16[2,2,50,40] k=float16[2,2,50,40] v=float16[2,2,50,40] out=float32[2,2,50,40] batch=2 heads=2 seq=50 head_dim=40
__global__ void __launch_bounds__(ATTN_THREADS)
mha_wmma_kernel(const __half* __restrict__ q, const __half* __restrict__ k,
                const __half* __restrict__ v, float* __restrict__ out,
                int batch, int heads, int seq, int head_dim)
{
    extern __shared__ __align__(32) unsigned char smem_raw[];

    const int Dp = ROUND_UP16(head_dim);
    const int Sp = ROUND_UP16(seq);
    __half* Qs = reinterpret_cast<__half*>(smem_raw);
    __half* Ks = Qs + WM * Dp;
    __half* Vs = Ks + Sp * Dp;
    float* Ss = reinterpret_cast<float*>(Vs + Sp * Dp);
    __half* Ps = reinterpret_cast<__half*>(Ss + WM * max(Sp, Dp));

    const int bh = blockIdx.y;
    const int q0 = blockIdx.x * WM;
    if (bh >= batch * heads)
        return;
    const size_t base = (size_t)bh * seq * head_dim;
    const int warp = threadIdx.x >> 5;
    const int lane = threadIdx.x & 31;
    const __half hzero = __float2half(0.0f);

    // 1. stage Q (16 rows), K and V (all keys), zero padded
    for (int e = threadIdx.x; e < WM * Dp; e += ATTN_THREADS) {
        const int r = e / Dp, d = e % Dp;
        Qs[e] = (q0 + r < seq && d < head_dim) ? q[base + (size_t)(q0 + r) * head_dim + d] : hzero;
    }
    for (int e = threadIdx.x; e < Sp * Dp; e += ATTN_THREADS) {
        const int j = e / Dp, d = e % Dp;
        const bool in = j < seq && d < head_dim;
        Ks[e] = in ? k[base + (size_t)j * head_dim + d] : hzero;
        Vs[e] = in ? v[base + (size_t)j * head_dim + d] : hzero;
    }
    __syncthreads();

    // 2. S = (Q K^T) * scale, one 16x16 key tile per warp at a time
    const float scale = 1.0f / sqrtf((float)head_dim);
    for (int jt = warp; jt < Sp / WM; jt += ATTN_WARPS) {
        wmma::fragment<wmma::matrix_a, WM, WM, WM, __half, wmma::row_major> qa;
        wmma::fragment<wmma::matrix_b, WM, WM, WM, __half, wmma::col_major> kb;
        wmma::fragment<wmma::accumulator, WM, WM, WM, float> s_acc;
        wmma::fill_fragment(s_acc, 0.0f);
        for (int dk = 0; dk < Dp; dk += WM) {
            wmma::load_matrix_sync(qa, Qs + dk, Dp);
            // element (kk, n) of K^T is K[jt*16 + n][dk + kk]: column-major with ldm = Dp
            wmma::load_matrix_sync(kb, Ks + (size_t)jt * WM * Dp + dk, Dp);
            wmma::mma_sync(s_acc, qa, kb, s_acc);
        }
        for (int i = 0; i < s_acc.num_elements; ++i)
            s_acc.x[i] *= scale;
        wmma::store_matrix_sync(Ss + jt * WM, s_acc, Sp, wmma::mem_row_major);
    }
    __syncthreads();

    // 3. softmax over the seq valid columns of each row, one warp per row
    for (int r = warp; r < WM; r += ATTN_WARPS) {
        const float* srow = Ss + r * Sp;
        float m = -INFINITY;
        for (int j = lane; j < seq; j += 32)
            m = fmaxf(m, srow[j]);
        for (int o = 16; o > 0; o >>= 1)
            m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, o));
        float l = 0.0f;
        for (int j = lane; j < seq; j += 32)
            l += __expf(srow[j] - m);
        for (int o = 16; o > 0; o >>= 1)
            l += __shfl_xor_sync(0xffffffffu, l, o);
        const float inv_l = 1.0f / l;
        for (int j = lane; j < Sp; j += 32)
            Ps[r * Sp + j] = j < seq ? __float2half(__expf(srow[j] - m) * inv_l) : hzero;
    }
    __syncthreads();

    // 4. O = P V into Ss (now free), one 16x16 column tile of the head dimension per warp
    for (int dt = warp; dt < Dp / WM; dt += ATTN_WARPS) {
        wmma::fragment<wmma::matrix_a, WM, WM, WM, __half, wmma::row_major> pa;
        wmma::fragment<wmma::matrix_b, WM, WM, WM, __half, wmma::row_major> vb;
        wmma::fragment<wmma::accumulator, WM, WM, WM, float> o_acc;
        wmma::fill_fragment(o_acc, 0.0f);
        for (int ks = 0; ks < Sp; ks += WM) {
            wmma::load_matrix_sync(pa, Ps + ks, Sp);
            wmma::load_matrix_sync(vb, Vs + (size_t)ks * Dp + dt * WM, Dp);
            wmma::mma_sync(o_acc, pa, vb, o_acc);
        }
        wmma::store_matrix_sync(Ss + dt * WM, o_acc, Dp, wmma::mem_row_major);
    }
    __syncthreads();

    for (int e = threadIdx.x; e < WM * head_dim; e += ATTN_THREADS) {
        const int r = e / head_dim, d = e % head_dim;
        if (q0 + r < seq)
            out[base + (size_t)(q0 + r) * head_dim + d] = Ss[r * Dp + d];
    }
}
