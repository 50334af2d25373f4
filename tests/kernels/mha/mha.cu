// mha (scaled dot-product attention, no mask):
//   out[b,h] = softmax(q[b,h] k[b,h]^T / sqrt(head_dim)) v[b,h]
// q, k, v, out: [batch, heads, seq, head_dim], float32, row-major.
//
// One block per (query row, batch*head): grid = (seq, batch*heads).  The query row and
// the row of scores/probabilities live in dynamic shared memory:
//   [head_dim floats: q row][seq floats: scores]  -> shared = (head_dim + seq) * 4 bytes.
// Softmax uses block reductions (warp shuffles + a static per-warp buffer).
#include <cuda_runtime.h>
#include <math.h>

#define MHA_THREADS 64
#define MHA_WARPS (MHA_THREADS / 32)

__device__ float block_max(float v, float* red);
__device__ float block_sum(float v, float* red);

// xpiler: launch grid=50,6,1 block=64,1,1 shared=360
// xpiler: args q=float32[2,3,50,40] k=float32[2,3,50,40] v=float32[2,3,50,40] out=float32[2,3,50,40] batch=2 heads=3 seq=50 head_dim=40
__global__ void __launch_bounds__(MHA_THREADS)
mha_kernel(const float* __restrict__ q, const float* __restrict__ k,
           const float* __restrict__ v, float* __restrict__ out,
           int batch, int heads, int seq, int head_dim)
{
    extern __shared__ float smem[];
    __shared__ float red[MHA_WARPS];
    float* q_s = smem;
    float* p_s = smem + head_dim;

    const int qi = blockIdx.x;
    const int bh = blockIdx.y;
    if (qi >= seq || bh >= batch * heads)
        return;
    const size_t base = (size_t)bh * seq * head_dim;

    for (int d = threadIdx.x; d < head_dim; d += blockDim.x)
        q_s[d] = q[base + (size_t)qi * head_dim + d];
    __syncthreads();

    // scores for this query against every key
    const float scale = 1.0f / sqrtf((float)head_dim);
    float m = -INFINITY;
    for (int j = threadIdx.x; j < seq; j += blockDim.x) {
        const float* kr = k + base + (size_t)j * head_dim;
        float s = 0.0f;
        for (int d = 0; d < head_dim; ++d)
            s = fmaf(q_s[d], kr[d], s);
        s *= scale;
        p_s[j] = s;
        m = fmaxf(m, s);
    }
    m = block_max(m, red);

    float l = 0.0f;
    for (int j = threadIdx.x; j < seq; j += blockDim.x) {
        const float e = expf(p_s[j] - m);
        p_s[j] = e;
        l += e;
    }
    l = block_sum(l, red);   // its barriers also publish p_s to the whole block
    const float inv_l = 1.0f / l;

    for (int d = threadIdx.x; d < head_dim; d += blockDim.x) {
        const float* vc = v + base + d;
        float acc = 0.0f;
        for (int j = 0; j < seq; ++j)
            acc = fmaf(p_s[j], vc[(size_t)j * head_dim], acc);
        out[base + (size_t)qi * head_dim + d] = acc * inv_l;
    }
}

__device__ float block_max(float v, float* red)
{
    for (int o = 16; o > 0; o >>= 1)
        v = fmaxf(v, __shfl_xor_sync(0xffffffff, v, o));
    if ((threadIdx.x & 31) == 0)
        red[threadIdx.x >> 5] = v;
    __syncthreads();
    float r = red[0];
    for (int w = 1; w < MHA_WARPS; ++w)
        r = fmaxf(r, red[w]);
    __syncthreads();
    return r;
}

__device__ float block_sum(float v, float* red)
{
    for (int o = 16; o > 0; o >>= 1)
        v += __shfl_xor_sync(0xffffffff, v, o);
    if ((threadIdx.x & 31) == 0)
        red[threadIdx.x >> 5] = v;
    __syncthreads();
    float r = 0.0f;
    for (int w = 0; w < MHA_WARPS; ++w)
        r += red[w];
    __syncthreads();
    return r;
}
