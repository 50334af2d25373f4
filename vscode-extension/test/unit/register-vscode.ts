/** `node --require out/test/unit/register-vscode.js`: `require('vscode')` gets the stand-in. */
import Module = require('module');
import * as path from 'path';

const stubPath = path.join(__dirname, 'vscode-stub.js');
const M = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const original = M._resolveFilename;
M._resolveFilename = function (request: string, ...rest: unknown[]) {
  return request === 'vscode' ? stubPath : original.call(this, request, ...rest);
};
