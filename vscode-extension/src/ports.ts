/**
 * Ports and their originals, read off the text (no `vscode` import: unit-tested directly).
 *
 * - `// xpiler: port-of RELATIVE_PATH KERNEL`: the comment the translator writes above each
 *   kernel of a result (the path relative to the result's folder), and the one a hand-made port
 *   may carry to name its original.
 * - The kernels of an original picked from disk: `__global__` (CUDA, HIP), `__mlu_global__` /
 *   `__mlu_entry__` (BANG C) functions; in a file without those (C, C with AVX-512 VNNI), the
 *   functions defined at file scope, `main` and `static` helpers left out when others remain.
 */
import * as path from 'path';

/** The translation targets, as the server names them (`target` of a translate job). */
export const TARGETS = [
  { id: 'cuda', title: 'CUDA', suffix: '.cu' },
  { id: 'hip', title: 'HIP', suffix: '.hip' },
  { id: 'bang', title: 'BANG C', suffix: '.mlu' },
  { id: 'vnni', title: 'C with AVX-512 VNNI', suffix: '.cpp' },
  { id: 'c', title: 'C', suffix: '.c' },
] as const;

export type TargetId = (typeof TARGETS)[number]['id'];

/** Kernel source files the original may be (the file picker's filter). */
export const KERNEL_EXTENSIONS = ['cu', 'cuh', 'hip', 'mlu', 'c', 'cc', 'cpp', 'cxx', 'h', 'hpp'];

export interface PortOf {
  /** As written in the comment: relative to the port's folder (or absolute). */
  relative: string;
  /** The original's kernel. */
  kernel: string;
  /** 0-based line of the comment. */
  line: number;
}

const PORT_OF = /^[ \t]*\/\/[ \t]*xpiler:[ \t]*port-of[ \t]+(\S.*?)[ \t]+([A-Za-z_]\w*)[ \t]*$/;

/** Every port-of comment of `text`, in order. */
export function portOfComments(text: string): PortOf[] {
  const out: PortOf[] = [];
  text.split(/\r?\n/).forEach((l, line) => {
    const m = PORT_OF.exec(l);
    if (m) out.push({ relative: m[1], kernel: m[2], line });
  });
  return out;
}

/** The original's absolute path, for a port at `portPath`. */
export function resolvePortOf(portPath: string, p: PortOf): string {
  return path.resolve(path.dirname(portPath), p.relative);
}

/** The port-of comment that applies to the kernel at `line` (0-based): the last one above it
 * (the translator writes it just above the kernel's launch and args comments); else the first. */
export function portOfAt(comments: readonly PortOf[], line: number): PortOf | undefined {
  const above = comments.filter((c) => c.line <= line);
  return above.at(-1) ?? comments[0];
}

/** Comments, string and character literals blanked (same length, newlines kept). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/g, (s) => s.replace(/[^\n]/g, ' '));
}

export interface KernelDef {
  name: string;
  /** 0-based line of the name. */
  line: number;
  /** `__global__`, `__mlu_global__`, `__mlu_entry__`, or `function` (C). */
  qualifier: string;
}

const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length - 1;
const KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'return', 'sizeof', 'do', 'else', 'case']);

/** The kernels defined in a source file, in order, each name once. */
export function kernelsIn(text: string): KernelDef[] {
  const src = code(text).replace(/__launch_bounds__\s*\([^)]*\)/g, (s) => ' '.repeat(s.length));
  const seen = new Set<string>();
  const out: KernelDef[] = [];
  const add = (name: string, index: number, qualifier: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    out.push({ name, line: lineOf(src, index), qualifier });
  };
  const gpu = /\b(__global__|__mlu_global__|__mlu_entry__)\b([^;{}()]*?)\b([A-Za-z_]\w*)\s*\(/g;
  for (let m; (m = gpu.exec(src)); ) add(m[3], m.index + m[0].lastIndexOf(m[3]), m[1]);
  if (out.length > 0) return out;
  // C: definitions at file scope (a body follows the parameter list), by brace depth.
  const defs: { name: string; index: number; isStatic: boolean }[] = [];
  let depth = 0;
  let stmtStart = 0;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (ch === '{') {
      if (depth === 0) {
        const head = src.slice(stmtStart, i);
        const m = /\b([A-Za-z_]\w*)\s*\([^()]*(?:\([^()]*\)[^()]*)*\)\s*(?:const\s*)?$/.exec(head);
        if (m && !KEYWORDS.has(m[1]) && !/^\s*(?:typedef|struct|union|enum)\b/.test(head.replace(/^\s*#.*$/gm, '')) && /\w[\s*&]+$/.test(head.slice(0, m.index))) {
          defs.push({ name: m[1], index: stmtStart + m.index, isStatic: /(^|\s)static\s/.test(head) });
        }
      }
      depth++;
    } else if (ch === '}') {
      depth = Math.max(0, depth - 1);
      if (depth === 0) stmtStart = i + 1;
    } else if (depth === 0 && (ch === ';' || (ch === '\n' && /^\s*#/.test(src.slice(src.lastIndexOf('\n', i - 1) + 1, i))))) {
      stmtStart = i + 1;
    }
  }
  const named = defs.filter((d) => d.name !== 'main');
  const exported = named.filter((d) => !d.isStatic);
  for (const d of exported.length ? exported : named) add(d.name, d.index, 'function');
  return out;
}
