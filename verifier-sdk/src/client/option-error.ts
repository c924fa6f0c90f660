/** The TypeError of a bad `createTokenClient` option, naming it. */
export function optionError(option: string, expected: string): TypeError {
  return new TypeError(`createTokenClient: option "${option}" must be ${expected}`)
}
