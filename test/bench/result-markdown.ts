/**
 * Markdown for any benchmark's result JSON, so the summary needs no knowledge of each format:
 * top-level scalars as a list, a list of records (rates, phases) as a table with a row each,
 * a map of records (scenarios, files) as a table with a column each; nested records become
 * dotted column or row names, arrays of numbers are left out.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Record_ = { [key: string]: Json };

export function renderResult(result: Record<string, unknown>): string {
  const parts: string[] = [];
  const scalars: string[] = [];
  for (const [key, value] of Object.entries(result as Record_)) {
    if (isScalar(value)) scalars.push(`- ${key}: ${format(value)}`);
    else if (Array.isArray(value) && value.length > 0 && value.every(isRecord)) parts.push(`**${key}**\n\n${rowsTable(value as Record_[])}`);
    else if (isRecord(value) && Object.values(value).length > 0 && Object.values(value).every(isRecord)) parts.push(`**${key}**\n\n${columnsTable(value as Record<string, Record_>)}`);
    else if (isRecord(value)) scalars.push(`- ${key}: ${Object.entries(flatten(value)).map(([name, item]) => `${name} ${format(item)}`).join(', ')}`);
  }
  return [scalars.join('\n'), ...parts].filter(Boolean).join('\n\n');
}

/** One row per record. */
function rowsTable(records: Record_[]): string {
  const rows = records.map((record) => flatten(record));
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return table(columns, rows.map((row) => columns.map((column) => row[column])));
}

/** One column per named record, one row per (dotted) field. */
function columnsTable(records: Record<string, Record_>): string {
  const names = Object.keys(records);
  const flat = names.map((name) => flatten(records[name]));
  const fields = [...new Set(flat.flatMap((row) => Object.keys(row)))];
  return table(['', ...names], fields.map((field) => [field, ...flat.map((row) => row[field])]));
}

function table(header: string[], rows: (Json | undefined)[][]): string {
  const line = (cells: (Json | undefined)[]): string => `| ${cells.map((cell) => (cell === undefined ? '' : format(cell))).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

function flatten(record: Record_, prefix = ''): Record<string, Json> {
  const flat: Record<string, Json> = {};
  for (const [key, value] of Object.entries(record)) {
    if (isScalar(value)) flat[prefix + key] = value;
    else if (isRecord(value)) Object.assign(flat, flatten(value, `${prefix}${key}.`));
  }
  return flat;
}

function format(value: Json): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
  return String(value).replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function isScalar(value: Json): value is null | boolean | number | string {
  return value === null || typeof value !== 'object';
}

function isRecord(value: Json): value is Record_ {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
