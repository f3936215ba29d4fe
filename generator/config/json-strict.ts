/**
 * A strict JSON syntax checker that says *where* the first error is. `JSON.parse` rejects the same
 * inputs, but its position lives only in the message text; YAML accepts trailing commas, so it
 * cannot be the judge either. Duplicate keys are refused too (JSON.parse silently keeps the last).
 */

export interface JsonSyntaxError {
  offset: number;
  message: string;
}

const MAX_DEPTH = 128;

class Fail extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

export function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const peek = (): string => text.charAt(i);
  const describe = (ch: string): string => (ch === "" ? "end of file" : JSON.stringify(ch));
  const ws = (): void => {
    while (i < text.length) {
      const ch = peek();
      if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") i++;
      else if (ch === "/" && (text[i + 1] === "/" || text[i + 1] === "*"))
        throw new Fail(i, "comments are not allowed in JSON");
      else break;
    }
  };
  const string = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length) {
      const ch = peek();
      if (ch === '"') {
        i++;
        return JSON.parse(text.slice(start, i)) as string;
      }
      if (ch === "\\") {
        const esc = text[i + 1] ?? "";
        if (esc === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6)))
            throw new Fail(i, "invalid \\u escape in string");
          i += 6;
        } else if ('"\\/bfnrt'.includes(esc) && esc !== "") i += 2;
        else throw new Fail(i, `invalid escape \\${esc} in string`);
      } else if (ch < " ") {
        throw new Fail(i, ch === "\n" ? "unterminated string" : "control character in string (escape it)");
      } else i++;
    }
    throw new Fail(start, "unterminated string");
  };
  const number = (): void => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!match || match[0] === "" || match[0] === "-") throw new Fail(i, `invalid number`);
    i += match[0].length;
    if (/[0-9.eE]/.test(peek())) throw new Fail(i, "invalid number");
  };
  const value = (depth: number): void => {
    if (depth > MAX_DEPTH) throw new Fail(i, `nesting deeper than ${MAX_DEPTH} levels`);
    ws();
    const ch = peek();
    if (ch === "{") {
      object(depth);
      return;
    }
    if (ch === "[") {
      array(depth);
      return;
    }
    if (ch === '"') {
      string();
      return;
    }
    if (ch === "-" || (ch >= "0" && ch <= "9")) {
      number();
      return;
    }
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    if (ch === "'") throw new Fail(i, "strings must use double quotes in JSON");
    throw new Fail(i, `expected a value, got ${describe(ch)}`);
  };
  const object = (depth: number): void => {
    i++;
    const keys = new Set<string>();
    let comma = -1;
    ws();
    if (peek() === "}") {
      i++;
      return;
    }
    for (;;) {
      ws();
      if (peek() === "}" && comma >= 0) throw new Fail(comma, "trailing comma before }");
      if (peek() !== '"') throw new Fail(i, `expected a double-quoted key, got ${describe(peek())}`);
      const keyStart = i;
      const key = string();
      if (keys.has(key)) throw new Fail(keyStart, `duplicate key ${JSON.stringify(key)}`);
      keys.add(key);
      ws();
      if (peek() !== ":") throw new Fail(i, `expected ":" after key, got ${describe(peek())}`);
      i++;
      value(depth + 1);
      ws();
      if (peek() === ",") {
        comma = i++;
        continue;
      }
      if (peek() === "}") {
        i++;
        return;
      }
      throw new Fail(i, `expected "," or "}", got ${describe(peek())}`);
    }
  };
  const array = (depth: number): void => {
    i++;
    let comma = -1;
    ws();
    if (peek() === "]") {
      i++;
      return;
    }
    for (;;) {
      ws();
      if (peek() === "]" && comma >= 0) throw new Fail(comma, "trailing comma before ]");
      value(depth + 1);
      ws();
      if (peek() === ",") {
        comma = i++;
        continue;
      }
      if (peek() === "]") {
        i++;
        return;
      }
      throw new Fail(i, `expected "," or "]", got ${describe(peek())}`);
    }
  };
  try {
    value(0);
    ws();
    if (i < text.length) throw new Fail(i, `unexpected ${describe(peek())} after the JSON value`);
    return undefined;
  } catch (error) {
    if (error instanceof Fail) return { offset: error.offset, message: error.message };
    throw error;
  }
}
