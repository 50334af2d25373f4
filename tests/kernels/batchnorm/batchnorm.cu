// batchnorm (inference): x[N, C, HW] (NCHW with H*W flattened), per-channel statistics:
//   out = (x - mean[c]) / sqrt(var[c] + eps) * gamma[c] + beta[c]
//
// 2-D grid: blockIdx.y picks one (n, c) plane, blockIdx.x / threadIdx.x stride over its HW
// elements.  Each thread folds the channel's statistics into one scale and shift.
// batchnorm_forward is a host wrapper: host pointers in, host pointers out.
#include <cuda_runtime.h>
#include <math.h>

#define BN_THREADS 256
#define BN_MAX_BLOCKS_X 8

__global__ void batchnorm_kernel(const float* __restrict__ x, const float* __restrict__ mean,
                                 const float* __restrict__ var, const float* __restrict__ gamma,
                                 const float* __restrict__ beta, float* __restrict__ out,
                                 int N, int C, int HW, float eps)
{
    const int plane = blockIdx.y;              // n * C + c
    if (plane >= N * C)
        return;
    const int c = plane % C;
    const float scale = gamma[c] * rsqrtf(var[c] + eps);
    const float shift = beta[c] - mean[c] * scale;

    const size_t base = (size_t)plane * HW;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < HW; i += blockDim.x * gridDim.x)
        out[base + i] = fmaf(x[base + i], scale, shift);
}

static inline int div_up(int a, int b) { return (a + b - 1) / b; }

// xpiler: args x=float32[4,12,300] mean=float32[12] var=float32[12] gamma=float32[12] beta=float32[12] out=float32[4,12,300] N=4 C=12 HW=300 eps=1e-5
void batchnorm_forward(const float* x, const float* mean, const float* var,
                       const float* gamma, const float* beta, float* out,
                       int N, int C, int HW, float eps)
{
    const size_t xbytes = (size_t)N * C * HW * sizeof(float);
    const size_t cbytes = (size_t)C * sizeof(float);

    float *d_x, *d_mean, *d_var, *d_gamma, *d_beta, *d_out;
    cudaMalloc(&d_x, xbytes);
    cudaMalloc(&d_out, xbytes);
    cudaMalloc(&d_mean, cbytes);
    cudaMalloc(&d_var, cbytes);
    cudaMalloc(&d_gamma, cbytes);
    cudaMalloc(&d_beta, cbytes);
    cudaMemcpy(d_x, x, xbytes, cudaMemcpyHostToDevice);
    cudaMemcpy(d_mean, mean, cbytes, cudaMemcpyHostToDevice);
    cudaMemcpy(d_var, var, cbytes, cudaMemcpyHostToDevice);
    cudaMemcpy(d_gamma, gamma, cbytes, cudaMemcpyHostToDevice);
    cudaMemcpy(d_beta, beta, cbytes, cudaMemcpyHostToDevice);

    int bx = div_up(HW, BN_THREADS);
    if (bx > BN_MAX_BLOCKS_X)
        bx = BN_MAX_BLOCKS_X;
    dim3 grid(bx, N * C);
    batchnorm_kernel<<<grid, BN_THREADS>>>(d_x, d_mean, d_var, d_gamma, d_beta, d_out,
                                           N, C, HW, eps);

    cudaMemcpy(out, d_out, xbytes, cudaMemcpyDeviceToHost);
    cudaFree(d_x);
    cudaFree(d_out);
    cudaFree(d_mean);
    cudaFree(d_var);
    cudaFree(d_gamma);
    cudaFree(d_beta);
}
