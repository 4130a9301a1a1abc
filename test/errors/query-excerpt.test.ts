import { describe, expect, it } from 'vitest';
import { ERRORS, QueryParseError } from '../../src/index.js';
import { formatQueryParseError, queryExcerpt } from '../../src/errors/query-excerpt.js';

describe('the query excerpt under a parse error', () => {
  it('shows only the line that holds the offset, the caret under its character', () => {
    const query = 'sentry\n| fields guid\n| sentry-netstat timout=5';
    expect(queryExcerpt(query, query.indexOf('timout'))).toEqual(['  | sentry-netstat timout=5', '                   ^']);
  });

  it('writes control characters out, so a tab or an escape cannot move the caret or reach the terminal', () => {
    expect(queryExcerpt('sentry |\tbad\x1b x', 10)).toEqual(['  sentry |\\tbad\\x1b x', '             ^']);
  });

  it('points past the last character when the offset is the end of the text', () => {
    expect(queryExcerpt('sentry |', 8)).toEqual(['  sentry |', '          ^']);
  });

  it('adds no caret for errors whose offset is not a place in the query (permission, host setting)', () => {
    const query = 'sentry | sentry-netstat';
    expect(formatQueryParseError(new QueryParseError(ERRORS.NO_SENTRY_RPC_PERMISSION, 23), query)).toBe(
      '23100 No permission to call sentry RPC.',
    );
    expect(formatQueryParseError(new QueryParseError(ERRORS.INVALID_SENTRY_RPC_PARALLEL, 23, 'x', 'environment'), query)).not.toContain(
      '\n',
    );
    expect(
      formatQueryParseError(new QueryParseError(ERRORS.UNKNOWN_OPTION, 24, 'a'), 'sentry | sentry-netstat a=1').split('\n'),
    ).toHaveLength(3);
  });
});
