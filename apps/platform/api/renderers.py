from rest_framework.renderers import BaseRenderer


class PassthroughRenderer(BaseRenderer):
    """Lets a media type reach a view that writes its response body itself (content
    negotiation would answer 406 otherwise); the view's response is sent as it is."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class CSVRenderer(PassthroughRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"


class XLSXRenderer(PassthroughRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None
    render_style = "binary"
