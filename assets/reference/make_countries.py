"""Writes countries.csv: ISO 3166-1 codes and the names imports meet (ACLED, GTD, UCDP).

Run: python3 make_countries.py > countries.csv   (needs pycountry)
Names come from pycountry (ISO 3166-1); ALIASES adds the short or older names the
ACLED, GTD and UCDP exports use where they differ from ISO's.
"""
import csv
import sys

import pycountry

ALIASES = {
    "AF": ["Afghanistan"],
    "IR": ["Iran"],
    "RU": ["Russia", "Soviet Union"],
    "SY": ["Syria"],
    "TR": ["Turkey", "Turkiye"],
    "KR": ["South Korea"],
    "KP": ["North Korea"],
    "VN": ["Vietnam"],
    "LA": ["Laos"],
    "BO": ["Bolivia"],
    "VE": ["Venezuela"],
    "TZ": ["Tanzania"],
    "MD": ["Moldova"],
    "CD": ["Democratic Republic of the Congo", "DR Congo", "Congo, Democratic Republic of the", "Zaire"],
    "CG": ["Republic of the Congo", "Congo"],
    "CI": ["Ivory Coast", "Cote d'Ivoire"],
    "CZ": ["Czech Republic"],
    "MK": ["Macedonia", "North Macedonia"],
    "PS": ["Palestine", "West Bank and Gaza Strip", "West Bank", "Gaza Strip"],
    "GB": ["United Kingdom", "UK"],
    "US": ["United States", "USA", "United States of America"],
    "BN": ["Brunei"],
    "MM": ["Myanmar", "Myanmar (Burma)", "Burma"],
    "KG": ["Kyrgyzstan"],
    "TW": ["Taiwan"],
    "XK": ["Kosovo"],
    "SZ": ["Swaziland", "eSwatini"],
    "CV": ["Cape Verde"],
    "TL": ["East Timor", "Timor-Leste"],
    "BA": ["Bosnia-Herzegovina", "Bosnia and Herzegovina"],
}

writer = csv.writer(sys.stdout, lineterminator="\n")
writer.writerow(["alpha2", "alpha3", "numeric", "names"])
rows = []
for country in pycountry.countries:
    names = [country.name]
    for attribute in ("official_name", "common_name"):
        value = getattr(country, attribute, None)
        if value and value not in names:
            names.append(value)
    for alias in ALIASES.get(country.alpha_2, []):
        if alias not in names:
            names.append(alias)
    rows.append([country.alpha_2, country.alpha_3, country.numeric, "|".join(names)])
# Kosovo has no ISO code; XK/XKX is the code in common use (and in ACLED's data).
rows.append(["XK", "XKX", "", "|".join(ALIASES["XK"])])
for row in sorted(rows):
    writer.writerow(row)
