"""Code shared by the Higgins driver and facade; imports neither Nova nor Docker."""
