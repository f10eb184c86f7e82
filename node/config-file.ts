import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { CairnError } from '../src/util/errors.js';

/** One setting from wherever it came (a flag or the config file), before defaults. */
export interface NodeSettings {
  name?: string;
  dataDir?: string;
  listen?: string;
  api?: string;
  join?: string[];
  labels?: string[];
  slots?: string;
  clusterKey?: string;
}

/** A config file holds these `cairn node start` flags, by their long names. */
const fileKeys = {
  name: 'name',
  'data-dir': 'dataDir',
  listen: 'listen',
  api: 'api',
  join: 'join',
  labels: 'labels',
  slots: 'slots',
  'cluster-key': 'clusterKey',
} as const satisfies Record<string, keyof NodeSettings>;
/** A node's settings are a few lines; anything this large is the wrong file. */
const configFileBytesMax = 64 * 1024;

/** Reads a YAML (or JSON) config file into settings; relative paths are relative to the file. */
export async function readConfigFile(file: string): Promise<NodeSettings> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CairnError('USAGE', `cannot read the config file ${file}: ${(err as Error).message}`, { file }, { cause: err });
  }
  if (text.length > configFileBytesMax) throw new CairnError('USAGE', `${file} is larger than ${configFileBytesMax} bytes: not a node config file`, { file });
  let doc: unknown;
  try {
    doc = parse(text) ?? {};
  } catch (err) {
    throw new CairnError('USAGE', `${file}: ${(err as Error).message}`, { file }, { cause: err });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new CairnError('USAGE', `${file} must be a mapping of settings (name, labels, slots, ...)`, { file });
  const out: NodeSettings = {};
  for (const [key, value] of Object.entries(doc)) {
    if (!Object.hasOwn(fileKeys, key)) {
      throw new CairnError('USAGE', `${file}: unknown setting "${key}" (known: ${Object.keys(fileKeys).join(', ')})`, { file, key });
    }
    const field = fileKeys[key as keyof typeof fileKeys];
    const bad = (want: string) => new CairnError('USAGE', `${file}: "${key}" takes ${want}`, { file, key });
    if (field === 'join' || field === 'labels') {
      // A list, or one comma-separated string as on the command line.
      if (typeof value === 'string') out[field] = value.split(',').map((v) => v.trim()).filter(Boolean);
      else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) out[field] = value.map((v) => v.trim()).filter(Boolean);
      else throw bad('a list of strings');
    } else if (field === 'slots') {
      if (typeof value !== 'number' && typeof value !== 'string') throw bad('a whole number');
      out.slots = String(value);
    } else {
      if (typeof value !== 'string') throw bad('a string');
      out[field] = field === 'dataDir' || field === 'clusterKey' ? resolve(dirname(file), value) : value;
    }
  }
  return out;
}

