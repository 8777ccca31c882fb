"""Security tooling that runs beside the site, not inside it (see check_advisories)."""
