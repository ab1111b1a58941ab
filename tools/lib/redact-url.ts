/**
 * A URL as it may be shown: its password (`https://admin:secret@host`) replaced by `****`, the rest as
 * given. For the terminal and logs; the full URL stays in `.local/stack.json` (mode 0600).
 */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/?#]*):[^@/?#]*@/i, "$1:****@");
}
