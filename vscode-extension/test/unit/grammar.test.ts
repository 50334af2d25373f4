/** The BANG and HIP grammars, tokenized with vscode-textmate (VS Code's engine) over a small
 * stand-in for source.cpp that nests blocks the way the real one does. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as oniguruma from 'vscode-oniguruma';
import * as tm from 'vscode-textmate';

const root = path.resolve(__dirname, '..', '..', '..');

const CPP_STANDIN = {
  scopeName: 'source.cpp',
  patterns: [{ include: '#comment' }, { include: '#string' }, { include: '#block' }, { match: '\\b(?:void|float|int|if|for)\\b', name: 'storage.type.cpp' }],
  repository: {
    comment: {
      patterns: [
        { begin: '//', end: '$', name: 'comment.line.double-slash.cpp' },
        { begin: '/\\*', end: '\\*/', name: 'comment.block.cpp' },
      ],
    },
    string: { begin: '"', end: '"', name: 'string.quoted.double.cpp' },
    block: {
      begin: '\\{',
      end: '\\}',
      name: 'meta.block.cpp',
      patterns: [{ include: '#comment' }, { include: '#string' }, { include: '#block' }],
    },
  },
};

/** VS Code's own C++ grammar, where code-server (installed by the e2e set-up) has it. */
function realCppDir(): string | undefined {
  const cache = process.env.XPILER_CODE_SERVER_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'xpiler', 'code-server');
  const candidates = [process.env.XPILER_CPP_GRAMMAR_DIR ?? ''];
  if (fs.existsSync(cache)) {
    for (const v of fs.readdirSync(cache)) candidates.push(path.join(cache, v, 'node_modules', 'code-server', 'lib', 'vscode', 'extensions', 'cpp', 'syntaxes'));
  }
  return candidates.find((d) => d && fs.existsSync(path.join(d, 'cpp.tmLanguage.json')));
}

let wasmLoaded = false;

async function registry(cppDir?: string): Promise<tm.Registry> {
  if (!wasmLoaded) {
    const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    wasmLoaded = true;
  }
  const grammars: Record<string, string> = {
    'source.bang': fs.readFileSync(path.join(root, 'syntaxes', 'bang.tmLanguage.json'), 'utf8'),
    'source.hip': fs.readFileSync(path.join(root, 'syntaxes', 'hip.tmLanguage.json'), 'utf8'),
  };
  if (cppDir) {
    grammars['source.cpp'] = fs.readFileSync(path.join(cppDir, 'cpp.tmLanguage.json'), 'utf8');
    const macro = path.join(cppDir, 'cpp.embedded.macro.tmLanguage.json');
    if (fs.existsSync(macro)) grammars['source.cpp.embedded.macro'] = fs.readFileSync(macro, 'utf8');
  } else {
    grammars['source.cpp'] = JSON.stringify(CPP_STANDIN);
  }
  return new tm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (s: string[]) => new oniguruma.OnigScanner(s),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope: string) => (grammars[scope] ? tm.parseRawGrammar(grammars[scope], `${scope}.json`) : null),
  });
}

/** word -> its innermost scopes, for each token of the lines. */
async function scopes(scope: string, lines: string[], cppDir?: string): Promise<Map<string, string[]>> {
  const grammar = await (await registry(cppDir)).loadGrammar(scope);
  assert.ok(grammar);
  const out = new Map<string, string[]>();
  let state = tm.INITIAL;
  for (const line of lines) {
    const r = grammar.tokenizeLine(line, state);
    for (const t of r.tokens) {
      const word = line.slice(t.startIndex, t.endIndex).trim();
      if (word) out.set(`${word}@${lines.indexOf(line)}`, t.scopes);
    }
    state = r.ruleStack;
  }
  return out;
}

function scopeOf(map: Map<string, string[]>, word: string, line: number): string {
  const s = map.get(`${word}@${line}`);
  assert.ok(s, `${word} is not one token on line ${line}: ${[...map.keys()].join(' ')}`);
  return s.at(-1)!;
}

const CPP = realCppDir();
const variants: [string, string | undefined, string | false][] = [
  ['a stand-in source.cpp', undefined, false],
  ["VS Code's C++ grammar", CPP, CPP ? false : 'no VS Code C++ grammar here (the e2e set-up installs code-server, which has it)'],
];

