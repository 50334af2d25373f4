/** Entry point: activate() starts the Xpiler language server for CUDA, HIP, BANG C and C files. */
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import { Deps, XpilerController } from './controller';
import { ServerExecutable } from './serverOptions';

export const CLIENT_ID = 'xpiler';
export const CLIENT_NAME = 'Xpiler Language Server';

export const defaultDeps: Deps = {
  createClient(executable: ServerExecutable, options: LanguageClientOptions) {
    const serverOptions: ServerOptions = executable; // stdio
    return new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, options);
  },
};

let controller: XpilerController | undefined;

/** Also used by the unit tests with a stand-in client factory. */
export async function activateWith(context: vscode.ExtensionContext, deps: Deps): Promise<XpilerController> {
  controller = new XpilerController(context, deps);
  context.subscriptions.push(controller);
  await controller.start();
  return controller;
}

export function activate(context: vscode.ExtensionContext): Promise<XpilerController> {
  return activateWith(context, defaultDeps);
}

export async function deactivate(): Promise<void> {
  const c = controller;
  controller = undefined;
  await c?.stop();
}
