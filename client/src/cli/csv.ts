/**
 * Splits one CSV line (RFC 4180 quoting: `"a,b"`, `""` for a quote). A quoted cell cannot span lines in a
 * batch file (line numbers stay the file's): an unterminated quote throws.
 */
export function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let i = 0;
  let quoted = false;
  while (i <= line.length) {
    const ch = line[i];
    if (quoted) {
      if (ch === undefined) throw new Error("unterminated quote");
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else cell += ch;
      i++;
      continue;
    }
    if (ch === undefined || ch === ",") {
      cells.push(cell);
      cell = "";
      i++;
      continue;
    }
    if (ch === '"' && cell.trim() === "") {
      quoted = true;
      cell = "";
    } else cell += ch;
    i++;
  }
  return cells;
}
