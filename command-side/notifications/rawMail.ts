/**
 * A minimal reader of RFC 5322 messages as written by nodemailer: unfolded headers,
 * RFC 2047 encoded words, and a single-part body in 7bit, 8bit, quoted-printable or
 * base64. Enough for the local SMTP sink and tests; not a general MIME parser.
 */

/** Headers (lower-case names, first occurrence wins) and the decoded single-part body. */
export interface ParsedMail {
  headers: Record<string, string>;
  text: string;
}

/** Decodes `=?charset?B|Q?...?=` words (UTF-8 and Latin-1; others are left as they are). */
export function decodeEncodedWords(value: string): string {
  // Whitespace between two adjacent encoded words is not part of the text (RFC 2047 §6.2).
  const joined = value.replace(/(\?=)\s+(=\?)/g, '$1$2');
  return joined.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (word, charset: string, enc: string, data: string) => {
    const cs = charset.toLowerCase().split('*')[0] ?? '';
    const encoding: BufferEncoding | null = cs === 'utf-8' || cs === 'utf8' ? 'utf8' : cs === 'iso-8859-1' || cs === 'latin1' ? 'latin1' : null;
    if (!encoding) return word;
    const bytes = enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64') : qBytes(data.replace(/_/g, ' '));
    return bytes.toString(encoding);
  });
}

function qBytes(data: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const ch = data[i] as string;
    const hex = data.slice(i + 1, i + 3);
    if (ch === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      out.push(...Buffer.from(ch, 'utf8'));
    }
  }
  return Buffer.from(out);
}

/** Decodes a quoted-printable body (soft line breaks removed). */
export function decodeQuotedPrintable(body: string): Buffer {
  return qBytes(body.replace(/=\r?\n/g, ''));
}

/** Splits a raw message into headers and decoded text. Never throws. */
export function parseRawMail(raw: string): ParsedMail {
  const sep = /\r?\n\r?\n/.exec(raw);
  const head = sep ? raw.slice(0, sep.index) : raw;
  const body = sep ? raw.slice(sep.index + sep[0].length) : '';
  const headers: Record<string, string> = {};
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!(name in headers)) headers[name] = decodeEncodedWords(line.slice(colon + 1).trim());
  }
  const cte = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const bytes =
    cte === 'quoted-printable'
      ? decodeQuotedPrintable(body)
      : cte === 'base64'
        ? Buffer.from(body.replace(/\s+/g, ''), 'base64')
        : Buffer.from(body, 'utf8');
  return { headers, text: bytes.toString('utf8').replace(/\r\n/g, '\n').replace(/\n$/, '') };
}
