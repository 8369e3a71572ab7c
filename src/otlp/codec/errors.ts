/**
 * Errors of the OTLP codec.
 *
 * Decoding never throws anything but {@link OtlpDecodeError}, whatever the
 * input bytes or text. Its message says where and what:
 * `resourceSpans[0].scopeSpans[0].spans[3].traceId: must be 16 bytes, got 15`.
 */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
  /** Where, as a path of lowerCamelCase field names and indices ('' for the message itself). */
  path: string;
  /** What, without the path. */
  readonly reason: string;

  constructor(reason: string, path = '') {
    super(compose(path, reason));
    this.reason = reason;
    this.path = path;
  }

  /** Prefixes the path with an outer segment (used while unwinding nested messages). */
  prependPath(segment: string): this {
    this.path = join(segment, this.path);
    this.message = compose(this.path, this.reason);
    return this;
  }
}

/**
 * A model the encoders cannot write (a value of the wrong type, nesting beyond
 * the limit): a programming error in whoever built or changed the model.
 */
export class OtlpEncodeError extends Error {
  override readonly name = 'OtlpEncodeError';
  path: string;
  readonly reason: string;

  constructor(reason: string, path = '') {
    super(compose(path, reason));
    this.reason = reason;
    this.path = path;
  }

  prependPath(segment: string): this {
    this.path = join(segment, this.path);
    this.message = compose(this.path, this.reason);
    return this;
  }
}

function join(segment: string, path: string): string {
  return path === '' ? segment : path.charCodeAt(0) === 91 /* [ */ ? segment + path : `${segment}.${path}`;
}

/** Paths longer than this are shortened in the middle in `message` (`path` keeps them whole). */
const MAX_PATH_IN_MESSAGE = 240;

function compose(path: string, reason: string): string {
  if (path === '') return reason;
  const shown = path.length <= MAX_PATH_IN_MESSAGE ? path : `${path.slice(0, 120)}…${path.slice(-100)}`;
  return `${shown}: ${reason}`;
}

/** The path segment of field `name`, element `index` when repeated (index < 0: not repeated). */
export function segment(name: string, index: number): string {
  return index < 0 ? name : `${name}[${index}]`;
}
