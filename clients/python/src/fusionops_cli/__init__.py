"""The fusionops command line: a client of a FusionOps portal's REST API and live stream."""

__version__ = "0.1.0"
