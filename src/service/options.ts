import { readFileSync } from 'node:fs';
import { validator, type Check } from '../base/validators.js';
import { OptionsError } from '../base/errors.js';
import { optionsSchema, type OptionsDocument } from './options/document.js';
import { toSettings, type Settings } from './options/settings.js';
import { describe, optionOf, withoutEmptied } from './options/supervisor.js';

/**
 * The add-on's options, in three parts: the document and its schema (options/document.ts), the Supervisor's rules for
 * what it writes (options/supervisor.ts), and the conversion to the service's settings (options/settings.ts). Every
 * problem is a line of one OptionsError; none of them quotes a secret.
 */
export { DEFAULT_TCP_PORT, defaults, optionsSchema, type LogLevel, type MeterDocument, type MeterKeyDocument, type OptionsDocument, type Parity, type SourceKind } from './options/document.js';
export { type Connection, type MeterKeys, type MeterSource, type Settings } from './options/settings.js';
export { userOptions } from './options/supervisor.js';
export { OptionsError };

// coerceTypes: the Supervisor writes the value of a list(2400|9600) option as the string "2400". validateSchema off: the
// schema is the program's own, typed by the compiler (JSONSchemaType) and checked against JSON Schema's meta-schema by
// test/options-schema.test.ts; checking it again at every start compiled the meta-schema too (40 ms under the add-on's
// flags, issue #30). code.optimize off: ajv's passes over the code it generates cost 9 ms and 1 MB for a check that
// runs once. The build writes the check out (base/validators.ts): no ajv at start at all.
export const optionsCheck: Check<OptionsDocument> = { name: 'options', schema: optionsSchema, options: { allErrors: true, coerceTypes: true, validateSchema: false, code: { optimize: false } } };
const optionsValidator = validator(optionsCheck);

/** Validates an options document. Every problem becomes one readable line; none of them quotes a secret. */
export function parseOptions(input: unknown): Settings {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new OptionsError(['options: must be a JSON object']);
  const problems: string[] = [];
  const doc = withoutEmptied(Object.fromEntries(Object.entries(input)), problems);
  const validate = optionsValidator();
  if (!validate(doc)) {
    // Said, then left out, so that the checks below still say everything else that is wrong in one go.
    for (const e of validate.errors ?? []) {
      problems.push(describe(e));
      const key = optionOf(e);
      if (key !== undefined) delete doc[key];
    }
    if (!validate(doc)) throw new OptionsError(problems);
  }
  const o: OptionsDocument = doc;
  const settings = toSettings(o, problems);
  if (settings === null) throw new OptionsError(problems);
  return settings;
}

export function loadOptions(path: string): Settings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new OptionsError([`cannot read the options file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new OptionsError([`the options file ${path} is not valid JSON`]);
  }
  return parseOptions(doc);
}
