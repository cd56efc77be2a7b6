"""Code shared by the Higgins driver and facade; no Nova, no Docker."""
