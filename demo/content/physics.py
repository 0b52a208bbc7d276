"""Projectile motion without air resistance, in the units of ``units``."""

import math

from units import m, s

#: Acceleration due to gravity (m/s²). Try the Moon: 1.62 * m / s**2.
GRAVITY = 9.81 * m / s**2


def flight_time(speed, angle_deg):
    """Seconds from launch to landing, launched at ``speed`` (m/s) and
    ``angle_deg`` degrees above the horizontal, on flat ground."""
    return 2 * speed * math.sin(math.radians(angle_deg)) / GRAVITY


def projectile_range(speed, angle_deg):
    """Horizontal distance (m) travelled before landing."""
    return speed * math.cos(math.radians(angle_deg)) * flight_time(speed, angle_deg)


def trajectory(speed, angle_deg, steps=40):
    """``steps + 1`` points ``(x, y)`` in metres, from launch to landing."""
    t_end = flight_time(speed, angle_deg)
    vx = speed * math.cos(math.radians(angle_deg))
    vy = speed * math.sin(math.radians(angle_deg))
    points = []
    for i in range(steps + 1):
        t = t_end * i / steps
        points.append((vx * t, max(0.0, vy * t - GRAVITY * t * t / 2)))
    return points
