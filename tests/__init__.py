"""hipstride tests: they read real recordings and maps from ../shared/data."""
