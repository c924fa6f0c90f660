import type { GrantParamNames, GrantParams } from '../../core/grants/token-grant.ts'
import type { FormParams } from '../oauth-shared/form-params.ts'

/**
 * The parameters a grant reads, from the token request's form, in the grant's order: a missing
 * required one is `invalid_request` naming it (the grant's constant, never the request's text).
 */
export function grantParamsOf(form: FormParams, names: GrantParamNames<string, string>): GrantParams {
  const params: Record<string, string> = {}
  for (const name of names.required) params[name] = form.require(name)
  for (const name of names.optional) {
    const value = form.get(name)
    if (value !== undefined) params[name] = value
  }
  return params
}
