"""Vision: pure functions from a ballot image (+ layout + calibration) to a typed reading."""
