"""A Python web application signing users in with requests-oauthlib (Debian's
python3-requests-oauthlib), written as its "Web Application Flow" documentation shows:
OAuth2Session(client_id, redirect_uri=..., scope=[...]), authorization_url, then
fetch_token(token_url, client_secret=..., authorization_response=...), then a protected
resource (userinfo) with the token. A confidential client with scope openid: no PKCE.

The test that runs it (requests-oauthlib.test.ts) plays the browser: this prints the
authorization URL as one JSON line, reads the URL the browser came back to on stdin, and prints
what it got as one JSON line. Everything is https (REQUESTS_CA_BUNDLE trusts the issuer's test
CA; the redirect URI is an https one the browser never has to reach), so oauthlib's transport
check holds without OAUTHLIB_INSECURE_TRANSPORT.
"""
import json
import os
import sys

import requests
from requests_oauthlib import OAuth2Session

ISSUER = os.environ['ISSUER']
CLIENT_ID = os.environ['CLIENT_ID']
CLIENT_SECRET = os.environ['CLIENT_SECRET']
REDIRECT_URI = os.environ['REDIRECT_URI']

metadata = requests.get(f'{ISSUER}/.well-known/openid-configuration').json()

oauth = OAuth2Session(CLIENT_ID, redirect_uri=REDIRECT_URI, scope=['openid', 'profile', 'email'])
authorization_url, state = oauth.authorization_url(metadata['authorization_endpoint'])
print(json.dumps({'authorization_url': authorization_url}), flush=True)

authorization_response = sys.stdin.readline().strip()
token = oauth.fetch_token(
    metadata['token_endpoint'],
    client_secret=CLIENT_SECRET,
    authorization_response=authorization_response,
)
userinfo = oauth.get(metadata['userinfo_endpoint']).json()

print(json.dumps({
    'state_sent': state,
    'token': {k: token[k] for k in ('token_type', 'scope', 'expires_in') if k in token},
    'id_token': token.get('id_token'),
    'userinfo': userinfo,
}), flush=True)
