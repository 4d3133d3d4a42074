from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "apps.accounts.authentication.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A token from `manage.py issue_token USERNAME`, or an access token from "
                "the identity provider."
            ),
        }


class SessionAuthenticationScheme(SessionScheme):
    target_class = "apps.accounts.authentication.SessionAuthentication"
