#!/usr/bin/env node
// Launcher: the CLI is TypeScript run directly (like the rest of the workspace), compiled on load by tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
