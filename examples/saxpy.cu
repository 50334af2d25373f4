// saxpy.cu -- y = a * x + y, one thread per element: the bundled example for `make demo`.
#include <cuda_runtime.h>

// xpiler: launch grid=4,1,1 block=256,1,1
// xpiler: args x=float32[1000] y=float32[1000] a=2.5 n=1000
__global__ void saxpy(const float *__restrict__ x, float *__restrict__ y, float a, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        y[i] = a * x[i] + y[i];
    }
}

// Host wrapper: copies in, launches with a grid computed from n, copies back.
extern "C" void saxpy_host(const float *x, float *y, float a, int n) {
    float *dx, *dy;
    cudaMalloc(&dx, n * sizeof(float));
    cudaMalloc(&dy, n * sizeof(float));
    cudaMemcpy(dx, x, n * sizeof(float), cudaMemcpyHostToDevice);
    cudaMemcpy(dy, y, n * sizeof(float), cudaMemcpyHostToDevice);
    dim3 block(256);
    dim3 grid((n + block.x - 1) / block.x);
    saxpy<<<grid, block>>>(dx, dy, a, n);
    cudaMemcpy(y, dy, n * sizeof(float), cudaMemcpyDeviceToHost);
    cudaFree(dx);
    cudaFree(dy);
}
