// dot (int8): out[0] = sum_i x[i] * y[i], x and y int8 [n], out int32 [1]; exact.
//
// The main part reads four bytes at a time as one char4 and adds the four signed byte
// products to an int32 accumulator (what __dp4a does on CUDA; ROCm 5 has no __dp4a); the
// n % 4 tail bytes are done by the first lanes of the grid.  Each wave64 folds its partial sums with __shfl_down starting
// at offset 32, and lane 0 of every wave adds its total to out with an integer atomicAdd
// (integer addition is associative, so the result does not depend on the order).
// dot_i8 is the extern "C" host wrapper; it clears out before the launch.
#include <hip/hip_runtime.h>
#include <stdint.h>

#define DOT_THREADS 256
#define DOT_BLOCKS 4

__global__ void __launch_bounds__(DOT_THREADS)
dot_i8_kernel(const int8_t* __restrict__ x, const int8_t* __restrict__ y, int* __restrict__ out, int n)
{
    const int tid = blockIdx.x * blockDim.x + threadIdx.x;
    const int nw = n / 4;
    const char4* xw = reinterpret_cast<const char4*>(x);
    const char4* yw = reinterpret_cast<const char4*>(y);

    int acc = 0;
    for (int i = tid; i < nw; i += blockDim.x * gridDim.x) {
        const char4 a = xw[i];
        const char4 b = yw[i];
        acc += (int)a.x * (int)b.x + (int)a.y * (int)b.y + (int)a.z * (int)b.z + (int)a.w * (int)b.w;
    }
    if (tid < n - nw * 4)
        acc += (int)x[nw * 4 + tid] * (int)y[nw * 4 + tid];

    for (int off = 32; off > 0; off >>= 1)
        acc += __shfl_down(acc, off);
    if ((threadIdx.x & 63) == 0)
        atomicAdd(out, acc);
}

// xpiler: args x=int8[4003] y=int8[4003] out=int32[1] n=4003
extern "C" void dot_i8(const int8_t* x, const int8_t* y, int* out, int n)
{
    int8_t *dx, *dy;
    int* dout;
    hipMalloc((void**)&dx, (size_t)n);
    hipMalloc((void**)&dy, (size_t)n);
    hipMalloc((void**)&dout, sizeof(int));
    hipMemcpy(dx, x, (size_t)n, hipMemcpyHostToDevice);
    hipMemcpy(dy, y, (size_t)n, hipMemcpyHostToDevice);
    hipMemset(dout, 0, sizeof(int));

    hipLaunchKernelGGL(dot_i8_kernel, dim3(DOT_BLOCKS), dim3(DOT_THREADS), 0, 0, dx, dy, dout, n);

    hipMemcpy(out, dout, sizeof(int), hipMemcpyDeviceToHost);
    hipFree(dx);
    hipFree(dy);
    hipFree(dout);
}
