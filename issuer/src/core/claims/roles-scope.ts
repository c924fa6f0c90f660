/** The scope that releases the user's roles at userinfo: tokensmith's own, beside OpenID Connect's `profile`. */
export const ROLES_SCOPE = 'roles'
