// Xpiler CPU emulation: C/C++ with x86 SIMD intrinsics (the VNNI dialect).
//
// In an unchecked run on a CPU with AVX-512 F/BW/VL/DQ/VNNI the intrinsics run natively
// (build.py passes -DXP_NATIVE_AVX512=1 and the -mavx512* flags after reading
// /proc/cpuinfo). Checked runs, and every run elsewhere, take them from the VNNI table's
// semantics, generated into C++ (runtime/gen.py), with the types, macros and helpers the
// table defines; loads and stores are then checked accesses like any other (native ones
// would bypass bounds checks and written marks). OpenMP pragmas are ignored (kernels must be correct
// sequentially); the omp_* queries answer for one thread.
#pragma once

#if XP_NATIVE_AVX512
#include <immintrin.h>
#else
#include "xp_vnni_types.hpp"  // generated: TYPE_HEADER, MACROS, CONSTANTS, HELPERS of the table
#endif

extern "C" {
inline int omp_get_thread_num(void) { return 0; }
inline int omp_get_num_threads(void) { return 1; }
inline int omp_get_max_threads(void) { return 1; }
inline int omp_get_num_procs(void) { return 1; }
inline void omp_set_num_threads(int) {}
inline double omp_get_wtime(void) { return 0.0; }
}
