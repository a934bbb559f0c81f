/**
 * Vitest globalSetup of the browser project: runs in Node, starts the faulty server (and its
 * control endpoint) on 127.0.0.1, and `provide`s their URLs; zip-http.browser.test.ts reads them
 * with `inject`. A page cannot listen on a port, so this is how Chromium gets the same server.
 */
import type { TestProject } from 'vitest/node';
import { startControl } from './control.js';
import type { FaultServerAddress } from './harness.js';
import { TestServer } from './server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    faultServer: FaultServerAddress;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await TestServer.start();
  const control = await startControl(server);
  project.provide('faultServer', { base: server.url(''), control: control.url });
  return async () => {
    await control.close();
    await server.close();
  };
}
