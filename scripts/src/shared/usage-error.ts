/** Exit 2 from an operator CLI: the operator asked for something wrong; the message says what. */
export class UsageError extends Error {
  /** Print the usage too: the command line itself was malformed. */
  readonly showUsage: boolean
  constructor(message: string, opts: { showUsage?: boolean } = {}) {
    super(message)
    this.showUsage = opts.showUsage ?? false
  }
}
