from datetime import timedelta

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import selectors, services
from apps.accounts.api.serializers import (
    ApiTokenSerializer,
    IssuedTokenSerializer,
    TokenRequestSerializer,
)
from apps.accounts.models import ApiToken, User
from apps.platform.api.permissions import HoldsARole
from apps.platform.api.validation import validated


def _with_status(token: ApiToken) -> ApiToken:
    token.status = selectors.api_token_status(token)
    return token


class ApiTokenListView(generics.ListAPIView):
    """Your API tokens, newest first (an Admin sees everyone's); issue one for yourself
    (or, as an Admin, for a service account): the token is in the answer, once."""

    serializer_class = ApiTokenSerializer
    permission_classes = [IsAuthenticated, HoldsARole]
    pagination_ordering = ("-created_at", "-id")
    ordering_fields = ("created_at", "name")

    def get_queryset(self):
        return selectors.api_tokens_for(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(
            ApiTokenSerializer([_with_status(token) for token in page], many=True).data
        )

    @extend_schema(request=TokenRequestSerializer, responses={201: IssuedTokenSerializer})
    def post(self, request):
        data = validated(TokenRequestSerializer, request.data)
        user = request.user
        if data.get("user") and data["user"] != user.get_username():
            user = User.objects.filter(username=data["user"]).first()
            if user is None:
                raise ValidationError(
                    {"user": [_("There is no user %(name)s.") % {"name": data["user"]}]}
                )
        if not selectors.may_issue_token(request.user, for_user=user):
            raise PermissionDenied(_("You may not issue tokens for %(user)s.") % {"user": user})
        token, secret = services.api_token_issue(
            user=user,
            ttl=timedelta(days=data["expires_in_days"]),
            name=data["name"],
            actor=request.user,
        )
        token = _with_status(token)
        token.token = secret
        return Response(IssuedTokenSerializer(token).data, status=status.HTTP_201_CREATED)


class ApiTokenRevokeView(APIView):
    """Revoke one of your tokens (an Admin: anyone's); revoking it again changes nothing."""

    permission_classes = [IsAuthenticated, HoldsARole]

    @extend_schema(request=None, responses={200: ApiTokenSerializer})
    def post(self, request, pk):
        token = get_object_or_404(selectors.api_tokens_for(request.user), pk=pk)
        if token.user_id != request.user.pk and not request.user.has_perm(
            "accounts.change_apitoken"
        ):
            raise PermissionDenied(_("Only an Admin revokes another user's tokens."))
        revoked = services.api_token_revoke(token=token, actor=request.user)
        return Response(ApiTokenSerializer(_with_status(revoked)).data)
