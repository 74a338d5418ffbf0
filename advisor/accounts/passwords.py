"""Password hashing (Argon2id) and the password rules.

Rules follow NIST SP 800-63B (rev. 3, section 5.1.1.2) and the BSI IT-Grundschutz module
ORP.4: a minimum length rather than composition rules, and a check against common
and guessable passwords (zxcvbn's dictionaries: common passwords, names, words, keyboard
patterns), including the account's own e-mail address and name.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from advisor.i18n import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 256  # Argon2 takes any length; this only bounds the work per attempt
#: zxcvbn's score from 0 to 4; 3 means "safely unguessable: moderate protection from an
#: offline slow-hash scenario" (about 10^8 guesses or more).
MIN_SCORE = 3

#: zxcvbn's dictionaries are English; these German words are frequent in leaked passwords
#: (HPI Identity Leak Checker's yearly top lists) or obvious in this tool's setting.
GERMAN_WORDS = (
    "passwort kennwort hallo schatz geheim willkommen sommer winter herbst fruehling frühling "
    "fussball fußball deutschland berlin hamburg muenchen münchen koeln köln bayern schalke "
    "dortmund januar februar maerz märz april mai juni juli august september oktober november "
    "dezember montag dienstag mittwoch donnerstag freitag samstag sonntag verwaltung gemeinde "
    "rathaus kommune buergermeister bürgermeister digital beratung"
).split()

_hasher = PasswordHasher()  # argon2-cffi's defaults: Argon2id, RFC 9106 low-memory profile


@cache
def _dummy() -> str:
    """The hash verified when the e-mail is unknown, so a login takes as long either way.

    Made on first use: a hash costs 64 MiB and tens of milliseconds, not for every process start.
    """
    return _hasher.hash("not a password of anyone")


def hash_password(password: str) -> str:
    """The stored form of a password."""
    return _hasher.hash(password)


def verify(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored`` (None: no password set yet; still takes as long)."""
    try:
        return _hasher.verify(stored or _dummy(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether the stored hash uses older parameters than the current ones."""
    return _hasher.check_needs_rehash(stored)


def problems(password: str, email: str = "", name: str = "") -> list:
    """Why ``password`` is not accepted (empty when it is)."""
    if len(password) < MIN_LENGTH:
        return [_l("The password must have at least %(min)s characters.", min=MIN_LENGTH)]
    if len(password) > MAX_LENGTH:
        return [_l("The password may have at most %(max)s characters.", max=MAX_LENGTH)]
    from zxcvbn import zxcvbn

    hints = [part for part in (email, email.split("@")[0], *name.split()) if part] + GERMAN_WORDS
    if zxcvbn(password[:100], user_inputs=hints)["score"] < MIN_SCORE:
        return [
            _l(
                "This password is too easy to guess (a common password, a word, a name or a "
                "pattern). Several unrelated words make a good password that is easy to remember."
            )
        ]
    return []
