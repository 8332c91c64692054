// Pool and volume names (contracts/defs.json#/definitions/Name): 1..255 characters, no '/', no
// NUL or line break, not '.' or '..', not starting with '-' (so no tool reads it as an option);
// and, as they become file names, at most 255 bytes in UTF-8 with no lone surrogate.
// libvirt itself only refuses '/', but names reach tools' command lines and file names here.
import { err, ok, type Result } from '../errors.js';

/** The same pattern as defs.json's Name (a test keeps the two equal). */
export const NAME_PATTERN = '^(?!\\.\\.?$)(?!-)[^/\\u0000\\n\\r]+$';
const NAME_RE = new RegExp(NAME_PATTERN, 'u');
export const NAME_MAX = 255;

/** Names become file names (a volume's file, a pool's definition): at most this many UTF-8 bytes. */
export const NAME_MAX_BYTES = 255;

// A lone UTF-16 surrogate has no UTF-8 form: as a file name it would become U+FFFD, another name.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a name is refused, or undefined when it is fine. */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > NAME_MAX) return `is longer than ${NAME_MAX} characters`;
  if (LONE_SURROGATE.test(name)) return 'is not valid Unicode (a lone surrogate)';
  if (Buffer.byteLength(name, 'utf8') > NAME_MAX_BYTES) return `is longer than ${NAME_MAX_BYTES} bytes in UTF-8`;
  if (name.includes('/')) return "contains '/'";
  if (/[\u0000\n\r]/.test(name)) return 'contains a NUL or line break';
  if (name === '.' || name === '..') return "is '.' or '..'";
  if (name.startsWith('-')) return "starts with '-'";
  return NAME_RE.test(name) ? undefined : 'is not a valid name';
}

/**
 * Check a name read from XML. Bad names in a document are XML_ERROR (the document's content is
 * wrong, like libvirt's "name cannot contain '/'", which is VIR_ERR_XML_ERROR); JSON callers
 * that check names themselves use INVALID_ARGUMENT.
 */
export function checkXmlName(what: string, name: string): Result<string> {
  const problem = nameProblem(name);
  return problem ? err('XML_ERROR', `${what} ${JSON.stringify(name.slice(0, 300))} ${problem}`) : ok(name);
}
