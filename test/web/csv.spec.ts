import { CsvSyntaxError, parseCsv } from '../../apps/web/src/pages/messages/csv';

const fieldsOf = (text: string) => parseCsv(text).map((record) => record.fields);

describe('parseCsv', () => {
  it('reads plain records, with LF, CRLF or CR line ends', () => {
    expect(fieldsOf('to,body\n+1,hi\n')).toEqual([
      ['to', 'body'],
      ['+1', 'hi'],
    ]);
    expect(fieldsOf('to,body\r\n+1,hi\r\n+2,yo')).toEqual([
      ['to', 'body'],
      ['+1', 'hi'],
      ['+2', 'yo'],
    ]);
    expect(fieldsOf('a,b\r1,2\r')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('drops a byte-order mark', () => {
    expect(fieldsOf('\uFEFFto,body\n+1,hi')[0]).toEqual(['to', 'body']);
  });

  it('keeps commas, newlines and doubled quotes inside quoted fields', () => {
    const records = parseCsv('to,body\n+1,"Hello, ""you""\r\nsecond line"\n+2,"x"\n');
    expect(records).toEqual([
      { line: 1, fields: ['to', 'body'] },
      { line: 2, fields: ['+1', 'Hello, "you"\r\nsecond line'] },
      { line: 4, fields: ['+2', 'x'] },
    ]);
  });

  it('keeps empty fields and leaves blank lines out', () => {
    expect(fieldsOf('a,b,c\n\n1,,\n\r\n,2,\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '', ''],
      ['', '2', ''],
    ]);
    expect(fieldsOf('')).toEqual([]);
    expect(fieldsOf('\uFEFF\r\n')).toEqual([]);
  });

  it('numbers records by the line they start on', () => {
    const lines = parseCsv('h\n"a\nb\nc"\n\nd').map((record) => record.line);
    expect(lines).toEqual([1, 2, 6]);
  });

  it('refuses a quote that never closes, naming its line', () => {
    expect(() => parseCsv('to,body\n+1,"open\nstill open')).toThrow(
      new CsvSyntaxError(2, 'a quoted field is never closed.'),
    );
  });

  it('refuses text after a closing quote', () => {
    expect(() => parseCsv('a\n"x"y')).toThrow(CsvSyntaxError);
  });
});
