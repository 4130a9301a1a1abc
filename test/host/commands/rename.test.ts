import { describe, expect, it } from 'vitest';
import { renameCommand } from '../../../src/host/commands/rename.js';
import { driveCollected, parseErrorOf } from '../../helpers/drive-collected.js';

describe('rename', () => {
  it('renames fields in place, left to right', async () => {
    const { rows } = await driveCollected(renameCommand, ' local_port as port, pid AS process', [{ guid: 'a', local_port: 22, pid: 7 }]);
    expect(rows).toEqual([{ guid: 'a', port: 22, process: 7 }]);
    expect(Object.keys(rows[0]!)).toEqual(['guid', 'port', 'process']);
  });

  it('replaces a field of the new name, leaves a record without the old one as it is, and chains', async () => {
    expect((await driveCollected(renameCommand, ' a as b', [{ b: 1, a: 2 }])).rows).toEqual([{ b: 2 }]);
    expect((await driveCollected(renameCommand, ' a as b', [{ b: 1 }])).rows).toEqual([{ b: 1 }]);
    expect((await driveCollected(renameCommand, ' a as b, b as c', [{ a: 1 }])).rows).toEqual([{ c: 1 }]);
  });

  it('refuses a pair without as', () => {
    const error = parseErrorOf(renameCommand, ' a b');
    expect(error.code).toBe(90003);
    expect(error.offset).toBe(3);
  });
});
