/** Port-of comments and the kernels of an original, read off the text. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { kernelsIn, portOfAt, portOfComments, resolvePortOf, TARGETS } from '../../src/ports';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures');
const names = (text: string) => kernelsIn(text).map((k) => k.name);

test('port-of comments: path (spaces allowed) and kernel, each with its line', () => {
  const text = [
    '#include <hip/hip_runtime.h>',
    '',
    '// xpiler: port-of saxpy.cu saxpy',
    '// xpiler: launch grid=4,1,1 block=256,1,1',
    '__global__ void saxpy(const float *x, float *y, int n) {}',
    '  //xpiler: port-of ../my kernels/twice.cu twice  ',
    '// xpiler: port-of',
    'int x; // xpiler: port-of a.cu k',
  ].join('\n');
  const c = portOfComments(text);
  assert.deepEqual(c, [
    { relative: 'saxpy.cu', kernel: 'saxpy', line: 2 },
    { relative: '../my kernels/twice.cu', kernel: 'twice', line: 5 },
  ]);
  assert.equal(resolvePortOf('/w/out/saxpy.hip', c[0]), '/w/out/saxpy.cu');
  assert.equal(resolvePortOf('/w/out/saxpy.hip', c[1]), '/w/my kernels/twice.cu');
  assert.equal(resolvePortOf('/w/out/x.hip', { relative: '/abs/o.cu', kernel: 'k', line: 0 }), '/abs/o.cu');
  // The comment above the cursor's kernel; above every comment: the first.
  assert.equal(portOfAt(c, 4)!.kernel, 'saxpy');
  assert.equal(portOfAt(c, 9)!.kernel, 'twice');
  assert.equal(portOfAt(c, 0)!.kernel, 'saxpy');
  assert.equal(portOfAt([], 3), undefined);
});

test('kernels of CUDA, HIP and BANG files: the qualified functions only', () => {
  const cu = `
/* __global__ void commented(int *p) {} */
// __global__ void alsoCommented() {}
template <typename T>
__global__ void __launch_bounds__(256) scale(T *x, int n) { if (n) x[0] = 1; }
extern "C" __global__
void twice(const float *x, float *y, int n);
__device__ float helper(float v) { return v; }
__global__ void twice(const float *x, float *y, int n) { y[0] = helper(x[0]); }
static __global__ void
  reduce (float *out) {}
int main() { scale<<<1, 1>>>((float *)0, 1); }
const char *s = "__global__ void inString() {}";
`;
  assert.deepEqual(names(cu), ['scale', 'twice', 'reduce']);
  const k = kernelsIn(cu);
  assert.equal(k[0].qualifier, '__global__');
  assert.equal(k[0].line, 4);
  assert.equal(k[2].line, 10);
  const mlu = '__mlu_global__ void relu(float *x) {}\n__mlu_entry__ void entry(half *y) {}\n__mlu_func__ void f() {}\n';
  assert.deepEqual(kernelsIn(mlu).map((x) => [x.name, x.qualifier]), [['relu', '__mlu_global__'], ['entry', '__mlu_entry__']]);
});

test('kernels of a C file: file-scope definitions, without main, prototypes and (when others remain) static helpers', () => {
  const c = `#include <math.h>
#define N 16
typedef struct { int a; } S;
static inline float sq(float v) { return v * v; }
void proto(float *x);
struct T { int b; };
void scale(float *restrict x, int n)
{
    for (int i = 0; i < n; i++) { if (x[i]) x[i] = sq(x[i]); }
}
float *
norm(const float *x, float *y, int n) { return y; }
int main(void) { return 0; }
`;
  assert.deepEqual(names(c), ['scale', 'norm']);
  assert.equal(kernelsIn(c)[0].qualifier, 'function');
  assert.equal(kernelsIn(c)[0].line, 6);
  assert.deepEqual(names('static void only(int *p) { *p = 0; }\nint main() { return 0; }\n'), ['only']);
  assert.deepEqual(names('int main() { return 0; }\n'), []);
});

test('the fixtures', () => {
  const read = (f: string) => fs.readFileSync(path.join(FIXTURES, f), 'utf8');
  assert.deepEqual(names(read('twice.cu')), ['twice']);
  assert.deepEqual(names(read('relu.mlu')), ['relu']);
  assert.deepEqual(names(read('scale.c')), ['scale']);
  assert.deepEqual(names(read('saxpy.cu')), ['saxpy']);
});

test('the targets are the server dialects, each with its suffix', () => {
  assert.deepEqual(TARGETS.map((t) => t.id), ['cuda', 'hip', 'bang', 'vnni', 'c']);
  assert.deepEqual(TARGETS.map((t) => t.suffix), ['.cu', '.hip', '.mlu', '.cpp', '.c']);
});
