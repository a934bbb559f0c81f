/** overlay-semantics.md, rule by rule, on OpfsUpper (the in-memory OPFS stand-in): chunks inline and in files, compacting often. */
import { opfsEnv } from './opfs-env.js';
import { semanticsSuite } from './semantics.suite.js';

semanticsSuite(opfsEnv('OpfsUpper'));
semanticsSuite(
  opfsEnv('OpfsUpper, every chunk in a file, compacting every few operations', {
    inlineBelow: 1,
    compactBytes: 2048,
  }),
);
