"""Track maths: pure functions over NumPy arrays (distances in metres, times in seconds)."""
