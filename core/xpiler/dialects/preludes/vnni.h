/* Xpiler parsing prelude: the OpenMP runtime and aligned allocation. The vector and mask
 * types, predicates and intrinsic declarations are generated from
 * dialects/vnni/intrinsics.py (TYPE_HEADER, MACROS, CONSTANTS, INTRINSICS). */
#ifdef __cplusplus
extern "C" {
#endif
int omp_get_thread_num(void);
int omp_get_num_threads(void);
int omp_get_max_threads(void);
void omp_set_num_threads(int);
int omp_get_num_procs(void);
double omp_get_wtime(void);
void *_mm_malloc(size_t size, size_t align);
void _mm_free(void *p);
#ifdef __cplusplus
}
#endif
