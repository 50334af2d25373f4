/** Translate Kernel to..., Review Translation and Compare with Original..., against the stand-in
 * `vscode` module and a scripted server. */
/* eslint-disable @typescript-eslint/no-explicit-any */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { activateWith, deactivate } from '../../src/extension';
import { COMMANDS } from '../../src/languages';
import { FakeClient, fakeDeps } from './fakeClient';
import { context, fakeVenv, flush, tmpdir, until } from './helpers';
import { stub, Uri } from './vscode-stub';

let savedPath: string | undefined;

beforeEach(() => {
  stub.reset();
  savedPath = process.env.PATH;
  process.env.PATH = tmpdir();
  const dir = tmpdir();
  fakeVenv(dir);
  stub.workspaceFolders = [{ uri: Uri.file(dir), name: 'ws', index: 0 }];
});

afterEach(async () => {
  await deactivate();
  process.env.PATH = savedPath;
});

const TITLES: Record<string, string> = { cuda: 'CUDA', hip: 'HIP', bang: 'BANG C', vnni: 'C with AVX-512 VNNI', c: 'C' };

/** A scripted server: k.cu holds `scale` (lines 0-9) and `twice` (lines 10-20). Translate
 * actions only for the kernel under the cursor, as the real server offers them. */
function script(c: FakeClient): void {
  c.server.set('textDocument/codeAction', (p: any) => {
    const line = p.range.start.line;
    const kernel = line >= 2 && line < 10 ? 'scale' : line >= 10 && line <= 20 ? 'twice' : undefined;
    if (!kernel || !p.context.only.includes('refactor.rewrite')) return [];
    return ['hip', 'bang', 'vnni', 'c'].map((target) => ({
      title: `Translate \`${kernel}\` to ${TITLES[target]}`,
      kind: 'refactor.rewrite',
      data: { uri: p.textDocument.uri, version: 3, kernel, job: 'translate', target },
    }));
  });
  c.server.set('codeAction/resolve', (a: any) => ({ ...a, command: { title: a.title, command: 'xpiler.runJob', arguments: [a.data] } }));
  c.server.set('command:xpiler.runJob', (a: any) => ({ jobId: 9, token: `xpiler-${a.job}-${a.kernel}`, state: 'queued', job: a.job }));
  c.server.set('textDocument/documentSymbol', () => [
    { name: 'scale', kind: 12, detail: 'kernel: __global__ void scale(float *x, int n)', range: { start: { line: 2, character: 0 }, end: { line: 9, character: 1 } }, selectionRange: { start: { line: 2, character: 16 }, end: { line: 2, character: 21 } } },
    { name: 'div_up', kind: 12, detail: 'host function: int div_up(int a, int b)', range: { start: { line: 21, character: 0 }, end: { line: 22, character: 1 } }, selectionRange: { start: { line: 21, character: 4 }, end: { line: 21, character: 10 } } },
    { name: 'twice', kind: 12, detail: 'kernel: __global__ void twice(float *y)', range: { start: { line: 10, character: 0 }, end: { line: 20, character: 1 } }, selectionRange: { start: { line: 10, character: 16 }, end: { line: 10, character: 21 } } },
  ]);
  c.server.set('command:xpiler.translationReport', (a: any) =>
    a.uri === 'file:///w/k.hip'
      ? { uri: a.uri, source: 'file:///w/k.cu', status: 'checked', verdict: 'xpiler: checked', report: {} }
      : { error: `'${a.uri}' is not a translation made in this session` },
  );
}

async function start() {
  const deps = fakeDeps(script);
  const controller = await activateWith(context(tmpdir()), deps);
  controller.firstParseWaitMs = 300;
  return { deps, controller, c: deps.clients[0] };
}

const runs = () => stub.executed.filter((e) => e.command === 'xpiler.runJob');

test('Translate Kernel to...: a pick of the targets the server offers, that action resolved and executed', async () => {
  const { c } = await start();
  stub.openEditor('/w/k.cu', 'cuda-cpp', 12, 4);
  stub.pickAnswer = (items) => items.find((i: any) => i.label === 'HIP');
  const result = await stub.commands.get(COMMANDS.translate)!();
  assert.deepEqual(result, { jobId: 9, token: 'xpiler-translate-twice', state: 'queued', job: 'translate' });
  const ca = c.requests.find((r) => r.method === 'textDocument/codeAction')!;
  assert.deepEqual(ca.params.context.only, ['refactor.rewrite']);
  assert.deepEqual(ca.params.range.start, { line: 12, character: 4 });
  assert.equal(stub.quickPicks.length, 1);
  assert.deepEqual(stub.quickPicks[0].items.map((i: any) => i.label), ['HIP', 'BANG C', 'C with AVX-512 VNNI', 'C']);
  assert.deepEqual(stub.quickPicks[0].items.map((i: any) => i.description), ['.hip', '.mlu', '.cpp', '.c']);
  assert.match(stub.quickPicks[0].options.placeHolder, /Translate `twice` to/);
  // Resolved lazily, then run through VS Code's command (as the light bulb does).
  assert.equal(c.requests.filter((r) => r.method === 'codeAction/resolve').length, 1);
  assert.deepEqual(runs().map((r) => r.args), [[{ uri: 'file:///w/k.cu', version: 3, kernel: 'twice', job: 'translate', target: 'hip' }]]);
  assert.match(stub.outputChannels[0].lines.join('\n'), /Translate `twice` to HIP: xpiler.runJob/);
});

