"""The 10 incivility labels, in the order every bundle and event uses."""

LABELS: tuple[str, ...] = (
    "aspersion",
    "hyperbole",
    "lying",
    "namecalling",
    "noncooperation",
    "offtopic",
    "other_incivility",
    "pejorative",
    "sarcasm",
    "vulgarity",
)
