"""The built-in reporters: alerts and the weekly digest, ordinary plugins of the
reporter hook."""
