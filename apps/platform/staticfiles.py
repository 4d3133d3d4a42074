"""Chosen files of the npm packages the portal serves (assets/node_modules): a package
holds far more than a page loads (sources, ES modules, maps of files it does not ship),
which collectstatic would otherwise copy and check."""

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage


class VendorFilesFinder(BaseFinder):
    """STATIC_VENDOR_FILES: {url prefix: (package folder, [file, ...])}."""

    def __init__(self, *args, **kwargs):
        self.packages = []
        for prefix, (folder, files) in settings.STATIC_VENDOR_FILES.items():
            storage = FileSystemStorage(location=folder)
            storage.prefix = prefix
            self.packages.append((prefix, storage, frozenset(files)))

    def find(self, path, find_all=False, **kwargs):
        found = []
        for prefix, storage, files in self.packages:
            name = path.removeprefix(f"{prefix}/")
            if name != path and name in files and storage.exists(name):
                if not find_all:
                    return storage.path(name)
                found.append(storage.path(name))
        return found

    def list(self, ignore_patterns):
        for _prefix, storage, files in self.packages:
            for name in sorted(files):
                if storage.exists(name):
                    yield name, storage
