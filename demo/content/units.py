"""Units for the projectile demo.

Every quantity is a plain float in SI base units (metres, seconds); multiply
by a unit to enter a value and divide by it to read one:

    >>> speed = 72 * km / hour      # 20.0 (m/s)
    >>> speed / (km / hour)         # 72.0
"""

m = 1.0
cm = 0.01 * m
km = 1000.0 * m

s = 1.0
minute = 60.0 * s
hour = 3600.0 * s

#: Names of the length units, for labels.
LENGTH_UNIT = "m"


def length(x):
    """Format a length given in metres, e.g. ``length(40.8)`` -> ``"40.8 m"``."""
    return f"{x / m:.1f} {LENGTH_UNIT}"
