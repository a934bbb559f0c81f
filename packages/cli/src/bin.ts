#!/usr/bin/env node
/** The `vellum` executable (package.json `bin`): runs one command and exits with its code. */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
