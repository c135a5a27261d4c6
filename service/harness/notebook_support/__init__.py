"""What the notebooks show besides the project's own objects: charts and the run's parameters."""
