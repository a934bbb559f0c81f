/**
 * ZipLayer over HTTP Range in Node: the shared suite (zip-http.suite.ts) against a TestServer on
 * 127.0.0.1 started here and driven directly.
 */
import { afterAll, beforeAll } from 'vitest';
import { localFaultServer } from './net/control.js';
import type { FaultServer } from './net/harness.js';
import { TestServer } from './net/server.js';
import { zipHttpSuite } from './zip-http.suite.js';

let server: TestServer;
let faulty: FaultServer;
beforeAll(async () => {
  server = await TestServer.start();
  faulty = localFaultServer(server);
});
afterAll(() => server.close());

zipHttpSuite('ZipLayer over HTTP (Node)', () => faulty);
