/**
 * A small CSV reader (RFC 4180 as spreadsheets write it): comma-separated fields, fields in
 * double quotes may hold commas, newlines and doubled quotes (""), lines end in CRLF, LF or CR,
 * and a UTF-8 byte-order mark at the start is dropped. Pure, so that it is unit-tested outside
 * the browser (test/web/csv.spec.ts).
 */

/** One record of the file and the line it starts on (1-based), to name it to a person. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** The file is not CSV: a quote opened and never closed, or text right after a closing quote. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`Line ${line}: ${message}`);
    this.name = 'CsvSyntaxError';
  }
}

const BOM = '\uFEFF';

/** Every record of `text`, blank lines left out. Throws CsvSyntaxError on malformed quoting. */
export function parseCsv(text: string): CsvRecord[] {
  const source = text.startsWith(BOM) ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  // After a closing quote only a comma or the end of the line may follow.
  let afterQuote = false;
  // Whether the current field has begun (so that `a,` has two fields and an empty line none).
  let started = false;

  const endField = () => {
    fields.push(field);
    field = '';
    afterQuote = false;
  };
  const endRecord = () => {
    if (started || fields.length > 0) {
      endField();
      if (!(fields.length === 1 && fields[0] === '')) records.push({ line: recordLine, fields });
    }
    fields = [];
    started = false;
  };

  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (quoted) {
      if (char === '"') {
        if (source[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          afterQuote = true;
        }
      } else {
        if (char === '\n' || (char === '\r' && source[i + 1] !== '\n')) line++;
        field += char;
      }
      continue;
    }
    if (char === ',') {
      started = true;
      endField();
    } else if (char === '\r' || char === '\n') {
      if (char === '\r' && source[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else if (afterQuote) {
      throw new CsvSyntaxError(line, 'a closing quote must be followed by a comma or a new line.');
    } else if (char === '"' && field === '') {
      started = true;
      quoted = true;
    } else {
      started = true;
      field += char;
    }
  }
  if (quoted) throw new CsvSyntaxError(recordLine, 'a quoted field is never closed.');
  endRecord();
  return records;
}
