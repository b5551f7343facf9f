// Command failures travel as exceptions so handlers stay straight-line code; the
// dispatcher turns them into the {ok: 0, errmsg, code, codeName} replies drivers
// parse, and insert/delete turn them into per-statement writeErrors. Codes and
// names are MongoDB's, so client code that branches on them behaves as in
// production.

export class CommandError extends Error {
  constructor(code, codeName, message, extra = {}) {
    super(message);
    this.code = code;
    this.codeName = codeName;
    this.extra = extra;
  }

  toReply() {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }

  toWriteError(index) {
    return { index, code: this.code, ...this.extra, errmsg: this.message };
  }
}

export const badValue = (message) => new CommandError(2, 'BadValue', message);
export const failedToParse = (message) => new CommandError(9, 'FailedToParse', message);
export const typeMismatch = (message) => new CommandError(14, 'TypeMismatch', message);
export const invalidNamespace = (message) => new CommandError(73, 'InvalidNamespace', message);
export const namespaceNotFound = (message) => new CommandError(26, 'NamespaceNotFound', message);

// Things a real server does but this stand-in deliberately does not: an
// explicit refusal beats an answer that quietly differs from production.
export const notSupported = (what) =>
  new CommandError(238, 'NotImplemented', `${what} is not supported by mongo-standin`);
