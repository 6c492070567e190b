"""Scripts run by hand to build data files; the service never imports them."""
