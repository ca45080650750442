export type BundleErrorKind =
  | 'manifest_missing'
  | 'manifest_invalid'
  | 'file_missing'
  | 'checksum_mismatch'
  | 'tokenizer_invalid'
  | 'model_invalid';

/** A model bundle that cannot be used; `kind` says why, `file` names the offending file when there is one. */
export class BundleError extends Error {
  override readonly name = 'BundleError';
  readonly kind: BundleErrorKind;
  readonly file: string | undefined;

  constructor(kind: BundleErrorKind, message: string, options: { file?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.file = options.file;
  }
}

/** The classifier was used after close(), or one of its inference workers failed. */
export class ClassifierError extends Error {
  override readonly name = 'ClassifierError';
  readonly kind: 'closed' | 'worker_failed' | 'inference_failed';

  constructor(kind: ClassifierError['kind'], message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
  }
}
