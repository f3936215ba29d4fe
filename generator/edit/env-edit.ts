/**
 * In-place edits of `.env`: one `KEY=value` line set or removed; every other line (comments, order,
 * other keys) is kept byte for byte. Values are written unquoted, so they must be plain tokens.
 */
const lineOf = (key: string) => new RegExp(`^\\s*(?:export\\s+)?${key}\\s*=`);

export function setEnvText(text: string, key: string, value: string, comment: string): string {
  if (!/^[A-Za-z0-9_:.+/=-]+$/.test(value))
    throw new Error(`${key}: the value has characters .env cannot hold unquoted`);
  const lines = text.split("\n");
  const at = lines.findIndex((l) => lineOf(key).test(l));
  if (at >= 0) {
    lines[at] = `${key}=${value}`;
    return lines.join("\n");
  }
  const sep = text === "" || text.endsWith("\n") ? "" : "\n";
  return `${text}${sep}\n# ${comment}\n${key}=${value}\n`;
}

export function removeEnvText(text: string, key: string): string {
  return text
    .split("\n")
    .filter((l) => !lineOf(key).test(l))
    .join("\n");
}
