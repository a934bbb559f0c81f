/**
 * What `vellum` accepts: each command's usage, summary and options (as `node:util`
 * `parseArgs` takes them), and the help text made from them.
 */
import type { ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** One command of the CLI, as its help shows it. */
export interface CommandSpec {
  name: string;
  /** One line: what it does. */
  summary: string;
  /** Its synopsis lines, without the leading `vellum `. */
  usage: string[];
  options: Options;
  /** Help lines for its options, `[flag, what]`. */
  flags: [string, string][];
}

const HELP: Options = { help: { type: 'boolean', short: 'h' } };
const OCI: Options = { 'oci-whiteouts': { type: 'boolean' } };
const HELP_FLAG: [string, string] = ['-h, --help', 'show this help'];
const OCI_FLAG: [string, string] = [
  '--oci-whiteouts',
  'read overlayfs whiteouts (char 0/0) and opaque dirs as .wh. entries',
];

const PACK_OPTIONS: Options = {
  ...HELP,
  ...OCI,
  output: { type: 'string', short: 'o' },
  manifest: { type: 'boolean' },
  level: { type: 'string' },
  progress: { type: 'boolean' },
};
const PACK_FLAGS: [string, string][] = [
  ['-o, --output <path>', 'the zip to write (pack), or the directory to copy the files to (--manifest)'],
  ['--manifest', 'write a vellum.json for an HTTP directory layer instead of a zip'],
  ['--level <0-9>', 'deflate level (default 6)'],
  ['--progress', 'report progress on stderr even when it is not a terminal'],
  OCI_FLAG,
  HELP_FLAG,
];

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'pack',
    summary: 'pack a directory into a zip layer (or a manifest directory)',
    usage: ['pack <dir> -o layer.zip [--oci-whiteouts] [--level 0-9]', 'pack <dir> --manifest [-o <outdir>]'],
    options: PACK_OPTIONS,
    flags: PACK_FLAGS,
  },
  {
    name: 'manifest',
    summary: 'write the vellum.json of a directory (= pack --manifest)',
    usage: ['manifest <dir> [-o <outdir>]'],
    options: PACK_OPTIONS,
    flags: PACK_FLAGS.filter(([flag]) => flag !== '--manifest' && flag !== '--level <0-9>'),
  },
  {
    name: 'inspect',
    summary: "list a layer's entries with mode, size and time",
    usage: ['inspect <layer>'],
    options: { ...HELP, ...OCI },
    flags: [OCI_FLAG, HELP_FLAG],
  },
  {
    name: 'ls',
    summary: 'list the merged tree of a stack of layers, with the layer serving each path',
    usage: ['ls <layer…>            (top layer first)'],
    options: { ...HELP, ...OCI },
    flags: [OCI_FLAG, HELP_FLAG],
  },
  {
    name: 'cat',
    summary: 'print a file of the merged tree',
    usage: ['cat <layer…> -- <path>'],
    options: { ...HELP, ...OCI },
    flags: [OCI_FLAG, HELP_FLAG],
  },
  {
    name: 'export',
    summary: 'write the changes of a directory against a stack of layers as a zip or an OCI tar',
    usage: ['export <layer…> --from <dir> -o changes.zip|changes.tar'],
    options: { ...HELP, ...OCI, from: { type: 'string' }, output: { type: 'string', short: 'o' } },
    flags: [
      ['--from <dir>', 'the edited directory'],
      ['-o, --output <file>', 'the layer to write (.zip, or .tar for an OCI layer)'],
      OCI_FLAG,
      HELP_FLAG,
    ],
  },
  {
    name: 'freeze',
    summary: 'freeze an upper over its lowers into one zip layer that stacks on the same lowers',
    usage: [
      'freeze --lower <layer> [--lower <layer>…] --upper <dir|changes.zip> -o out.zip [--level 0-9] [--id <id>]',
    ],
    options: {
      ...HELP,
      lower: { type: 'string', multiple: true },
      upper: { type: 'string' },
      output: { type: 'string', short: 'o' },
      level: { type: 'string' },
      id: { type: 'string' },
    },
    flags: [
      ['--lower <layer>', 'a lower layer, repeated top first (as lowerdir=)'],
      [
        '--upper <dir|zip>',
        'a kernel overlayfs upperdir or an OCI layer directory (.wh. names), or an exported workspace zip',
      ],
      ['-o, --output <file>', 'the zip to write (stack it as [out.zip, …lowers] with OCI whiteouts)'],
      ['--level <0-9>', 'deflate level (default 6)'],
      ['--id <id>', "the layer's id (default: zip: + SHA-256 of the zip's central directory)"],
      HELP_FLAG,
    ],
  },
];

const LAYER_NOTE =
  'a layer is a zip (file or http(s) URL), a directory with vellum.json (path or URL), or a plain directory';

/** The help of the whole CLI. */
export function mainHelp(version: string): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `vellum ${version}: make and examine Vellum layers`,
    '',
    'usage: vellum <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'options:',
    "  -h, --help     show this help (vellum <command> --help: that command's)",
    '  -V, --version  print the version',
    '',
    LAYER_NOTE,
    '',
  ].join('\n');
}

/** The help of one command. */
export function commandHelp(spec: CommandSpec): string {
  const width = Math.max(...spec.flags.map(([flag]) => flag.length));
  return [
    `vellum ${spec.name}: ${spec.summary}`,
    '',
    'usage:',
    ...spec.usage.map((u) => `  vellum ${u}`),
    '',
    'options:',
    ...spec.flags.map(([flag, what]) => `  ${flag.padEnd(width)}  ${what}`),
    '',
    LAYER_NOTE,
    '',
  ].join('\n');
}
