"""Translations (Babel/gettext catalogs), right-to-left languages and language detection."""
