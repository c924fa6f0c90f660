"""A Python web application signing users in with Authlib (Debian's python3-authlib), written
as Authlib's documentation shows: the requests integration's OAuth2Session, the authorization
code flow with PKCE S256, private_key_jwt client authentication (PrivateKeyJWT), the ID token
validated with authlib.jose and CodeIDToken; then client_credentials with the same key.

The test that runs it (authlib.test.ts) plays the browser: this prints the authorization URL as
one JSON line, reads the URL the browser came back to on stdin, and prints what it got as one
JSON line. Configuration comes from the environment; REQUESTS_CA_BUNDLE makes requests trust
the issuer's certificate, as it would a private CA in production.
"""
import base64
import json
import os
import sys

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oauth2.rfc7523 import PrivateKeyJWT, private_key_jwt_sign
from authlib.oidc.core import CodeIDToken

ISSUER = os.environ['ISSUER']
CLIENT_ID = os.environ['CLIENT_ID']
REDIRECT_URI = os.environ['REDIRECT_URI']
with open(os.environ['PRIVATE_KEY_FILE']) as f:
    PRIVATE_KEY = f.read()


def payload_of(jws):
    """The claims of a JWS, unverified: only to report what was sent."""
    part = jws.split('.')[1]
    return json.loads(base64.urlsafe_b64decode(part + '=' * (-len(part) % 4)))


def emit(value):
    print(json.dumps(value), flush=True)


metadata = requests.get(f'{ISSUER}/.well-known/openid-configuration').json()
token_endpoint = metadata['token_endpoint']

# The authorization code flow (Authlib: "OAuth 2 Session", "Using private_key_jwt").
client = OAuth2Session(
    CLIENT_ID,
    PRIVATE_KEY,
    scope='openid profile email',
    redirect_uri=REDIRECT_URI,
    token_endpoint_auth_method='private_key_jwt',
    code_challenge_method='S256',
)
client.register_client_auth_method(PrivateKeyJWT(token_endpoint))
code_verifier = generate_token(48)
nonce = generate_token(20)
uri, state = client.create_authorization_url(
    metadata['authorization_endpoint'], code_verifier=code_verifier, nonce=nonce
)
emit({'authorization_url': uri})

authorization_response = sys.stdin.readline().strip()
token = client.fetch_token(
    token_endpoint,
    authorization_response=authorization_response,
    code_verifier=code_verifier,
)
userinfo = client.get(metadata['userinfo_endpoint']).json()

# The ID token (Authlib: "OpenID Connect", CodeIDToken): signature by the issuer's JWKS, iss,
# aud, exp, iat, nonce and at_hash.
jwks = JsonWebKey.import_key_set(requests.get(metadata['jwks_uri']).json())
id_token = jwt.decode(
    token['id_token'],
    jwks,
    claims_cls=CodeIDToken,
    claims_options={
        'iss': {'essential': True, 'value': ISSUER},
        'aud': {'essential': True, 'value': CLIENT_ID},
    },
    claims_params={'nonce': nonce, 'client_id': CLIENT_ID, 'access_token': token['access_token']},
)
id_token.validate()

# A service call with no user: client_credentials, the same key.
service = OAuth2Session(CLIENT_ID, PRIVATE_KEY, token_endpoint_auth_method='private_key_jwt')
service.register_client_auth_method(PrivateKeyJWT(token_endpoint))
service_token = service.fetch_token(token_endpoint, grant_type='client_credentials')

# One assertion as PrivateKeyJWT signs them (exp = iat + 3600), sent twice: a replay.
assertion = private_key_jwt_sign(PRIVATE_KEY, CLIENT_ID, token_endpoint).decode()
assertion_claims = payload_of(assertion)
replays = []
for _ in range(2):
    res = requests.post(token_endpoint, data={
        'grant_type': 'client_credentials',
        'client_assertion_type': 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        'client_assertion': assertion,
    })
    replays.append({'status': res.status_code, 'body': res.json()})

emit({
    'state_sent': state,
    'token': {k: token[k] for k in ('token_type', 'scope', 'expires_in') if k in token},
    'has_refresh_token': 'refresh_token' in token,
    'id_token_claims': dict(id_token),
    'nonce': nonce,
    'userinfo': userinfo,
    'service_token': {
        'token_type': service_token.get('token_type'),
        'access_token_claims': jwt.decode(service_token['access_token'], jwks),
    },
    'assertion_lifetime': assertion_claims['exp'] - assertion_claims['iat'],
    'replays': replays,
})
