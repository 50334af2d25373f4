/** The status-bar item: the server's state and the jobs running. */
import * as vscode from 'vscode';
import { COMMANDS } from './languages';
import type { ActiveJob } from './progress';

export type ServerState = 'starting' | 'ready' | 'stopped' | 'error';

const ICONS: Record<ServerState, string> = {
  starting: '$(loading~spin)',
  ready: '$(check)',
  stopped: '$(debug-stop)',
  error: '$(error)',
};

export class StatusItem implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  state: ServerState = 'stopped';
  detail = '';
  jobs: readonly ActiveJob[] = [];

  constructor() {
    this.item = vscode.window.createStatusBarItem('xpiler.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'Xpiler';
    this.item.command = COMMANDS.showLog;
    this.render();
    this.item.show();
  }

  setState(state: ServerState, detail = ''): void {
    this.state = state;
    this.detail = detail;
    if (state !== 'ready') this.jobs = [];
    this.render();
  }

  setJobs(jobs: readonly ActiveJob[]): void {
    this.jobs = jobs;
    this.render();
  }

  /** What the item shows, e.g. "$(check) Xpiler: ready" or "$(sync~spin) Xpiler: ready, 1 job". */
  get text(): string {
    return this.item.text;
  }

  private render(): void {
    const n = this.jobs.length;
    const icon = n > 0 ? '$(sync~spin)' : ICONS[this.state];
    this.item.text = `${icon} Xpiler: ${this.state}` + (n > 0 ? `, ${n} job${n === 1 ? '' : 's'}` : '');
    const lines = [`**Xpiler language server**: ${this.state}${this.detail ? ` (${this.detail})` : ''}`];
    for (const j of this.jobs) lines.push(`- ${j.title}${j.message ? `: ${j.message}` : ''}`);
    lines.push(
      `[Show Server Log](command:${COMMANDS.showLog}) · [Restart Server](command:${COMMANDS.restart})` +
        (n > 0 ? ` · [Cancel Running Job](command:${COMMANDS.cancelRunning})` : ''),
    );
    const tooltip = new vscode.MarkdownString(lines.join('\n\n'));
    tooltip.isTrusted = true;
    tooltip.supportThemeIcons = true;
    this.item.tooltip = tooltip;
    this.item.backgroundColor = this.state === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
