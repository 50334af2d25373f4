#!/usr/bin/env node
// List a .vsix (a zip) and check it holds the bundled extension and nothing stray: exactly the
// expected files, no node_modules, sources, tests or source maps.
//   node scripts/check-vsix.mjs xpiler-0.1.0.vsix
import fs from 'node:fs';
import zlib from 'node:zlib';

const file = process.argv[2];
const buf = fs.readFileSync(file);

// The zip's central directory: find the end record, then walk the entries.
const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
if (eocd < 0) throw new Error(`${file}: not a zip`);
const count = buf.readUInt16LE(eocd + 10);
let p = buf.readUInt32LE(eocd + 16);
const entries = [];
for (let i = 0; i < count; i++) {
  if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: bad central directory`);
  const method = buf.readUInt16LE(p + 10);
  const csize = buf.readUInt32LE(p + 20);
  const size = buf.readUInt32LE(p + 24);
  const nlen = buf.readUInt16LE(p + 28);
  const xlen = buf.readUInt16LE(p + 30);
  const clen = buf.readUInt16LE(p + 32);
  const local = buf.readUInt32LE(p + 42);
  const name = buf.toString('utf8', p + 46, p + 46 + nlen);
  entries.push({ name, size, method, csize, local });
  p += 46 + nlen + xlen + clen;
}

function read(entry) {
  const l = entry.local;
  const start = l + 30 + buf.readUInt16LE(l + 26) + buf.readUInt16LE(l + 28);
  const data = buf.subarray(start, start + entry.csize);
  return entry.method === 8 ? zlib.inflateRawSync(data) : data;
}

const expected = [
  '[Content_Types].xml',
  'extension.vsixmanifest',
  'extension/package.json',
  'extension/readme.md',
  'extension/dist/extension.js',
  'extension/language-configuration.json',
  'extension/syntaxes/bang.tmLanguage.json',
  'extension/syntaxes/hip.tmLanguage.json',
];
const optional = [/^extension\/media\/[\w-]+\.png$/, /^extension\/changelog\.md$/];

for (const e of entries) console.log(`  ${String(e.size).padStart(8)}  ${e.name}`);
const names = entries.map((e) => e.name);
const problems = [];
for (const want of expected) if (!names.includes(want)) problems.push(`missing ${want}`);
for (const n of names) {
  if (!expected.includes(n) && !optional.some((re) => re.test(n))) problems.push(`stray ${n}`);
  if (/node_modules|\/src\/|\/test\/|\.map$|\.ts$|e2e\//.test(n)) problems.push(`must not ship ${n}`);
}
const bundle = entries.find((e) => e.name === 'extension/dist/extension.js');
if (bundle) {
  const js = read(bundle).toString('utf8');
  if (/require\(["']vscode-languageclient/.test(js)) problems.push('dist/extension.js requires vscode-languageclient: not bundled');
  if (!/xpiler_lsp/.test(js)) problems.push('dist/extension.js does not look like the Xpiler extension');
}
const manifest = entries.find((e) => e.name === 'extension/package.json');
if (manifest) {
  const pkg = JSON.parse(read(manifest).toString('utf8'));
  if (pkg.main !== './dist/extension.js') problems.push(`package.json main is ${pkg.main}`);
}
if (problems.length) {
  console.error(`${file}:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`${file}: ${entries.length} files, the bundled extension and nothing stray`);
