/* eslint-disable @typescript-eslint/no-explicit-any */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const made: string[] = [];
process.on('exit', () => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A fresh temporary folder, removed when the test process exits. */
export function tmpdir(prefix = 'xpiler-vscode-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}

export function executable(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '#!/bin/sh\nexit 0\n');
  fs.chmodSync(file, 0o755);
  return file;
}

/** A folder with a `.venv` that has Xpiler installed (python and xpiler-lsp). */
export function fakeVenv(root: string): string {
  executable(path.join(root, '.venv', 'bin', 'xpiler-lsp'));
  return executable(path.join(root, '.venv', 'bin', 'python'));
}

export function context(extensionPath: string): any {
  return { subscriptions: [] as { dispose(): void }[], extensionPath, extensionUri: { fsPath: extensionPath } };
}

/** Wait until `pred` holds (the extension does some work in promises it does not return). */
export async function until(pred: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const flush = () => new Promise((r) => setImmediate(r));
