"""Countries and languages by their names, for people: "Finland", "Finnish", never "FI", "fi".

Catalogues carry ISO 3166-1 alpha-2 country codes and ISO 639-1 language codes. The app
shows the English names of those of Europe (the EU, the EEA, Switzerland, the United
Kingdom and their neighbours) and of a few others often met; any other code is shown as it
is, upper-cased, so nothing is hidden.
"""

from __future__ import annotations

__all__ = ["country_name", "language_name"]

_COUNTRIES = {
    "AT": "Austria", "BE": "Belgium", "BG": "Bulgaria", "HR": "Croatia", "CY": "Cyprus", "CZ": "Czechia",
    "DK": "Denmark", "EE": "Estonia", "FI": "Finland", "FR": "France", "DE": "Germany", "GR": "Greece",
    "HU": "Hungary", "IE": "Ireland", "IT": "Italy", "LV": "Latvia", "LT": "Lithuania", "LU": "Luxembourg",
    "MT": "Malta", "NL": "Netherlands", "PL": "Poland", "PT": "Portugal", "RO": "Romania", "SK": "Slovakia",
    "SI": "Slovenia", "ES": "Spain", "SE": "Sweden", "IS": "Iceland", "LI": "Liechtenstein", "NO": "Norway",
    "CH": "Switzerland", "GB": "United Kingdom", "UK": "United Kingdom", "AL": "Albania",
    "BA": "Bosnia and Herzegovina", "ME": "Montenegro", "MK": "North Macedonia", "RS": "Serbia", "TR": "Türkiye",
    "UA": "Ukraine", "MD": "Moldova",
    "US": "United States", "CA": "Canada", "AU": "Australia", "NZ": "New Zealand", "IN": "India", "CN": "China",
    "JP": "Japan",
}

_LANGUAGES = {
    "bg": "Bulgarian", "hr": "Croatian", "cs": "Czech", "da": "Danish", "nl": "Dutch", "en": "English",
    "et": "Estonian", "fi": "Finnish", "fr": "French", "de": "German", "el": "Greek", "hu": "Hungarian",
    "ga": "Irish", "it": "Italian", "lv": "Latvian", "lt": "Lithuanian", "mt": "Maltese", "pl": "Polish",
    "pt": "Portuguese", "ro": "Romanian", "sk": "Slovak", "sl": "Slovenian", "es": "Spanish", "sv": "Swedish",
    "is": "Icelandic", "no": "Norwegian", "nb": "Norwegian Bokmål", "nn": "Norwegian Nynorsk", "ca": "Catalan",
    "eu": "Basque", "gl": "Galician", "lb": "Luxembourgish", "sq": "Albanian", "sr": "Serbian", "mk": "Macedonian",
    "bs": "Bosnian", "tr": "Turkish", "uk": "Ukrainian", "ru": "Russian", "ar": "Arabic", "zh": "Chinese",
    "ja": "Japanese", "hi": "Hindi", "se": "Northern Sami",
}


def country_name(code: str) -> str:
    """The English name of an ISO 3166-1 alpha-2 country code ("FI" -> "Finland"); the code if unknown."""
    return _COUNTRIES.get(code.strip().upper(), code.strip().upper())


def language_name(code: str) -> str:
    """The English name of an ISO 639-1 language code ("fi" -> "Finnish"); the code if unknown."""
    key = code.strip().lower().split("-")[0]
    return _LANGUAGES.get(key, code.strip())
