from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's, but a `?format=` the view cannot answer in is a 400 problem naming the formats
    it can (DRF answers 404, as if the resource were missing)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        requested = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if requested:
            known = [renderer.format for renderer in renderers]
            if requested not in known:
                raise ValidationError(
                    {self.settings.URL_FORMAT_OVERRIDE: [
                        _("Give one of: %(formats)s.") % {"formats": ", ".join(known)}
                    ]}
                )  # fmt: skip
        return super().select_renderer(request, renderers, format_suffix)
