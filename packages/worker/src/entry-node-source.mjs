// The worker_threads entry while this package runs from its TypeScript sources: a worker
// does not inherit the parent's TypeScript loader (`--import tsx` in a worker's execArgv is
// not applied under Node 20), so the worker loads the real entry through tsx's API itself.
import { tsImport } from 'tsx/esm/api';

await tsImport('./entry-node.ts', import.meta.url);
