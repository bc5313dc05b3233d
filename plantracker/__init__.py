"""Stage modules that turn plan data packages into a static report site."""
