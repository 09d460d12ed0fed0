"""Synthetic names for the demo's people: Dutch and international first and last names.

Combined at random (seeded), so no name belongs to anyone in particular.
"""

from __future__ import annotations

import random
import unicodedata

DUTCH_FIRST = (
    "Anouk",
    "Bram",
    "Daan",
    "Eva",
    "Fleur",
    "Gijs",
    "Hanneke",
    "Iris",
    "Jesse",
    "Joost",
    "Karin",
    "Lotte",
    "Maarten",
    "Marieke",
    "Niels",
    "Noor",
    "Pieter",
    "Roos",
    "Sander",
    "Sanne",
    "Thijs",
    "Tom",
    "Vera",
    "Willem",
    "Yara",
    "Femke",
    "Ruben",
    "Esther",
    "Lars",
    "Inge",
    "Jeroen",
    "Mirjam",
    "Koen",
    "Anne",
    "Bas",
    "Liesbeth",
    "Wouter",
    "Sophie",
    "Hugo",
    "Floor",
)
DUTCH_LAST = (
    "de Vries",
    "Jansen",
    "de Jong",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "van den Berg",
    "Kok",
    "Jacobs",
    "Vermeulen",
    "van Dijk",
    "Schouten",
    "Willems",
    "Hoekstra",
    "Koster",
    "Prins",
    "Huisman",
    "Postma",
)
INTERNATIONAL_FIRST = (
    "Aisha",
    "Alejandro",
    "Amira",
    "Chen",
    "Dmitri",
    "Elena",
    "Fatima",
    "Giulia",
    "Hiroshi",
    "Ingrid",
    "Javier",
    "Kwame",
    "Laila",
    "Luca",
    "Mehmet",
    "Mei",
    "Nadia",
    "Omar",
    "Priya",
    "Rafael",
    "Sara",
    "Tariq",
    "Yusuf",
    "Zeynep",
    "Anna",
    "Mateo",
    "Sofia",
    "Ravi",
    "Lena",
)
INTERNATIONAL_LAST = (
    "Rossi",
    "García",
    "Kowalski",
    "Nguyen",
    "Yilmaz",
    "Okafor",
    "Müller",
    "Haddad",
    "Ivanova",
    "Tanaka",
    "Silva",
    "Kumar",
    "Andersen",
    "Papadopoulos",
    "Moreau",
    "Zhang",
    "El Amrani",
    "Novak",
    "Fernández",
    "Schmidt",
    "Hosseini",
    "Mensah",
    "Costa",
    "Lindqvist",
    "Petrović",
)


def person_name(rng: random.Random, *, international: bool) -> str:
    first, last = (
        (INTERNATIONAL_FIRST, INTERNATIONAL_LAST) if international else (DUTCH_FIRST, DUTCH_LAST)
    )
    return f"{rng.choice(first)} {rng.choice(last)}"


def email_for(name: str, number: int) -> str:
    """A unique, readable address at the demo domain (which does not exist)."""
    # Decompose first, so "Fernández" becomes "fernandez" rather than losing the letter.
    decomposed = unicodedata.normalize("NFKD", name.lower())
    ascii_name = decomposed.encode("ascii", "ignore").decode().replace(" ", ".")
    return f"{ascii_name}.{number}@demo.vrijuit.example"
