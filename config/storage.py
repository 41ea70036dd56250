"""Static files storage of production: WhiteNoise's compressed, content-hashed files."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed names, leaving alone the references a package's CSS makes to files it lacks.

    Viewflow's Roboto stylesheet names font files its package does not ship; Django's manifest
    storage would refuse the whole collectstatic for them. Such a reference stays as written
    (the browser gets a 404 for that font, as it does without hashing).
    """

    def hashed_name(self, name, content=None, filename=None):
        try:
            return super().hashed_name(name, content, filename)
        except ValueError:
            if content is not None or self.exists(self.clean_name(name)):
                raise
            return name
