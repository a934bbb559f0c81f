/** Node's `open` flags, as strings or numbers, turned into what they mean. */

export interface OpenMode {
  read: boolean;
  write: boolean;
  create: boolean;
  exclusive: boolean;
  truncate: boolean;
  append: boolean;
}

const O_WRONLY = 1;
const O_RDWR = 2;
const O_CREAT = 0o100;
const O_EXCL = 0o200;
const O_TRUNC = 0o1000;
const O_APPEND = 0o2000;

const BY_NAME: Record<string, OpenMode> = {
  r: mode(true, false, false, false, false, false),
  rs: mode(true, false, false, false, false, false),
  sr: mode(true, false, false, false, false, false),
  'r+': mode(true, true, false, false, false, false),
  'rs+': mode(true, true, false, false, false, false),
  'sr+': mode(true, true, false, false, false, false),
  w: mode(false, true, true, false, true, false),
  wx: mode(false, true, true, true, true, false),
  xw: mode(false, true, true, true, true, false),
  'w+': mode(true, true, true, false, true, false),
  'wx+': mode(true, true, true, true, true, false),
  'xw+': mode(true, true, true, true, true, false),
  a: mode(false, true, true, false, false, true),
  ax: mode(false, true, true, true, false, true),
  xa: mode(false, true, true, true, false, true),
  as: mode(false, true, true, false, false, true),
  sa: mode(false, true, true, false, false, true),
  'a+': mode(true, true, true, false, false, true),
  'ax+': mode(true, true, true, true, false, true),
  'xa+': mode(true, true, true, true, false, true),
  'as+': mode(true, true, true, false, false, true),
  'sa+': mode(true, true, true, false, false, true),
};

function mode(
  read: boolean,
  write: boolean,
  create: boolean,
  exclusive: boolean,
  truncate: boolean,
  append: boolean,
): OpenMode {
  return { read, write, create, exclusive, truncate, append };
}

export function parseFlags(flags: string | number | undefined, fallback: string): OpenMode {
  const f = flags ?? fallback;
  if (typeof f === 'number') {
    const access = f & 3;
    return {
      read: access !== O_WRONLY,
      write: access === O_WRONLY || access === O_RDWR,
      create: (f & O_CREAT) !== 0,
      exclusive: (f & O_EXCL) !== 0,
      truncate: (f & O_TRUNC) !== 0,
      append: (f & O_APPEND) !== 0,
    };
  }
  const known = BY_NAME[f];
  if (!known) {
    const error = new TypeError(`The value "${f}" is invalid for option "flags"`) as TypeError & {
      code: string;
    };
    error.code = 'ERR_INVALID_ARG_VALUE';
    throw error;
  }
  return known;
}
