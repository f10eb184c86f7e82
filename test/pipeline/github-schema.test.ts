import { describe, expect, test } from 'vitest';
import { TemplateSchema } from '@actions/workflow-parser/templates/schema/index';
import { JSONObjectReader } from '@actions/workflow-parser/templates/json-object-reader';
import { loadSchema, schemaJson } from '../../src/pipeline/github-schema.js';

// cairn builds GitHub's schemas without TemplateSchema.load's self-validation (start-up time);
// this checks the shortcut gives the same schema as the library's own loader.
describe.each(['workflow', 'action'] as const)('the %s schema', (kind) => {
  test('matches TemplateSchema.load', () => {
    const json = schemaJson[kind];
    const ours = loadSchema(json);
    const theirs = TemplateSchema.load(new JSONObjectReader(undefined, JSON.stringify(json)));
    expect(Object.keys(ours.definitions).sort()).toEqual(Object.keys(theirs.definitions).sort());
    expect(() => (ours as unknown as { validate(): void }).validate()).not.toThrow();
    expect(JSON.stringify(ours.definitions['runs-on'] ?? ours.definitions['runs'])).toMatch(/.{40}/);
    for (const key of Object.keys(theirs.definitions)) {
      expect(JSON.stringify(ours.definitions[key])).toBe(JSON.stringify(theirs.definitions[key]));
    }
  });
});