test('Translate Kernel to...: a target given (keybinding argument) runs without a pick; one not offered is refused', async () => {
  await start();
  stub.openEditor('/w/k.cu', 'cuda-cpp', 3, 0);
  const r1 = await stub.commands.get(COMMANDS.translate)!('bang');
  assert.equal(r1.token, 'xpiler-translate-scale');
  const r2 = await stub.commands.get(COMMANDS.translate)!({ target: 'c' });
  assert.equal(r2.jobId, 9);
  assert.deepEqual(runs().map((r) => r.args[0].target), ['bang', 'c']);
  assert.equal(stub.quickPicks.length, 0);
  // The file's own dialect is never offered.
  assert.equal(await stub.commands.get(COMMANDS.translate)!('cuda'), undefined);
  assert.ok(stub.messages.some((m) => m.severity === 'warning' && /no translation to "cuda" here \(offered: hip, bang, vnni, c\)/.test(m.text)));
  assert.equal(runs().length, 2);
  // From the editor's context menu VS Code passes the file's Uri: a pick as from the palette.
  stub.pickAnswer = (items) => items[3];
  await stub.commands.get(COMMANDS.translate)!(Uri.file('/w/k.cu'));
  assert.equal(runs().at(-1)!.args[0].target, 'c');
});

test('Translate Kernel to...: the cursor outside every kernel -> a pick of the kernels, then of the target', async () => {
  const { c } = await start();
  stub.openEditor('/w/k.cu', 'cuda-cpp', 0, 0);
  const picks: any[] = [];
  stub.pickAnswer = (items) => {
    picks.push(items);
    return picks.length === 1 ? items.find((i: any) => i.label === 'twice') : items.find((i: any) => i.label === 'C with AVX-512 VNNI');
  };
  const result = await stub.commands.get(COMMANDS.translate)!();
  assert.equal(result.token, 'xpiler-translate-twice');
  // Kernels only (not the host function), from the server's document symbols.
  assert.deepEqual(picks[0].map((i: any) => i.label), ['scale', 'twice']);
  const actionRequests = c.requests.filter((r) => r.method === 'textDocument/codeAction');
  assert.deepEqual(actionRequests.at(-1)!.params.range.start, { line: 10, character: 16 });
  assert.equal(runs()[0].args[0].target, 'vnni');
  // Dismissing a pick runs nothing.
  stub.pickAnswer = () => undefined;
  assert.equal(await stub.commands.get(COMMANDS.translate)!(), undefined);
  assert.equal(runs().length, 1);
});

test('Translate Kernel to...: no kernel, not a kernel language', async () => {
  const { c } = await start();
  c.server.set('textDocument/documentSymbol', () => []);
  stub.openEditor('/w/empty.cu', 'cuda-cpp', 0, 0);
  assert.equal(await stub.commands.get(COMMANDS.translate)!(), undefined);
  assert.ok(stub.messages.some((m) => /no kernel to translate here/.test(m.text)));
  stub.openEditor('/w/notes.md', 'markdown', 0, 0);
  assert.equal(await stub.commands.get(COMMANDS.translate)!(), undefined);
  assert.ok(stub.messages.some((m) => /open a CUDA, HIP, BANG C or C file/.test(m.text)));
  assert.equal(runs().length, 0);
});

const HIP_RESULT = '#include <hip/hip_runtime.h>\n\n// xpiler: port-of k.cu twice\n__global__ void twice(float *y) {}\n';

test('Review Translation: a result the server made -> its source from xpiler.translationReport, in a diff', async () => {
  const { c } = await start();
  // The server shows the result it created (window/showDocument, through the middleware).
  let shown: any;
  const answer = await c.options.middleware.window.showDocument({ uri: 'file:///w/k.hip', takeFocus: true }, async (p: any) => {
    shown = p;
    return { success: true };
  });
  assert.deepEqual(answer, { success: true });
  assert.equal(shown.uri, 'file:///w/k.hip');
  stub.openEditor('/w/k.hip', 'hip', 3, 0, 1, HIP_RESULT);
  const opened = await stub.commands.get(COMMANDS.reviewTranslation)!();
  assert.equal(opened.from, 'server');
  const report = c.requests.find((r) => r.method === 'workspace/executeCommand' && r.params.command === 'xpiler.translationReport')!;
  assert.deepEqual(report.params.arguments, [{ uri: 'file:///w/k.hip' }]);
  const diff = stub.executed.find((e) => e.command === 'vscode.diff')!;
  assert.equal(diff.args[0].toString(), 'file:///w/k.cu');
  assert.equal(diff.args[1].toString(), 'file:///w/k.hip');
  assert.equal(diff.args[2], 'k.cu ↔ k.hip (Xpiler: checked)');
});

