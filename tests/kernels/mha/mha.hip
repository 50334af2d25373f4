// mha: out = softmax(q k^T / sqrt(head_dim)) v for q, k, v, out of shape
// [batch, heads, seq, head_dim], float32, contiguous.
//
// 3-D grid (ceil(seq / 4), heads, batch); a 256-thread workgroup is four
// wave64s and each wavefront handles one query row:
//   1. stage the query row in LDS,
//   2. lanes take keys j = lane, lane + 64, ...: score, wave max (shfl_xor),
//      exp, wave sum; the probabilities stay in LDS,
//   3. lanes take output features d = lane, lane + 64, ... and accumulate
//      p_j * v[j][d].
// Dynamic LDS per workgroup: 4 * (head_dim + seq) floats.
#include <hip/hip_runtime.h>
#include <cmath>

constexpr int QROWS_PER_BLOCK = 4;

__device__ __forceinline__ float wave_reduce_max(float v)
{
    for (int o = warpSize >> 1; o > 0; o >>= 1) v = std::fmax(v, __shfl_xor(v, o));
    return v;
}

__device__ __forceinline__ float wave_reduce_sum(float v)
{
    for (int o = warpSize >> 1; o > 0; o >>= 1) v += __shfl_xor(v, o);
    return v;
}

// xpiler: launch grid=10,3,2 block=256,1,1 shared=1152
// xpiler: args q=float32[2,3,40,32] k=float32[2,3,40,32] v=float32[2,3,40,32] out=float32[2,3,40,32] batch=2 heads=3 seq=40 head_dim=32
__global__ void __launch_bounds__(256)
mha_fwd(const float* __restrict__ q, const float* __restrict__ k, const float* __restrict__ v,
        float* __restrict__ out, int batch, int heads, int seq, int head_dim)
{
    extern __shared__ float lds[];

    const int lane = threadIdx.x % warpSize;
    const int wave = threadIdx.x / warpSize;
    const int qi   = blockIdx.x * QROWS_PER_BLOCK + wave;
    const int h    = blockIdx.y;
    const int b    = blockIdx.z;
    // Wave-uniform; the workgroup keeps going so every lane reaches the barriers.
    const bool active = qi < seq && b < batch;

    float* sq = lds + wave * (head_dim + seq);     // this wave's query row
    float* sp = sq + head_dim;                     // and its probabilities

    const size_t head = ((size_t)b * heads + h) * seq * head_dim;
    const float* kh = k + head;
    const float* vh = v + head;

    if (active)
        for (int d = lane; d < head_dim; d += warpSize)
            sq[d] = q[head + (size_t)qi * head_dim + d];
    __syncthreads();

    const float scale = 1.0 / std::sqrt((float)head_dim);
    float mx = -INFINITY;
    if (active) {
        for (int j = lane; j < seq; j += warpSize) {
            const float* kj = kh + (size_t)j * head_dim;
            float s = 0.0f;
            for (int d = 0; d < head_dim; ++d)
                s = fmaf(sq[d], kj[d], s);
            s *= scale;
            sp[j] = s;
            mx = fmaxf(mx, s);
        }
        mx = wave_reduce_max(mx);
    }

    float denom = 0.0f;
    if (active) {
        for (int j = lane; j < seq; j += warpSize) {
            float e = expf(sp[j] - mx);
            sp[j] = e;
            denom += e;
        }
        denom = wave_reduce_sum(denom);
    }
    __syncthreads();                               // sp complete before other lanes read it

    if (active) {
        const float inv = 1.0f / denom;
        for (int d = lane; d < head_dim; d += warpSize) {
            float acc = 0.0f;
            for (int j = 0; j < seq; ++j)
                acc = fmaf(sp[j], vh[(size_t)j * head_dim + d], acc);
            out[head + (size_t)qi * head_dim + d] = acc * inv;
        }
    }
}
