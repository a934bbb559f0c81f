/**
 * The process dir-upper.crash.test.ts kills: opens DirLayer lowers and a DirUpper, prints
 * `ready`, then applies the ops of the JSON file one by one, printing the count done after each.
 * Usage: crash-child.ts <ops.json> <upperdir> <workdir> <lowerdir>...
 */
import * as fs from 'node:fs';
import { Overlay } from '@vellum/core';
import { applyOp, type Op } from '../../core/test/kernel/ops.js';
import { DirLayer, DirUpper } from '../src/index.js';

process.umask(0o022);
const [opsFile, upperdir, workdir, ...lowerDirs] = process.argv.slice(2);
if (opsFile === undefined || upperdir === undefined || workdir === undefined) throw new Error('usage');
const ops = JSON.parse(fs.readFileSync(opsFile, 'utf8')) as Op[];
const lowers = await Promise.all(lowerDirs.map((d) => DirLayer.open(d)));
const upper = await DirUpper.open(upperdir, { workdir, lowers });
const ov = await Overlay.create({ lowers, upper });
// Unbuffered: the parent reads how many ops were done when it killed this process.
fs.writeSync(1, 'ready\n');
for (const [i, op] of ops.entries()) {
  await applyOp(ov, '', op);
  fs.writeSync(1, `${i + 1}\n`);
}
fs.writeSync(1, 'end\n');
