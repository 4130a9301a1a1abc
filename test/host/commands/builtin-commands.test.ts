import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../../src/errors/codes.js';
import { builtinCommands } from '../../../src/host/commands/builtin-commands.js';

describe('builtinCommands', () => {
  it('has the twelve built-ins, each with one name', () => {
    expect(builtinCommands.map((parser) => parser.name).sort()).toEqual([
      'dedup',
      'eval',
      'fields',
      'json',
      'limit',
      'rename',
      'search',
      'sentry',
      'sort',
      'stats',
      'top',
      'where',
    ]);
  });

  it.each(builtinCommands.map((parser) => [parser.name, parser] as const))('%s has honest help', (name, parser) => {
    // Those that read an expression or JSON text can also be nested too deeply.
    const nests = ['search', 'where', 'eval', 'json'].includes(name);
    expect(parser.errors).toEqual(nests ? [ERRORS.INVALID_ARGUMENTS, ERRORS.NESTING_TOO_DEEP] : [ERRORS.INVALID_ARGUMENTS]);
    expect(parser.help.syntax.startsWith(name)).toBe(true);
    expect(parser.help.description).not.toBe('');
    expect(parser.help.properties.requiredPermission).toBe('none');
    expect(parser.help.properties.licenseUsage).toBe('N/A');
    const expectedType =
      {
        sentry: 'driver',
        json: 'driver',
        search: 'filtering',
        where: 'filtering',
        dedup: 'filtering',
        stats: 'aggregation',
        top: 'aggregation',
      }[name] ?? 'transforming';
    expect(parser.help.properties.commandType).toBe(expectedType);
  });
});
