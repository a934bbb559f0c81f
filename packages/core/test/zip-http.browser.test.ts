/**
 * ZipLayer over HTTP Range in Chromium: the same suite as in Node (zip-http.suite.ts), against
 * the same TestServer, which a page cannot start itself — the browser project's globalSetup
 * (net/global-setup.ts) starts it in Node and provides its URLs; the page fetches the archives
 * cross-origin (CORS, with ETag/Content-Range/Content-Length exposed) and sets faults over the
 * control endpoint.
 */
import { inject } from 'vitest';
import { remoteFaultServer } from './net/harness.js';
import { zipHttpSuite } from './zip-http.suite.js';

zipHttpSuite('ZipLayer over HTTP (Chromium)', () => remoteFaultServer(inject('faultServer')));
