/** Cluster settings: defaults and the validation of each key a ConfigSet may change. */
import type { JsonValue } from '../pipeline/types.js';
import { parseLabelTerms } from '../scheduler/index.js';
import { defaultLeaseMs, defaultMaxVoters, leaseMsMax, leaseMsMin } from './constants.js';
import type { ClusterConfig } from './types.js';

export function defaultConfig(): ClusterConfig {
  return { leaseMs: defaultLeaseMs, maxVoters: defaultMaxVoters, labelAliases: {}, chatUsers: {} };
}

/** Voters are kept odd in practice, but any count from 1 to this is accepted. */
const maxVotersLimit = 9;

type Validator = (v: JsonValue) => string | null;

function isRecord(v: JsonValue): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const validators: { [K in keyof ClusterConfig]: Validator } = {
  leaseMs: (v) => (typeof v === 'number' && Number.isInteger(v) && v >= leaseMsMin && v <= leaseMsMax ? null : `a whole number of milliseconds from ${leaseMsMin} to ${leaseMsMax}`),
  maxVoters: (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= maxVotersLimit ? null : `a whole number from 1 to ${maxVotersLimit}`),
  labelAliases: (v) => {
    if (!isRecord(v)) return 'an object of alias name to label terms';
    for (const [k, terms] of Object.entries(v)) {
      if (!Array.isArray(terms) || !terms.every((t) => typeof t === 'string')) return `alias ${k}: a list of label terms`;
      try {
        parseLabelTerms(terms as string[]);
      } catch (e) {
        return `alias ${k}: ${(e as Error).message}`;
      }
    }
    return null;
  },
  chatUsers: (v) => (isRecord(v) && Object.values(v).every((x) => typeof x === 'string') ? null : 'an object of e-mail to chat nick'),
};

export const configKeys = Object.keys(validators) as Array<keyof ClusterConfig>;

/** Null when the value is valid for the key, else what it should be. */
export function validateConfig(key: string, value: JsonValue): string | null {
  if (!Object.hasOwn(validators, key)) return `unknown setting (known: ${configKeys.join(', ')})`;
  return validators[key as keyof ClusterConfig](value);
}
