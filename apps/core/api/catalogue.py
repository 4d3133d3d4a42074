"""List/create and detail views for reference data, writing through apps.core.catalogue."""

from rest_framework import generics

from apps.core import catalogue


class CatalogueListView(generics.ListCreateAPIView):
    """List (readers) and create (writers), in id order."""

    pagination_ordering = ("id",)

    def perform_create(self, serializer):
        serializer.instance = catalogue.catalogue_create(
            model=self.queryset.model, actor=self.request.user, **serializer.validated_data
        )


class CatalogueDetailView(generics.RetrieveUpdateDestroyAPIView):
    """Read (readers), change and delete (writers)."""

    def perform_update(self, serializer):
        serializer.instance = catalogue.catalogue_update(
            instance=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        catalogue.catalogue_delete(instance=instance, actor=self.request.user)
