// bmm: C[b] = A[b] * B[b] for A[batch,M,K], B[batch,K,N], C[batch,M,N],
// float32, row-major.
//
// One wave64 per workgroup computes a 32x32 tile of one batch entry with
// V_MFMA_F32_32X32X2F32 (16 accumulator floats per lane).  3-D grid:
// x = tile column, y = tile row, z = batch.  K is staged through LDS in
// slabs of 8 (four MFMA steps); out-of-range elements are stored as zero.
//
// Per-lane layout of mfma_f32_32x32x2f32 (lane L, j = L % 32, h = L / 32):
//   a = A[j][h],  b = B[h][j],
//   acc[r] = C[8*(r/4) + 4*h + (r%4)][j]   for r = 0..15.
#include <hip/hip_runtime.h>

typedef float floatx16 __attribute__((ext_vector_type(16)));

constexpr int kTile  = 32;
constexpr int kSlab  = 8;
constexpr int kLanes = 64;

// xpiler: launch grid=2,2,3 block=64,1,1
// xpiler: args A=float32[3,40,30] B=float32[3,30,50] C=float32[3,40,50] batch=3 M=40 N=50 K=30
__global__ void __launch_bounds__(kLanes)
bmm_mfma_f32(const float* __restrict__ A, const float* __restrict__ B,
             float* __restrict__ C, int batch, int M, int N, int K)
{
    __shared__ float sA[kTile][kSlab + 1];
    __shared__ float sB[kSlab][kTile + 1];

    const int b = blockIdx.z;
    if (b >= batch) return;

    const float* Ab = A + (size_t)b * M * K;
    const float* Bb = B + (size_t)b * K * N;
    float* Cb       = C + (size_t)b * M * N;

    const int lane = threadIdx.x;
    const int j = lane % 32;
    const int h = lane / 32;
    const int m0 = blockIdx.y * kTile;
    const int n0 = blockIdx.x * kTile;

    floatx16 acc;
    for (int r = 0; r < 16; ++r) acc[r] = 0.0f;

    for (int k0 = 0; k0 < K; k0 += kSlab) {
        for (int e = lane; e < kTile * kSlab; e += kLanes) {
            int r = e / kSlab, c = e % kSlab;                  // A slab: 32 x 8
            sA[r][c] = (m0 + r < M && k0 + c < K) ? Ab[(size_t)(m0 + r) * K + k0 + c] : 0.0f;
            int rb = e / kTile, cb = e % kTile;                // B slab: 8 x 32
            sB[rb][cb] = (k0 + rb < K && n0 + cb < N) ? Bb[(size_t)(k0 + rb) * N + n0 + cb] : 0.0f;
        }
        __syncthreads();

#pragma unroll
        for (int kk = 0; kk < kSlab; kk += 2)
            acc = __builtin_amdgcn_mfma_f32_32x32x2f32(sA[j][kk + h], sB[kk + h][j], acc, 0, 0, 0);
        __syncthreads();
    }

    const int col = n0 + j;
    if (col < N) {
#pragma unroll
        for (int r = 0; r < 16; ++r) {
            const int row = m0 + 8 * (r / 4) + 4 * h + (r % 4);
            if (row < M)
                Cb[(size_t)row * N + col] = acc[r];
        }
    }
}
