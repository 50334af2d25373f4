// gather (embedding lookup): out[i, :] = table[idx[i], :], idx int32, i < num_idx.
//
// Blocks stride over the index list, the threads of a block copy one row.  When dim is a
// multiple of 4 the row is moved as float4.  gather_rows is an extern "C" host wrapper;
// since the table's row count is not a parameter, it uploads rows 0..max(idx) only.
#include <cuda_runtime.h>
#include <stdint.h>

__global__ void gather_kernel(const float* __restrict__ table, const int32_t* __restrict__ idx,
                              float* __restrict__ out, int num_idx, int dim)
{
    const bool vec4 = (dim & 3) == 0;
    for (int i = blockIdx.x; i < num_idx; i += gridDim.x) {
        const int64_t src = (int64_t)idx[i] * dim;
        const int64_t dst = (int64_t)i * dim;
        if (vec4) {
            const float4* s4 = reinterpret_cast<const float4*>(table + src);
            float4* d4 = reinterpret_cast<float4*>(out + dst);
            for (int j = threadIdx.x; j < (dim >> 2); j += blockDim.x)
                d4[j] = s4[j];
        } else {
            for (int j = threadIdx.x; j < dim; j += blockDim.x)
                out[dst + j] = table[src + j];
        }
    }
}

// xpiler: args table=float32[64,96] idx=int32[50] out=float32[50,96] num_idx=50 dim=96
extern "C" void gather_rows(const float* table, const int32_t* idx, float* out,
                            int num_idx, int dim)
{
    int table_rows = 0;
    for (int i = 0; i < num_idx; ++i)
        table_rows = idx[i] + 1 > table_rows ? idx[i] + 1 : table_rows;

    float *d_table, *d_out;
    int32_t* d_idx;
    cudaMalloc((void**)&d_table, sizeof(float) * (size_t)(table_rows > 0 ? table_rows : 1) * dim);
    cudaMalloc((void**)&d_idx, sizeof(int32_t) * num_idx);
    cudaMalloc((void**)&d_out, sizeof(float) * (size_t)num_idx * dim);
    cudaMemcpy(d_table, table, sizeof(float) * (size_t)table_rows * dim, cudaMemcpyHostToDevice);
    cudaMemcpy(d_idx, idx, sizeof(int32_t) * num_idx, cudaMemcpyHostToDevice);

    const int threads = dim >= 128 ? 128 : 32 * ((dim + 31) / 32);
    const int blocks = num_idx < 32 ? num_idx : 32;
    gather_kernel<<<blocks, threads>>>(d_table, d_idx, d_out, num_idx, dim);

    cudaMemcpy(out, d_out, sizeof(float) * (size_t)num_idx * dim, cudaMemcpyDeviceToHost);
    cudaFree(d_table);
    cudaFree(d_idx);
    cudaFree(d_out);
}
