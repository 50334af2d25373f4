// add (half): out[i] = x[i] + y[i] for flat __half vectors of length n.
//
// Each lane widens both operands to float, adds, and rounds back with
// __float2half (round to nearest even).  Because a float carries more than
// twice the half mantissa, the result equals the correctly rounded half sum.
#include <hip/hip_runtime.h>
#include <hip/hip_fp16.h>

// xpiler: launch grid=6,1,1 block=192,1,1
// xpiler: args x=float16[1000] y=float16[1000] out=float16[1000] n=1000
__global__ void add_f16(const __half* __restrict__ x, const __half* __restrict__ y,
                        __half* __restrict__ out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        float s = __half2float(x[i]) + __half2float(y[i]);
        out[i] = __float2half(s);
    }
}
