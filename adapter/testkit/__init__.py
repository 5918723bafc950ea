"""The integrator test kit: scenario bundles and the `check-server` conformance script."""
