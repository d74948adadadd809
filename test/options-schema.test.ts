import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { optionsSchema } from '../src/service/options.js';

/**
 * The service compiles its options' schema without checking it against JSON Schema's meta-schema (validateSchema:
 * false, src/service/options.ts: that check was half of the compile's cost at every start, issue #30): it is checked
 * here instead.
 */
describe("the options' schema", () => {
  it('is a valid JSON Schema (draft-07, as ajv reads it)', () => {
    const ajv = new Ajv();
    expect(ajv.validateSchema(optionsSchema), ajv.errorsText()).toBe(true);
  });

  it('is found invalid when it is not: the check can fail', () => {
    const ajv = new Ajv();
    expect(ajv.validateSchema({ ...optionsSchema, required: 'source' })).toBe(false);
  });
});
