// Starts a TypeScript bench worker in a worker_threads worker (workers do not inherit tsx's loader).
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(`./${workerData.module}.ts`, import.meta.url);
