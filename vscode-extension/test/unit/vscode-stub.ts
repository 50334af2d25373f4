/**
 * A stand-in for the `vscode` module, enough for the extension and vscode-languageclient to load
 * and for the unit tests to drive activation, commands, settings and notifications. Every call
 * the extension makes is recorded in `stub`.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */

type Listener<T> = (e: T) => any;

export class Disposable {
  constructor(private readonly fn: () => void = () => undefined) {}
  static from(...ds: { dispose(): any }[]): Disposable {
    return new Disposable(() => ds.forEach((d) => d.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  event = (listener: Listener<T>): Disposable => {
    this.listeners.push(listener);
    return new Disposable(() => (this.listeners = this.listeners.filter((l) => l !== listener)));
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class CancellationError extends Error {}

export class CancellationTokenSource {
  private emitter = new EventEmitter<void>();
  token = { isCancellationRequested: false, onCancellationRequested: this.emitter.event };
  cancel(): void {
    this.token.isCancellationRequested = true;
    this.emitter.fire();
  }
  dispose(): void {
    this.emitter.dispose();
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}
  static file(p: string): Uri {
    return new Uri('file', p);
  }
  static parse(s: string): Uri {
    const m = /^([a-z][\w+.-]*):(?:\/\/)?(.*)$/i.exec(s);
    return m ? new Uri(m[1], m[2].startsWith('/') ? m[2] : '/' + m[2]) : new Uri('file', s);
  }
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  constructor(
    readonly start: Position,
    readonly end: Position,
  ) {}
}

export class Selection extends Range {
  constructor(
    readonly anchor: Position,
    readonly active: Position,
  ) {
    super(anchor, active);
  }
}

export class MarkdownString {
  isTrusted = false;
  supportThemeIcons = false;
  constructor(public value = '') {}
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}

export enum ProgressLocation {
  SourceControl = 1,
  Window = 10,
  Notification = 15,
}

export enum ConfigurationTarget {
  Global = 1,
  Workspace = 2,
  WorkspaceFolder = 3,
}

export interface Message {
  severity: 'error' | 'warning' | 'information';
  text: string;
  items: string[];
}

export interface ProgressRecord {
  options: { location: ProgressLocation; title?: string; cancellable?: boolean };
  reports: { message?: string; increment?: number }[];
  cancel: () => void;
  done: boolean;
}

class StatusBarItemStub {
  text = '';
  tooltip: any;
  command: any;
  name = '';
  backgroundColor: any;
  visible = false;
  constructor(
    readonly id: string,
    readonly alignment: StatusBarAlignment,
    readonly priority: number,
  ) {}
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  dispose(): void {
    this.visible = false;
  }
}

class OutputChannelStub {
  lines: string[] = [];
  shown = 0;
  constructor(readonly name: string) {}
  append(s: string): void {
    this.lines.push(s);
  }
  appendLine(s: string): void {
    this.lines.push(s);
  }
  replace(s: string): void {
    this.lines = [s];
  }
  clear(): void {
    this.lines = [];
  }
  show(): void {
    this.shown++;
  }
  hide(): void {}
  dispose(): void {}
}

/** Everything the tests control or inspect. */
export const stub = {
  commands: new Map<string, (...args: any[]) => any>(),
  executed: [] as { command: string; args: any[] }[],
  /** Settings of section `xpiler` by key ("server.python", "jobs.timeout", ...). */
  config: new Map<string, unknown>(),
  messages: [] as Message[],
  /** Answers to the next showXxxMessage calls with items (undefined: dismissed). */
  messageAnswers: [] as (string | undefined)[],
  quickPicks: [] as { items: any[]; options: any }[],
  /** Picks the answer to a showQuickPick from its items (default: dismissed). */
  pickAnswer: (_items: any[]): any => undefined,
  progress: [] as ProgressRecord[],
  statusBarItems: [] as StatusBarItemStub[],
  statusBarMessages: [] as string[],
  outputChannels: [] as OutputChannelStub[],
  configListeners: new EventEmitter<{ affectsConfiguration(section: string): boolean }>(),
  workspaceFolders: undefined as { uri: Uri; name: string; index: number }[] | undefined,
  activeTextEditor: undefined as any,
  contexts: new Map<string, unknown>(),
  editorListeners: new EventEmitter<any>(),
  changeListeners: new EventEmitter<any>(),
  openDialogs: [] as any[],
  /** The answer to the next showOpenDialog (undefined: dismissed). */
  openDialogAnswer: undefined as Uri[] | undefined,
  /** Text of documents opened with workspace.openTextDocument, by path (else read from disk). */
  files: new Map<string, string>(),

  reset(): void {
    this.commands.clear();
    this.executed = [];
    this.config.clear();
    this.messages = [];
    this.messageAnswers = [];
    this.quickPicks = [];
    this.pickAnswer = () => undefined;
    this.progress = [];
    this.statusBarItems = [];
    this.statusBarMessages = [];
    this.outputChannels = [];
    this.configListeners = new EventEmitter();
    this.workspaceFolders = undefined;
    this.activeTextEditor = undefined;
    this.contexts.clear();
    this.editorListeners = new EventEmitter();
    this.changeListeners = new EventEmitter();
    this.openDialogs = [];
    this.openDialogAnswer = undefined;
    this.files.clear();
  },

  /** Change settings and fire onDidChangeConfiguration as VS Code does. */
  setConfig(values: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(values)) this.config.set(k, v);
    const keys = Object.keys(values).map((k) => `xpiler.${k}`);
    this.configListeners.fire({
      affectsConfiguration: (section: string) =>
        keys.some((k) => k === section || k.startsWith(section + '.') || section.startsWith(k + '.')),
    });
  },

  /** An editor on a document of the given language, cursor at (line, character); fires
   * onDidChangeActiveTextEditor as VS Code does. */
  openEditor(path: string, languageId: string, line: number, character: number, version = 1, text = ''): void {
    const uri = Uri.file(path);
    const pos = new Position(line, character);
    const document = { uri, languageId, version, fileName: path, text, getText: () => document.text };
    this.activeTextEditor = { document, selection: new Selection(pos, pos) };
    this.editorListeners.fire(this.activeTextEditor);
  },

  /** Change the active editor's text and fire onDidChangeTextDocument. */
  editText(text: string): void {
    const document = this.activeTextEditor.document;
    document.text = text;
    document.version++;
    this.changeListeners.fire({ document, contentChanges: [] });
  },
};

function message(severity: Message['severity']) {
  return (text: string, ...rest: any[]): Promise<string | undefined> => {
    const items = rest.filter((r) => typeof r === 'string');
    stub.messages.push({ severity, text, items });
    return Promise.resolve(items.length ? stub.messageAnswers.shift() : undefined);
  };
}

export const window = {
  createOutputChannel(name: string): OutputChannelStub {
    const c = new OutputChannelStub(name);
    stub.outputChannels.push(c);
    return c;
  },
  createStatusBarItem(id: string, alignment: StatusBarAlignment, priority: number): StatusBarItemStub {
    const item = new StatusBarItemStub(id, alignment, priority);
    stub.statusBarItems.push(item);
    return item;
  },
  showErrorMessage: message('error'),
  showWarningMessage: message('warning'),
  showInformationMessage: message('information'),
  showQuickPick(items: any[], options?: any): Promise<any> {
    stub.quickPicks.push({ items, options });
    return Promise.resolve(stub.pickAnswer(items));
  },
  setStatusBarMessage(text: string): Disposable {
    stub.statusBarMessages.push(text);
    return new Disposable();
  },
  withProgress<R>(options: any, task: (progress: any, token: any) => Thenable<R>): Promise<R> {
    const source = new CancellationTokenSource();
    const record: ProgressRecord = { options, reports: [], cancel: () => source.cancel(), done: false };
    stub.progress.push(record);
    return Promise.resolve(task({ report: (v: any) => record.reports.push(v) }, source.token)).finally(() => {
      record.done = true;
    });
  },
  showOpenDialog(options?: any): Promise<Uri[] | undefined> {
    stub.openDialogs.push(options);
    return Promise.resolve(stub.openDialogAnswer);
  },
  get activeTextEditor(): any {
    return stub.activeTextEditor;
  },
  onDidChangeActiveTextEditor: (listener: Listener<any>) => stub.editorListeners.event(listener),
  showTextDocument: () => Promise.resolve(undefined),
};

export const workspace = {
  getConfiguration(section?: string) {
    const prefix = section ? section.replace(/^xpiler\.?/, '') : '';
    const key = (k: string) => (prefix ? `${prefix}.${k}` : k);
    return {
      get<T>(k: string, fallback?: T): T | undefined {
        const v = stub.config.get(key(k));
        return (v === undefined ? fallback : v) as T | undefined;
      },
      has: (k: string) => stub.config.has(key(k)),
      inspect: () => undefined,
      update: (k: string, v: unknown) => {
        stub.setConfig({ [key(k)]: v });
        return Promise.resolve();
      },
    };
  },
  get workspaceFolders() {
    return stub.workspaceFolders;
  },
  onDidChangeConfiguration: (listener: Listener<any>) => stub.configListeners.event(listener),
  onDidOpenTextDocument: new EventEmitter<any>().event,
  onDidCloseTextDocument: new EventEmitter<any>().event,
  onDidChangeTextDocument: (listener: Listener<any>) => stub.changeListeners.event(listener),
  textDocuments: [] as any[],
  openTextDocument(uri: Uri): Promise<any> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const text = stub.files.get(uri.fsPath) ?? require('fs').readFileSync(uri.fsPath, 'utf8');
    return Promise.resolve({ uri, languageId: 'plaintext', version: 1, getText: () => text });
  },
};

export const commands = {
  registerCommand(id: string, fn: (...args: any[]) => any): Disposable {
    if (stub.commands.has(id)) throw new Error(`command '${id}' already exists`);
    stub.commands.set(id, fn);
    return new Disposable(() => stub.commands.delete(id));
  },
  async executeCommand(id: string, ...args: any[]): Promise<any> {
    stub.executed.push({ command: id, args });
    if (id === 'setContext') {
      stub.contexts.set(args[0], args[1]);
      return undefined;
    }
    const fn = stub.commands.get(id);
    return fn ? fn(...args) : undefined;
  },
};

export const env = { appName: 'stub', language: 'en' };
export const version = '1.82.0';
export const extensions = { getExtension: () => undefined };

// Base classes vscode-languageclient extends when its modules load.
class Plain {
  constructor(...args: any[]) {
    Object.assign(this, { args });
  }
}
export class CallHierarchyItem extends Plain {}
export class CodeLens extends Plain {}
export class CompletionItem extends Plain {}
export class DocumentLink extends Plain {}
export class InlayHint extends Plain {}
export class SymbolInformation extends Plain {}
export class TypeHierarchyItem extends Plain {}
export class CodeAction extends Plain {}
export class Diagnostic extends Plain {}
