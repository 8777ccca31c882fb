"""Every user-facing string has its Simplified Chinese translation, compiled."""

import ast
import gettext
from pathlib import Path

from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"


def read_po(path):
    """The entries of a .po file (blocks separated by blank lines), header left out.

    Each is a dict of its keywords (msgctxt, msgid, msgid_plural; msgstr as a list, one
    item per plural form) and ``fuzzy``.
    """
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry, key = {"msgstr": [], "fuzzy": False}, None
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                entry["fuzzy"] = "fuzzy" in line
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                if key == "msgstr":
                    entry["msgstr"][-1] += ast.literal_eval(line)
                else:
                    entry[key] += ast.literal_eval(line)
            else:
                keyword, _, value = line.partition(" ")
                key = "msgstr" if keyword.startswith("msgstr") else keyword
                if key == "msgstr":
                    entry["msgstr"].append(ast.literal_eval(value))
                else:
                    entry[key] = ast.literal_eval(value)
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def test_every_string_is_translated_and_none_is_fuzzy():
    entries = read_po(CATALOGUE / "django.po")
    assert len(entries) > 50
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"]) or e["fuzzy"]]
    assert untranslated == [], f"Translate these in locale/zh_Hans (make messages): {untranslated}"


def test_compiled_catalogue_matches_the_source():
    with (CATALOGUE / "django.mo").open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    stale = []
    for entry in read_po(CATALOGUE / "django.po"):
        msgid = entry["msgid"]
        if "msgctxt" in entry:
            msgid = f"{entry['msgctxt']}\x04{msgid}"
        if "msgid_plural" in entry:
            got = translations.ngettext(msgid, entry["msgid_plural"], 1)
        else:
            got = translations.gettext(msgid)
        if got != entry["msgstr"][0]:
            stale.append(entry["msgid"])
    assert stale == [], f"Recompile the catalogue (make messages): {stale}"