test('Review Translation: a file the server does not know -> the source its port-of comment names (the server not asked)', async () => {
  const { c } = await start();
  const dir = tmpdir();
  fs.mkdirSync(path.join(dir, 'port'));
  fs.writeFileSync(path.join(dir, 'orig.cu'), '__global__ void saxpy(float *y) {}\n');
  const port = path.join(dir, 'port', 'saxpy.mlu');
  stub.openEditor(port, 'bang', 2, 0, 1, '// xpiler: port-of ../orig.cu saxpy\n__mlu_global__ void saxpy(float *y) {}\n');
  const opened = await stub.commands.get(COMMANDS.reviewTranslation)!();
  assert.equal(opened.from, 'port-of');
  assert.ok(!c.requests.some((r) => r.params?.command === 'xpiler.translationReport'));
  const diff = stub.executed.find((e) => e.command === 'vscode.diff')!;
  assert.equal(diff.args[0].fsPath, path.join(dir, 'orig.cu'));
  assert.equal(diff.args[1].fsPath, port);
  assert.equal(diff.args[2], 'orig.cu ↔ saxpy.mlu (Xpiler)');
  // A port-of comment naming a file that is not there.
  stub.openEditor(port, 'bang', 0, 0, 1, '// xpiler: port-of ../gone.cu saxpy\n');
  assert.equal(await stub.commands.get(COMMANDS.reviewTranslation)!(), undefined);
  assert.ok(stub.messages.some((m) => m.severity === 'error' && /gone\.cu, does not exist/.test(m.text)));
  // A file given as the argument (explorer, editor title), not the active one.
  stub.files.set(port, '// xpiler: port-of ../orig.cu saxpy\n');
  stub.openEditor('/w/k.cu', 'cuda-cpp', 0, 0);
  const other = await stub.commands.get(COMMANDS.reviewTranslation)!(Uri.file(port));
  assert.equal(other.source.fsPath, path.join(dir, 'orig.cu'));
});

test('Review Translation: neither a known result nor a port-of comment -> the server asked, and a warning', async () => {
  const { c } = await start();
  stub.openEditor('/w/plain.hip', 'hip', 0, 0, 1, '__global__ void k() {}\n');
  assert.equal(await stub.commands.get(COMMANDS.reviewTranslation)!(), undefined);
  assert.ok(c.requests.some((r) => r.params?.command === 'xpiler.translationReport'));
  assert.ok(stub.messages.some((m) => m.severity === 'warning' && /plain\.hip is not a translation made in this session and has no `\/\/ xpiler: port-of` comment/.test(m.text)));
  assert.ok(!stub.executed.some((e) => e.command === 'vscode.diff'));
});

test('xpiler.editorIsPort follows the active editor and its edits', async () => {
  const { controller } = await start();
  await flush();
  assert.equal(stub.contexts.get('xpiler.editorIsPort'), false);
  stub.openEditor('/w/k.hip', 'hip', 0, 0, 1, HIP_RESULT);
  assert.equal(stub.contexts.get('xpiler.editorIsPort'), true);
  stub.editText('__global__ void twice(float *y) {}\n');
  assert.equal(stub.contexts.get('xpiler.editorIsPort'), false);
  stub.editText(HIP_RESULT);
  assert.equal(stub.contexts.get('xpiler.editorIsPort'), true);
  stub.openEditor('/w/notes.md', 'markdown', 0, 0, 1, HIP_RESULT);
  assert.equal(stub.contexts.get('xpiler.editorIsPort'), false);
  // Results the server showed are forgotten on restart.
  controller.results.add('file:///w/k.hip');
  await controller.restart();
  assert.equal(controller.results.size, 0);
});

/** A port (port/saxpy.hip, kernel `saxpy_port` at lines 2-6) and an original with two kernels. */
function portAndOriginal(portText = '#include <hip/hip_runtime.h>\n\n__global__ void saxpy_port(float *y) {\n  y[0] = 1;\n}\n') {
  const dir = tmpdir();
  fs.mkdirSync(path.join(dir, 'port'));
  const original = path.join(dir, 'orig.cu');
  fs.writeFileSync(original, '__global__ void helper_kernel(float *y) {}\n\n__global__ void saxpy(const float *x, float *y, int n) {}\n');
  const port = path.join(dir, 'port', 'saxpy.hip');
  fs.writeFileSync(port, portText);
  return { dir, original, port, portText };
}

