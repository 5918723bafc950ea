"""One Care LTS-C rules: which offer Tasks must exist, when they are due, and compliance."""
