"""Background jobs: each runs core work in a worker QThread and reports by signals."""