test('Compare with Original...: the port kernel at the cursor, a file picked, its kernel picked -> a review job with `against`', async () => {
  const { c } = await start();
  c.server.set('textDocument/documentSymbol', () => [
    { name: 'saxpy_port', kind: 12, detail: 'kernel: __global__ void saxpy_port(float *y)', range: { start: { line: 2, character: 0 }, end: { line: 6, character: 1 } }, selectionRange: { start: { line: 2, character: 16 }, end: { line: 2, character: 26 } } },
  ]);
  const { dir, original, port, portText } = portAndOriginal();
  stub.openEditor(port, 'hip', 3, 2, 5, portText);
  stub.openDialogAnswer = [Uri.file(original)];
  stub.pickAnswer = (items) => items.find((i: any) => i.label === 'saxpy');
  const result = await stub.commands.get(COMMANDS.compareWithOriginal)!();
  assert.deepEqual(result, { jobId: 9, token: 'xpiler-review-saxpy_port', state: 'queued', job: 'review' });
  assert.equal(stub.openDialogs.length, 1);
  const dialog = stub.openDialogs[0];
  assert.equal(dialog.canSelectMany, false);
  assert.equal(dialog.defaultUri.fsPath, path.join(dir, 'port'));
  assert.ok(dialog.filters['Kernel sources'].includes('cu'));
  assert.ok(dialog.filters['Kernel sources'].includes('mlu'));
  // The original's kernels, read off the file.
  assert.deepEqual(stub.quickPicks[0].items.map((i: any) => i.label), ['helper_kernel', 'saxpy']);
  assert.deepEqual(runs().map((r) => r.args), [
    [{ uri: `file://${port}`, version: 5, job: 'review', kernel: 'saxpy_port', against: { path: original, kernel: 'saxpy' } }],
  ]);
  // Dismissing the dialog runs nothing.
  stub.openDialogAnswer = undefined;
  assert.equal(await stub.commands.get(COMMANDS.compareWithOriginal)!(), undefined);
  assert.equal(runs().length, 1);
});

test('Compare with Original...: a port-of comment starts the dialog at the original and puts its kernel first', async () => {
  const { c } = await start();
  c.server.set('textDocument/documentSymbol', () => []); // not parsed: the port's kernels read off the text
  const { original, port, portText } = portAndOriginal('// xpiler: port-of ../orig.cu saxpy\n__global__ void mine(float *y) {}\n');
  stub.openEditor(port, 'hip', 0, 0, 2, portText);
  stub.openDialogAnswer = [Uri.file(original)];
  stub.pickAnswer = (items) => items[0];
  await stub.commands.get(COMMANDS.compareWithOriginal)!();
  assert.equal(stub.openDialogs[0].defaultUri.fsPath, original);
  assert.deepEqual(stub.quickPicks[0].items.map((i: any) => i.label), ['saxpy', 'helper_kernel']);
  assert.deepEqual(runs()[0].args[0], { uri: `file://${port}`, version: 2, job: 'review', kernel: 'mine', against: { path: original, kernel: 'saxpy' } });
});

test('Compare with Original...: an original with one kernel needs no pick; one with none is refused', async () => {
  const { c } = await start();
  c.server.set('textDocument/documentSymbol', () => []);
  const { dir, port, portText } = portAndOriginal();
  const one = path.join(dir, 'one.mlu');
  fs.writeFileSync(one, '__mlu_global__ void relu(float *x) {}\n');
  stub.openEditor(port, 'hip', 0, 0, 1, portText);
  stub.openDialogAnswer = [Uri.file(one)];
  await stub.commands.get(COMMANDS.compareWithOriginal)!();
  assert.equal(stub.quickPicks.length, 0);
  assert.deepEqual(runs()[0].args[0].against, { path: one, kernel: 'relu' });
  const none = path.join(dir, 'none.c');
  fs.writeFileSync(none, 'int main(void) { return 0; }\n');
  stub.openDialogAnswer = [Uri.file(none)];
  assert.equal(await stub.commands.get(COMMANDS.compareWithOriginal)!(), undefined);
  assert.ok(stub.messages.some((m) => /found no kernel in none\.c/.test(m.text)));
  assert.equal(runs().length, 1);
  // A server that does not know the review job refuses it: the answer is passed on and logged.
  c.server.set('command:xpiler.runJob', () => ({ error: "unknown job 'review'" }));
  stub.openDialogAnswer = [Uri.file(one)];
  assert.deepEqual(await stub.commands.get(COMMANDS.compareWithOriginal)!(), { error: "unknown job 'review'" });
  await until(() => stub.outputChannels[0].lines.some((l) => /refused: unknown job 'review'/.test(l)));
});
