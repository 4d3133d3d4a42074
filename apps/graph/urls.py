from django.urls import path

from apps.graph.schema import schema
from apps.graph.views import PortalGraphQLView

# GraphiQL is the portal's own page (views.py), not strawberry's, which loads from a CDN.
urlpatterns = [
    path("graphql/", PortalGraphQLView.as_view(schema=schema, graphql_ide=None), name="graphql")
]
