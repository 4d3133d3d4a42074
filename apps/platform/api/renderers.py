from rest_framework.renderers import BaseRenderer


class CSVRenderer(BaseRenderer):
    """Lets `Accept: text/csv` reach a view that streams CSV itself (content negotiation
    would answer 406 otherwise); the view's response is sent as it is."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data
