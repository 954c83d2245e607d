"""organet's benchmarks: each runs organet and a bare reference app on the same data in one run."""
