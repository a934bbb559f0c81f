/** overlay-semantics.md, rule by rule, on the memory upper (the suite itself: semantics.suite.ts). */
import { memoryEnv } from './helpers.js';
import { semanticsSuite } from './semantics.suite.js';

semanticsSuite(memoryEnv);
