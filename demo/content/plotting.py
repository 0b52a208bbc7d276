"""Text plots of trajectories (no plotting library needed)."""

from physics import projectile_range, trajectory
from units import length


def ascii_plot(points, width=60, height=12, mark="*"):
    """Render ``(x, y)`` points as lines of text, ``height`` rows of ``width``
    characters, with the ground as the last row."""
    max_x = max(x for x, _ in points) or 1.0
    max_y = max(y for _, y in points) or 1.0
    grid = [[" "] * width for _ in range(height)]
    for x, y in points:
        col = min(width - 1, round(x / max_x * (width - 1)))
        row = min(height - 1, round(y / max_y * (height - 1)))
        grid[height - 1 - row][col] = mark
    return "\n".join("".join(row).rstrip() for row in grid) + "\n" + "‾" * width


def plot_trajectory(speed, angle_deg):
    """A titled text plot of one launch."""
    title = (f"{angle_deg}° at {speed:.1f} m/s: "
             f"lands {length(projectile_range(speed, angle_deg))} away")
    return title + "\n" + ascii_plot(trajectory(speed, angle_deg))
