import { describe, expect, it } from 'vitest';
import { decodeEncodedWords, parseRawMail } from './rawMail.ts';

describe('parseRawMail', () => {
  it('unfolds headers, keeps the first occurrence, decodes a quoted-printable body', () => {
    const raw = [
      'To: a@b.test',
      'Subject: a long',
      '  folded subject',
      'Message-ID: <k@orderflow.test>',
      'Received: first',
      'Received: second',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Total: EUR 1,234.56 =E2=82=AC and a soft=',
      ' break',
      '',
    ].join('\r\n');
    const mail = parseRawMail(raw);
    expect(mail.headers['subject']).toBe('a long folded subject');
    expect(mail.headers['message-id']).toBe('<k@orderflow.test>');
    expect(mail.headers['received']).toBe('first');
    expect(mail.text).toBe('Total: EUR 1,234.56 € and a soft break');
  });

  it('decodes base64 bodies and RFC 2047 words', () => {
    const body = Buffer.from('Grüße', 'utf8').toString('base64');
    const mail = parseRawMail(`Subject: =?UTF-8?B?${Buffer.from('Bestellung bestätigt').toString('base64')}?=\nContent-Transfer-Encoding: base64\n\n${body}\n`);
    expect(mail.headers['subject']).toBe('Bestellung bestätigt');
    expect(mail.text).toBe('Grüße');
  });

  it('joins adjacent encoded words and decodes Q encoding', () => {
    expect(decodeEncodedWords('=?UTF-8?Q?Order_confirm?= =?UTF-8?Q?=C3=A9?=')).toBe('Order confirmé');
    expect(decodeEncodedWords('=?koi8-r?B?AAA=?=')).toBe('=?koi8-r?B?AAA=?=');
  });

  it('never throws on garbage', () => {
    expect(parseRawMail('no headers at all').headers).toEqual({});
  });
});