for (const [label, cppDir, skip] of variants) {
test(`BANG over ${label}: qualifiers, built-ins and intrinsics, also inside nested blocks; not in comments or strings`, { skip }, async () => {
  const lines = [
    '__mlu_global__ void k(float *x) {',
    '  __nram__ float buf[64]; __wram__ float w[64]; __mlu_shared__ float s[8];',
    '  if (taskId < taskDim) { int c = clusterId + coreId;',
    '    __memcpy(buf, x, 256, GDRAM2NRAM); __bang_active_relu(buf, buf, 64); __sync_cluster(); }',
    '  // __bang_add in a comment, taskId too',
    '  const char *m = "__nram__ taskId";',
    '}',
  ];
  const s = await scopes('source.bang', lines, cppDir);
  assert.equal(scopeOf(s, '__mlu_global__', 0), 'storage.modifier.qualifier.bang');
  assert.equal(scopeOf(s, '__nram__', 1), 'storage.modifier.qualifier.bang');
  assert.equal(scopeOf(s, '__wram__', 1), 'storage.modifier.qualifier.bang');
  assert.equal(scopeOf(s, '__mlu_shared__', 1), 'storage.modifier.qualifier.bang');
  assert.equal(scopeOf(s, 'taskId', 2), 'variable.language.builtin.bang');
  assert.equal(scopeOf(s, 'taskDim', 2), 'variable.language.builtin.bang');
  assert.equal(scopeOf(s, 'clusterId', 2), 'variable.language.builtin.bang');
  assert.equal(scopeOf(s, 'coreId', 2), 'variable.language.builtin.bang');
  assert.equal(scopeOf(s, '__memcpy', 3), 'support.function.intrinsic.bang');
  assert.equal(scopeOf(s, '__bang_active_relu', 3), 'support.function.intrinsic.bang');
  assert.equal(scopeOf(s, '__sync_cluster', 3), 'support.function.intrinsic.bang');
  assert.equal(scopeOf(s, 'GDRAM2NRAM', 3), 'constant.language.memory-direction.bang');
  // nested two blocks deep
  assert.ok(s.get('__bang_active_relu@3')!.filter((x) => x === 'meta.block.cpp').length === 2);
  for (const [k, v] of s) {
    if (!k.endsWith('@4')) continue;
    assert.ok(v.some((x) => x.startsWith('comment.')), k);
    assert.ok(!v.some((x) => x !== 'source.bang' && x.endsWith('.bang')), `${k}: ${v.join(' ')}`);
  }
  assert.ok(!s.has('__nram__@5'), 'a qualifier inside a string is not a token of its own');
});

test(`HIP over ${label}: qualifiers, built-ins, intrinsics and runtime calls`, { skip }, async () => {
  const lines = [
    '__global__ void __launch_bounds__(256) k(float *y) {',
    '  __shared__ float t[256]; int i = blockIdx.x * blockDim.x + threadIdx.x;',
    '  { float v = __shfl_down(y[i], 1); __syncthreads(); atomicAdd(y, v); __builtin_amdgcn_s_barrier(); int n = hipThreadIdx_x + warpSize; }',
    '}',
    'void host() { hipLaunchKernelGGL(k, 1, 1, 0, 0, y); k<<<1, 256>>>(y); }',
  ];
  const s = await scopes('source.hip', lines, cppDir);
  assert.equal(scopeOf(s, '__global__', 0), 'storage.modifier.qualifier.hip');
  assert.equal(scopeOf(s, '__launch_bounds__', 0), 'storage.modifier.qualifier.hip');
  assert.equal(scopeOf(s, '__shared__', 1), 'storage.modifier.qualifier.hip');
  assert.equal(scopeOf(s, 'threadIdx', 1), 'variable.language.builtin.hip');
  assert.equal(scopeOf(s, 'blockIdx', 1), 'variable.language.builtin.hip');
  assert.equal(scopeOf(s, '__shfl_down', 2), 'support.function.intrinsic.hip');
  assert.equal(scopeOf(s, '__syncthreads', 2), 'support.function.intrinsic.hip');
  assert.equal(scopeOf(s, 'atomicAdd', 2), 'support.function.intrinsic.hip');
  assert.equal(scopeOf(s, '__builtin_amdgcn_s_barrier', 2), 'support.function.intrinsic.hip');
  assert.equal(scopeOf(s, 'hipThreadIdx_x', 2), 'variable.language.builtin.hip');
  assert.equal(scopeOf(s, 'warpSize', 2), 'variable.language.builtin.hip');
  assert.equal(scopeOf(s, 'hipLaunchKernelGGL', 4), 'support.function.runtime.hip');
  assert.equal(scopeOf(s, '<<<', 4), 'punctuation.section.kernel-launch.hip');
});
}

test('syntaxes/*.tmLanguage.json are what scripts/grammars.mjs writes', () => {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'grammars.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  for (const id of ['bang', 'hip']) {
    const g = JSON.parse(fs.readFileSync(path.join(root, 'syntaxes', `${id}.tmLanguage.json`), 'utf8'));
    assert.equal(g.scopeName, `source.${id}`);
    assert.deepEqual(g.patterns, [{ include: 'source.cpp' }]);
  }
});
