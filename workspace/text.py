"""Chinese punctuation that English does not use, said in the reader's language."""

from django.utils.translation import gettext


def with_detail(text, detail) -> str:
    """ "text（detail）" in Chinese, "text (detail)" in English."""
    return gettext("%(text)s（%(detail)s）") % {"text": text, "detail": detail}


def listing(items) -> str:
    """ "a、b" in Chinese, "a, b" in English."""
    return gettext("、").join(str(item) for item in items)
