/** The bundle VS Code loads (dist/extension.js): it loads with only `vscode` external and
 * activates (here along the server-not-found path, which creates no client). */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { COMMANDS } from '../../src/languages';
import { context, tmpdir } from './helpers';
import { stub } from './vscode-stub';

const bundle = path.resolve(__dirname, '..', '..', '..', 'dist', 'extension.js');

test('dist/extension.js loads and activates', { skip: !fs.existsSync(bundle) && 'dist/extension.js not built (npm run build)' }, async () => {
  stub.reset();
  const saved = process.env.PATH;
  process.env.PATH = tmpdir();
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ext = require(bundle);
    assert.equal(typeof ext.activate, 'function');
    assert.equal(typeof ext.deactivate, 'function');
    const src = fs.readFileSync(bundle, 'utf8');
    assert.ok(!/require\(["']vscode-languageclient/.test(src), 'vscode-languageclient must be bundled');
    await ext.activate(context(tmpdir()));
    for (const id of Object.values(COMMANDS)) assert.ok(stub.commands.has(id), id);
    assert.ok(stub.messages.some((m) => /language server was not found/.test(m.text)));
    await ext.deactivate();
  } finally {
    process.env.PATH = saved;
  }
});
