// avgpool2d: x[N, H, W, C] (NHWC) -> out[N, OH, OW, C], kh x kw window, stride `stride`,
// no padding: OH = (H - kh) / stride + 1.  Every window lies inside the image, so the
// divisor is always kh * kw.
//
// One thread per output element (C fastest); avgpool2d_forward is the host wrapper.
#include <cuda_runtime.h>
#include <stdio.h>

__global__ void avgpool2d_kernel(const float* __restrict__ x, float* __restrict__ out,
                                 int N, int H, int W, int C, int kh, int kw, int stride)
{
    const int OH = (H - kh) / stride + 1;
    const int OW = (W - kw) / stride + 1;
    const int idx = blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= N * OH * OW * C)
        return;

    const int c = idx % C;
    const int ow = (idx / C) % OW;
    const int oh = (idx / (C * OW)) % OH;
    const int n = idx / (C * OW * OH);

    const float* base = x + ((size_t)(n * H + oh * stride) * W + ow * stride) * C + c;
    float sum = 0.0f;
    for (int i = 0; i < kh; ++i)
        for (int j = 0; j < kw; ++j)
            sum += base[((size_t)i * W + j) * C];
    out[idx] = sum * (float)(1.0 / (kh * kw));
}

// xpiler: args x=float32[2,15,15,10] out=float32[2,7,7,10] N=2 H=15 W=15 C=10 kh=3 kw=3 stride=2
extern "C" void avgpool2d_forward(const float* x, float* out, int N, int H, int W, int C,
                                  int kh, int kw, int stride)
{
    const int OH = (H - kh) / stride + 1;
    const int OW = (W - kw) / stride + 1;
    const size_t in_bytes = sizeof(float) * (size_t)N * H * W * C;
    const size_t out_elems = (size_t)N * OH * OW * C;

    float* d_x = nullptr;
    float* d_out = nullptr;
    if (cudaMalloc(&d_x, in_bytes) != cudaSuccess ||
        cudaMalloc(&d_out, out_elems * sizeof(float)) != cudaSuccess) {
        fprintf(stderr, "avgpool2d_forward: cudaMalloc failed\n");
        cudaFree(d_x);
        return;
    }
    cudaMemcpy(d_x, x, in_bytes, cudaMemcpyHostToDevice);

    const int threads = 128;
    const int blocks = (int)((out_elems + threads - 1) / threads);
    avgpool2d_kernel<<<blocks, threads>>>(d_x, d_out, N, H, W, C, kh, kw, stride);

    cudaMemcpy(out, d_out, out_elems * sizeof(float), cudaMemcpyDeviceToHost);
    cudaFree(d_x);
    cudaFree(d_out);
}
